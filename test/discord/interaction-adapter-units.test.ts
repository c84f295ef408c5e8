// InteractionAdapter with plain objects shaped like discord.js interactions: how a command's
// answers map onto Discord's (reply, defer, edit, follow-up, modal), how failures are answered in
// each state, presses and modals as commands see them, and autocomplete. The end-to-end tests
// (test/bot/) run the same adapter through discord.js and the local Discord server.
import { MessageFlags, PermissionFlagsBits } from 'discord.js';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CommandContext, CommandModule, ComponentInteraction } from '../../src/commands/context.js';
import { CommandRegistry } from '../../src/commands/loader.js';
import { InteractionAdapter } from '../../src/discord/interaction-adapter.js';
import { UserError } from '../../src/errors.js';

type Call = [string, ...unknown[]];

const user = { id: 'u1', globalName: null, username: 'ana' };

function baseInteraction(calls: Call[], kind: 'command' | 'autocomplete' | 'button' | 'select' | 'modal' | 'other') {
  const record =
    (name: string, result: unknown = undefined) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      if (result instanceof Error) throw result;
      return result;
    };
  return {
    isChatInputCommand: () => kind === 'command',
    isAutocomplete: () => kind === 'autocomplete',
    isMessageComponent: () => kind === 'button' || kind === 'select',
    isModalSubmit: () => kind === 'modal',
    isAnySelectMenu: () => kind === 'select',
    isFromMessage: () => true,
    guildId: 'g1',
    channelId: 'c1',
    id: 'i1',
    user,
    member: null as unknown,
    locale: 'en-US',
    guildLocale: null,
    deferReply: record('deferReply'),
    deferUpdate: record('deferUpdate'),
    update: record('update'),
    reply: record('reply', { resource: { message: { id: 'm1' } } }),
    editReply: record('editReply', { id: 'm1' }),
    followUp: record('followUp', { id: 'f1' }),
    deleteReply: record('deleteReply'),
    showModal: record('showModal'),
    fetchReply: record('fetchReply', { id: 'm1' }),
    respond: record('respond'),
  };
}

function command(calls: Call[], name: string, extra: Record<string, unknown> = {}) {
  return Object.assign(baseInteraction(calls, 'command'), {
    commandName: name,
    memberPermissions: null,
    appPermissions: null,
    attachmentSizeLimit: 25_000_000,
    options: { data: [] },
    channel: null,
    client: { channels: { fetch: async () => null } },
    ...extra,
  });
}

function press(
  calls: Call[],
  kind: 'button' | 'select' | 'modal',
  customId: string,
  extra: Record<string, unknown> = {},
) {
  return Object.assign(baseInteraction(calls, kind), {
    customId,
    values: kind === 'select' ? ['b'] : [],
    message: { id: 'm1' },
    fields: { fields: new Map([['name', { value: 'cuentos' }]]) },
    ...extra,
  });
}

function adapterWith(execute: (ctx: CommandContext) => Promise<void>, options: Record<string, unknown> = {}) {
  const module: CommandModule = {
    data: { name: 'probe', toJSON: () => ({ name: 'probe', options: [] }) },
    execute,
    ...(options.autocomplete ? { autocomplete: options.autocomplete as CommandModule['autocomplete'] } : {}),
  };
  return new InteractionAdapter({
    registry: new CommandRegistry([module]),
    manager: {} as never,
    logger: pino({ level: 'silent' }),
    bot: {} as never,
    autoDeferMs: 60_000,
    ...options,
  });
}

const names = (calls: Call[]) => calls.map(([name]) => name);
const payload = (call: Call | undefined) => call?.[1] as { content?: string; flags?: number };

