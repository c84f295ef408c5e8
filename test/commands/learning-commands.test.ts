// /listen, /privacy, /reply, /forget and /status through their context, with a fake channel
// learning store: refusals of bad values, each reply's wording, confirmations answered or not.
import { describe, expect, it } from 'vitest';
import * as forget from '../../commands/forget.js';
import * as listen from '../../commands/listen.js';
import * as privacy from '../../commands/privacy.js';
import * as reply from '../../commands/reply.js';
import * as status from '../../commands/status.js';
import type { CommandContext } from '../../src/commands/context.js';
import { SUBCOMMAND_OPTION } from '../../src/commands/learning.js';
import { isUserError } from '../../src/errors.js';
import type { ChannelLearning } from '../../src/manager/channel-learning.js';
import type { GuildStatus, ModelManagerApi } from '../../src/manager/types.js';
import { context, GUILD } from './fake-context.js';

function fakeLearning(overrides: Partial<Record<string, unknown>> = {}) {
  const calls: unknown[][] = [];
  const learning = new Proxy(
    {
      settings: () => ({ privacyMode: 'open', cleanMode: 'strip', replyChance: 5 }),
      listened: () => [],
      counts: () => ({ messages: 0, untrained: 0, bytes: 0 }),
      setListening: () => false,
      leave: () => 3,
      forgetMember: () => 2,
      forgetChannel: () => 7,
      ...overrides,
    } as Record<string, (...args: unknown[]) => unknown>,
    {
      get:
        (target, name: string) =>
        (...args: unknown[]) => {
          calls.push([name, ...args]);
          return target[name]?.(...args);
        },
    },
  );
  return { learning: learning as unknown as ChannelLearning, calls };
}

const channels = { enabled: true, checkReadable: () => {}, historySource: () => ({}) as never };

function learningContext(
  options: CommandContext['options'],
  learning: ChannelLearning,
  presses: ({ customId: string } | null)[] = [],
  extra: Partial<CommandContext> = {},
) {
  return context({}, options, presses, { learning, channels, ...extra });
}

async function refusal(run: Promise<unknown>) {
  try {
    await run;
  } catch (error) {
    if (isUserError(error)) return { code: error.code, ...error.params };
    throw error;
  }
  return null;
}

const contentOf = (log: { reply?: { content?: string } }[]) => log.map((entry) => entry.reply?.content);