describe('InteractionAdapter: answers', () => {
  it('ignores interactions that are not commands, autocompletes, presses or modals', async () => {
    const calls: Call[] = [];
    const adapter = adapterWith(async () => {});
    await adapter.handle(baseInteraction(calls, 'other') as never);
    expect(calls).toEqual([]);
    expect(adapter.runningCount).toBe(0);
  });

  it('refuses new commands once it stops accepting, and unknown ones, privately', async () => {
    const calls: Call[] = [];
    const adapter = adapterWith(async () => {});
    await adapter.handle(command(calls, 'nope') as never);
    adapter.stopAccepting();
    await adapter.handle(command(calls, 'probe') as never);
    expect(names(calls)).toEqual(['reply', 'reply']);
    expect(payload(calls[0]).flags).toBe(MessageFlags.Ephemeral);
    expect(payload(calls[1]).content).toMatch(/shutting down|restart/i);
  });

  it('reads the member’s name, the Manage Server permission and edits/follow-ups before any reply as replies', async () => {
    const calls: Call[] = [];
    const seen: unknown[] = [];
    const adapter = adapterWith(async (ctx) => {
      seen.push(ctx.user.name, ctx.canManageGuild);
      await ctx.edit({ content: 'first' });
      await ctx.defer();
      await ctx.followUp({ content: 'second' });
    });
    const permissions = { has: (bit: bigint) => bit === PermissionFlagsBits.ManageGuild };
    await adapter.handle(
      command(calls, 'probe', { member: { displayName: 'Ana G.' }, memberPermissions: permissions }) as never,
    );
    await adapter.handle(command(calls, 'probe', { member: { nick: 'anita' } }) as never);
    expect(seen).toEqual(['Ana G.', true, 'anita', false]);
    expect(names(calls)).toEqual(['reply', 'followUp', 'reply', 'followUp']);
  });

  it('replaces a public deferral by an ephemeral follow-up, and later edits that follow-up', async () => {
    const calls: Call[] = [];
    const adapter = adapterWith(async (ctx) => {
      await ctx.defer();
      await ctx.reply({ content: 'only you', ephemeral: true });
      await ctx.edit({ content: 'still only you' });
    });
    await adapter.handle(command(calls, 'probe') as never);
    expect(names(calls)).toEqual(['deferReply', 'deleteReply', 'followUp', 'editReply']);
    expect(payload(calls[2]).flags).toBe(MessageFlags.Ephemeral);
    expect((calls[3][1] as { message?: string }).message).toBe('f1');
  });

  it('defers a command still working after autoDeferMs', async () => {
    const calls: Call[] = [];
    let release!: () => void;
    const adapter = adapterWith(
      async (ctx) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        await ctx.reply({ content: 'late' });
      },
      { autoDeferMs: 0 },
    );
    const done = adapter.handle(command(calls, 'probe') as never);
    while (calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    release();
    await done;
    expect(names(calls)).toEqual(['deferReply', 'editReply']);
  });

  it('posts to the channel only where it may write, fetching the channel when the interaction lacks it', async () => {
    const calls: Call[] = [];
    const posted: unknown[] = [];
    const results: boolean[] = [];
    const adapter = adapterWith(async (ctx) => {
      results.push(await ctx.postToChannel!({ content: 'hola' }));
    });
    const sendable = { isSendable: () => true, send: async (p: unknown) => posted.push(p) };
    const fetchOnly = { channels: { fetch: async () => sendable } };
    await adapter.handle(command(calls, 'probe', { client: fetchOnly }) as never);
    await adapter.handle(command(calls, 'probe', { appPermissions: { has: () => false } }) as never);
    await adapter.handle(command(calls, 'probe', { channel: { isSendable: () => false } }) as never);
    await adapter.handle(command(calls, 'probe', { channelId: null }) as never);
    const failing = { isSendable: () => true, send: async () => Promise.reject(new Error('Missing Access')) };
    await adapter.handle(command(calls, 'probe', { channel: failing }) as never);
    expect(results).toEqual([true, false, false, false, false]);
    expect(posted).toEqual([{ content: 'hola', allowedMentions: { parse: [] } }]);
  });
});

describe('InteractionAdapter: failures in each state', () => {
  const failAfter =
    (steps: (ctx: CommandContext) => Promise<void>, error: unknown = new UserError('NO_MODEL_LOADED', {})) =>
    async (ctx: CommandContext) => {
      await steps(ctx);
      throw error;
    };

  it('says nothing through an expired interaction', async () => {
    const calls: Call[] = [];
    const expired = Object.assign(new Error('Unknown interaction'), { code: 10062 });
    await adapterWith(failAfter(async () => {}, expired)).handle(command(calls, 'probe') as never);
    expect(calls).toEqual([]);
  });

  it('edits an ephemeral deferral with the error; after a modal it says nothing', async () => {
    const calls: Call[] = [];
    await adapterWith(failAfter((ctx) => ctx.defer({ ephemeral: true }))).handle(command(calls, 'probe') as never);
    expect(names(calls)).toEqual(['deferReply', 'editReply']);
    calls.length = 0;
    await adapterWith(failAfter((ctx) => ctx.showModal({ id: 'm', title: 'T', fields: [] }))).handle(
      command(calls, 'probe') as never,
    );
    expect(names(calls)).toEqual(['showModal']);
  });

  it('removes a public progress message and follows up privately; a plain reply is followed up', async () => {
    const calls: Call[] = [];
    await adapterWith(
      failAfter(async (ctx) => {
        await ctx.defer();
        await ctx.edit({ content: '50 %' });
      }),
    ).handle(command(calls, 'probe') as never);
    expect(names(calls)).toEqual(['deferReply', 'editReply', 'deleteReply', 'followUp']);
    calls.length = 0;
    await adapterWith(failAfter((ctx) => ctx.reply({ content: 'ok' }))).handle(command(calls, 'probe') as never);
    expect(names(calls)).toEqual(['reply', 'followUp']);
    expect(payload(calls[1]).flags).toBe(MessageFlags.Ephemeral);
  });

  it('answers a misuse of the context with a reference id only, and survives an undeliverable error', async () => {
    const calls: Call[] = [];
    await adapterWith(async (ctx) => {
      await ctx.reply({ content: 'ok' });
      await ctx.showModal({ id: 'm', title: 'T', fields: [] });
    }).handle(command(calls, 'probe') as never);
    expect(payload(calls[1]).content).toMatch(/[0-9a-f]{10}/);
    calls.length = 0;
    await adapterWith(async (ctx) => {
      await ctx.awaitComponent({ ids: ['x'], timeoutMs: 10 });
    }).handle(command(calls, 'probe') as never);
    expect(payload(calls[0]).content).toMatch(/[0-9a-f]{10}/);
    const broken = command([], 'probe', { reply: async () => Promise.reject(new Error('gone')) });
    await expect(adapterWith(failAfter(async () => {})).handle(broken as never)).resolves.toBeUndefined();
  });
});

describe('InteractionAdapter: presses and modals', () => {
  it('hands a press to the waiting command, fetching the message id it was not given, and answers the press with the error', async () => {
    const calls: Call[] = [];
    const pressCalls: Call[] = [];
    const seen: ComponentInteraction[] = [];
    const adapter = adapterWith(async (ctx) => {
      await ctx.reply({
        content: 'pick',
        components: [[{ kind: 'button', id: 'yes', label: 'Yes', style: 'danger' }]],
      });
      const answer = await ctx.awaitComponent({ ids: ['yes'], timeoutMs: 5_000 });
      seen.push(answer!);
      throw new UserError('NO_MODEL_LOADED', {});
    });
    const noResource = command(calls, 'probe', {
      reply: async (p: unknown) => {
        calls.push(['reply', p]);
        return {};
      },
    });
    const running = adapter.handle(noResource as never);
    await adapter.handle(press(pressCalls, 'button', 'yes') as never);
    await running;
    expect(names(calls)).toEqual(['reply', 'fetchReply']);
    expect(seen[0].kind).toBe('button');
    expect(names(pressCalls)).toEqual(['reply']);
    expect(payload(pressCalls[0]).flags).toBe(MessageFlags.Ephemeral);
  });

  it('updates, defers and replies to a press in the order Discord allows', async () => {
    const calls: Call[] = [];
    const pressCalls: Call[] = [];
    const adapter = adapterWith(async (ctx) => {
      await ctx.reply({ content: 'pick', components: [[{ kind: 'button', id: 'b', label: 'B', style: 'primary' }]] });
      const answer = (await ctx.awaitComponent({ ids: ['b'], timeoutMs: 5_000 }))!;
      expect(answer.values).toEqual(['b']);
      await answer.deferUpdate();
      await answer.deferUpdate();
      await answer.update({ content: 'chosen' });
      await answer.reply({ content: 'and more' });
      await expect(answer.showModal({ id: 'm', title: 'T', fields: [] })).rejects.toThrow(/first answer/);
    });
    const running = adapter.handle(command(calls, 'probe') as never);
    await adapter.handle(press(pressCalls, 'select', 'b') as never);
    await running;
    expect(names(pressCalls)).toEqual(['deferUpdate', 'editReply', 'followUp']);
  });

  it('reads a modal’s fields, answers it, and gives null when no modal comes', async () => {
    const calls: Call[] = [];
    const pressCalls: Call[] = [];
    const modalCalls: Call[] = [];
    const results: unknown[] = [];
    const adapter = adapterWith(
      async (ctx) => {
        await ctx.reply({
          content: 'save?',
          components: [[{ kind: 'button', id: 's', label: 'S', style: 'primary' }]],
        });
        const answer = (await ctx.awaitComponent({ ids: ['s'], timeoutMs: 5_000 }))!;
        await answer.showModal({ id: 'name-form', title: 'Name', fields: [] });
        const submitted = await answer.awaitModal('name-form', 5_000);
        results.push(submitted?.kind, submitted?.fields);
        await submitted!.update({ content: 'saved' });
        await submitted!.update({ content: 'saved again' });
        results.push(await answer.awaitModal('other-form', 1));
      },
      { componentTimeout: (ms: number) => (ms === 1 ? 1 : ms) },
    );
    const running = adapter.handle(command(calls, 'probe') as never);
    await adapter.handle(press(pressCalls, 'button', 's') as never);
    while (!pressCalls.some(([name]) => name === 'showModal')) await new Promise((resolve) => setTimeout(resolve, 1));
    await adapter.handle(press(modalCalls, 'modal', 'name-form', { message: null }) as never);
    await running;
    expect(results).toEqual(['modal', { name: 'cuentos' }, null]);
    expect(names(modalCalls)).toEqual(['update', 'editReply']);
  });

  it('answers a modal not opened from a message with a reply, and refuses to open a modal from a modal', async () => {
    const calls: Call[] = [];
    const modalCalls: Call[] = [];
    const adapter = adapterWith(async (ctx) => {
      await ctx.reply({ content: 'x', components: [[{ kind: 'button', id: 'f', label: 'F', style: 'primary' }]] });
      const answer = (await ctx.awaitComponent({ ids: ['f'], timeoutMs: 5_000, others: 'accept' }))!;
      await expect(answer.showModal({ id: 'm', title: 'T', fields: [] })).rejects.toThrow(/button or select/);
      await answer.update({ content: 'done' });
    });
    const running = adapter.handle(command(calls, 'probe') as never);
    await adapter.handle(press(modalCalls, 'modal', 'f', { isFromMessage: () => false }) as never);
    await running;
    expect(names(modalCalls)).toEqual(['reply']);
  });

  it('tells a stray press that it expired, or that it is someone else’s', async () => {
    const calls: Call[] = [];
    const strayCalls: Call[] = [];
    const adapter = adapterWith(async (ctx) => {
      await ctx.reply({ content: 'x', components: [[{ kind: 'button', id: 'mine', label: 'M', style: 'primary' }]] });
      await ctx.awaitComponent({ ids: ['mine'], timeoutMs: 5_000 });
    });
    const running = adapter.handle(command(calls, 'probe') as never);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await adapter.handle(press(strayCalls, 'button', 'mine', { user: { ...user, id: 'u2' } }) as never);
    expect(payload(strayCalls[0]).content).toMatch(/not yours|only .* who/i);
    await adapter.handle(press(strayCalls, 'button', 'mine') as never);
    await running;
    const failing = press([], 'button', 'gone', {
      message: { id: 'old' },
      reply: async () => Promise.reject(new Error('x')),
    });
    await expect(adapterWith(async () => {}, { router: undefined }).handle(failing as never)).resolves.toBeUndefined();
  });
});