describe('/listen through its context', () => {
  it('lists (the default without a subcommand): no channel yet, the privacy mode spelled out', async () => {
    const { learning } = fakeLearning();
    const { ctx, log } = learningContext({}, learning);
    await listen.execute(ctx);
    const [embed] = log[0].reply!.embeds!;
    expect(embed.description).toBe('None. Start with `/listen add`.');
    expect(embed.fields!.find((field) => field.value.startsWith('open:'))).toBeDefined();
  });

  it('lists listened channels, and says opt-in when members must join', async () => {
    const { learning } = fakeLearning({
      listened: () => ['111', '222'],
      settings: () => ({ privacyMode: 'opt-in', cleanMode: 'off', replyChance: 0 }),
    });
    const { ctx, log } = learningContext({ [SUBCOMMAND_OPTION]: 'list' }, learning);
    await listen.execute(ctx);
    const [embed] = log[0].reply!.embeds!;
    expect(embed.description).toBe('• <#111>\n• <#222>');
    expect(embed.fields!.some((field) => field.value.startsWith('open:'))).toBe(false);
  });

  it('says when a channel was already listened to, or was not', async () => {
    const { learning } = fakeLearning({ setListening: () => false });
    const added = learningContext({ [SUBCOMMAND_OPTION]: 'add', channel: '333' }, learning);
    await listen.execute(added.ctx);
    const removed = learningContext({ [SUBCOMMAND_OPTION]: 'remove' }, learning);
    await listen.execute(removed.ctx);
    expect(contentOf(added.log)[0]).toMatch(/^Already listening to <#333>/);
    expect(contentOf(removed.log)[0]).toMatch(/^<#c1> was not being listened to/);
  });

  it('refuses a clean mode that is not one of the three, and sets one that is', async () => {
    const { learning, calls } = fakeLearning();
    const bad = learningContext({ [SUBCOMMAND_OPTION]: 'clean', mode: 'scrub' }, learning);
    expect(await refusal(listen.execute(bad.ctx))).toEqual({
      code: 'INVALID_PARAMETER',
      name: 'mode',
      value: 'scrub',
      reason: 'strip | replace | off',
    });
    const good = learningContext({ [SUBCOMMAND_OPTION]: 'clean', mode: 'off' }, learning);
    await listen.execute(good.ctx);
    expect(calls).toContainEqual(['setCleanMode', GUILD, 'off']);
  });

  it('is refused while channel learning is off', async () => {
    const { learning } = fakeLearning();
    const off = learningContext({}, learning, [], { channels: { ...channels, enabled: false } });
    expect(await refusal(listen.execute(off.ctx))).toEqual({ code: 'CHANNELS_DISABLED' });
  });
});

describe('/privacy and /reply through their context', () => {
  it('/privacy mode refuses an unknown mode and sets open or opt-in', async () => {
    const { learning, calls } = fakeLearning();
    const bad = learningContext({ [SUBCOMMAND_OPTION]: 'mode', value: 'public' }, learning);
    expect(await refusal(privacy.execute(bad.ctx))).toMatchObject({
      code: 'INVALID_PARAMETER',
      reason: 'open | opt-in',
    });
    for (const mode of ['open', 'opt-in']) {
      const { ctx, log } = learningContext({ [SUBCOMMAND_OPTION]: 'mode', value: mode }, learning);
      await privacy.execute(ctx);
      expect(log).toHaveLength(1);
    }
    expect(calls.filter(([name]) => name === 'setPrivacyMode')).toEqual([
      ['setPrivacyMode', GUILD, 'open'],
      ['setPrivacyMode', GUILD, 'opt-in'],
    ]);
    const notManager = learningContext({ [SUBCOMMAND_OPTION]: 'mode', value: 'open' }, learning, [], {
      canManageGuild: false,
    });
    expect(await refusal(privacy.execute(notManager.ctx))).toMatchObject({ code: 'MISSING_PERMISSION' });
  });

  it('/reply refuses a missing or out-of-range chance, naming what was given', async () => {
    const { learning } = fakeLearning();
    for (const [chance, value] of [
      [undefined, ''],
      [-1, '-1'],
      [101, '101'],
    ] as const) {
      const { ctx } = learningContext(chance === undefined ? {} : { chance }, learning);
      expect(await refusal(reply.execute(ctx))).toEqual({
        code: 'INVALID_PARAMETER',
        name: 'chance',
        value,
        reason: '0–100',
      });
    }
  });
});

describe('/forget channel through its context', () => {
  it('needs a channel, and says so when the question expires or is cancelled', async () => {
    const { learning, calls } = fakeLearning();
    const none = learningContext({ [SUBCOMMAND_OPTION]: 'channel' }, learning);
    expect(await refusal(forget.execute(none.ctx))).toEqual({ code: 'GUILD_ONLY' });

    const expired = learningContext({ [SUBCOMMAND_OPTION]: 'channel', channel: '444' }, learning, [null]);
    await forget.execute(expired.ctx);
    expect(expired.log.map((entry) => entry.verb)).toEqual(['reply', 'edit']);

    const cancelled = learningContext({ [SUBCOMMAND_OPTION]: 'channel', channel: '444' }, learning, [
      { customId: 'forget:cancel' },
    ]);
    await forget.execute(cancelled.ctx);
    expect(cancelled.log.map((entry) => entry.verb)).toEqual(['reply', 'update:forget:cancel']);
    expect(calls.some(([name]) => name === 'forgetChannel')).toBe(false);
  });
});

describe('/status through its context', () => {
  const guildStatus = (extra: Partial<GuildStatus> = {}): GuildStatus => ({
    guildId: GUILD,
    active: { kind: 'none' },
    job: null,
    usage: { models: 0, bytes: 0 },
    limits: { maxModels: 10, maxBytes: 1e8, maxTrainingBytes: 1e7, maxAttachmentBytes: 8e6, maxFiles: 5 },
    ...extra,
  });

  it('shows an append training, and dashes for version and uptime outside the bot', async () => {
    const manager: Partial<ModelManagerApi> = {
      status: () =>
        guildStatus({
          job: {
            jobId: 'j1',
            user: { id: 'u1', name: 'Ana' },
            mode: 'append',
            progress: { jobId: 'j1', phase: 'count', fraction: 0.5, etaMs: null },
            startedAt: 1_234_000_000,
          },
        }),
      activeFileHealth: async () => 'none' as never,
    };
    const { ctx, log } = context(manager, {}, [], { bot: undefined });
    await status.execute(ctx);
    const fields = log[0].reply!.embeds![0].fields!;
    expect(fields.find((field) => field.name === 'Version')?.value).toBe('—');
    expect(fields.find((field) => field.name === 'Uptime')?.value).toBe('—');
    expect(fields.some((field) => field.value.includes('adding to the model'))).toBe(true);
  });
});