describe('InteractionAdapter: autocomplete', () => {
  const autocomplete = (calls: Call[], extra: Record<string, unknown> = {}) =>
    Object.assign(baseInteraction(calls, 'autocomplete'), {
      commandName: 'probe',
      options: { getFocused: () => ({ name: 'name', value: undefined }) },
      ...extra,
    });

  it('answers at most 25 choices, none when the command has no autocomplete, fails or is too slow', async () => {
    const calls: Call[] = [];
    const focused: unknown[] = [];
    const many = Array.from({ length: 30 }, (_, i) => ({ name: `m${i}`, value: `m${i}` }));
    await adapterWith(async () => {}, {
      autocomplete: async (ctx: { focused: unknown }) => {
        focused.push(ctx.focused);
        return many;
      },
    }).handle(autocomplete(calls) as never);
    await adapterWith(async () => {}).handle(autocomplete(calls) as never);
    await adapterWith(async () => {}, { autocomplete: async () => Promise.reject(new Error('db')) }).handle(
      autocomplete(calls) as never,
    );
    await adapterWith(async () => {}, {
      autocomplete: () => new Promise(() => {}),
      autocompleteTimeoutMs: 1,
    }).handle(autocomplete(calls) as never);
    expect(focused).toEqual([{ name: 'name', value: '' }]);
    expect(calls.map((call) => (call[1] as unknown[]).length)).toEqual([25, 0, 0, 0]);
    const undeliverable = autocomplete([], { respond: async () => Promise.reject(new Error('expired')) });
    await expect(adapterWith(async () => {}).handle(undeliverable as never)).resolves.toBeUndefined();
  });
});
