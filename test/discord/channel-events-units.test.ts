// ChannelEvents with a discord.js-shaped client (an EventEmitter) and plain message objects:
// which messages are learned from, edited or forgotten, and when the bot answers.
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ChannelEvents } from '../../src/discord/channel-events.js';
import { UserError } from '../../src/errors.js';

const SELF = '111222333444555666';

interface Sent {
  content: string;
  allowedMentions: unknown;
}

function setup(options: { generate?: () => Promise<{ text: string }>; chance?: number; selfId?: string | null } = {}) {
  const client = Object.assign(new EventEmitter(), {
    user: options.selfId === null ? null : { id: options.selfId ?? SELF },
  });
  const seen = { observed: [] as unknown[], edits: [] as unknown[][], deletes: [] as unknown[][] };
  const learning = {
    observe: (message: unknown) => {
      seen.observed.push(message);
      return true;
    },
    observeEdit: (...args: unknown[]) => seen.edits.push(args) > 0,
    observeDelete: (...args: unknown[]) => seen.deletes.push(args) > 0,
    replyChance: () => options.chance ?? 0,
  };
  const prompts: (string | undefined)[] = [];
  const manager = {
    generate: async (_guildId: string, request: { prompt?: string }) => {
      prompts.push(request.prompt);
      return options.generate ? options.generate() : { text: ' hola *mundo* @everyone ' };
    },
  };
  let now = 1_000_000;
  const events = new ChannelEvents({
    client: client as never,
    manager: manager as never,
    learning: learning as never,
    logger: pino({ level: 'silent' }),
    random: () => 0.5,
    now: () => now,
    cooldownMs: 10_000,
  });
  events.attach();
  return {
    client,
    events,
    seen,
    prompts,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function message(
  sent: Sent[],
  {
    inGuild = true,
    author = 'ana',
    bot = false,
    mentions = [] as string[],
    content = 'hola bot',
    canWrite = true,
    thread = false,
    locale = 'es-ES',
  } = {},
) {
  return {
    inGuild: () => inGuild,
    guildId: inGuild ? 'g1' : null,
    channelId: 'c1',
    id: `m-${sent.length}-${content}`,
    author: { id: author, bot },
    content,
    createdTimestamp: 5,
    mentions: { users: new Set(mentions) },
    guild: { preferredLocale: locale, members: { me: {} } },
    channel: {
      isThread: () => thread,
      parentId: thread ? 'parent-1' : null,
      permissionsFor: () => ({ has: () => canWrite }),
      send: async (payload: Sent) => {
        sent.push(payload);
      },
    },
  };
}

describe('ChannelEvents', () => {
  it('learns from every guild message (threads with their parent) and ignores direct messages', async () => {
    const { client, events, seen } = setup();
    const sent: Sent[] = [];
    client.emit('messageCreate', message(sent, { inGuild: false }));
    client.emit('messageCreate', message(sent, { thread: true, content: 'en un hilo' }));
    await events.idle();
    expect(seen.observed).toEqual([
      expect.objectContaining({ guildId: 'g1', channelId: 'c1', parentChannelId: 'parent-1', content: 'en un hilo' }),
    ]);
    expect(sent).toEqual([]);
  });

  it('answers a mention once per cooldown, escaped and without pinging, from the message without its mention', async () => {
    const { client, events, prompts, advance } = setup();
    const sent: Sent[] = [];
    client.emit('messageCreate', message(sent, { mentions: [SELF], content: `<@${SELF}> cuéntame algo` }));
    client.emit('messageCreate', message(sent, { mentions: [SELF], content: `<@${SELF}> otra vez` }));
    await events.idle();
    expect(sent).toEqual([{ content: 'hola \\*mundo\\* @everyone', allowedMentions: { parse: [] } }]);
    expect(prompts).toEqual(['cuéntame algo']);
    advance(10_000);
    client.emit('messageCreate', message(sent, { mentions: [SELF], content: `<@${SELF}>` }));
    await events.idle();
    expect(sent).toHaveLength(2);
    expect(prompts[1]).toBeUndefined(); // a bare mention generates from nothing
  });

  it('never answers itself, another bot, a channel it cannot write in, or when it has no user yet', async () => {
    const sent: Sent[] = [];
    const first = setup();
    first.client.emit('messageCreate', message(sent, { author: SELF, mentions: [SELF] }));
    first.client.emit('messageCreate', message(sent, { author: 'other-bot', bot: true, mentions: [SELF] }));
    first.client.emit('messageCreate', message(sent, { mentions: [SELF], canWrite: false }));
    await first.events.idle();
    const noUser = setup({ selfId: null });
    noUser.client.emit('messageCreate', message(sent, { mentions: [SELF] }));
    await noUser.events.idle();
    expect(sent).toEqual([]);
    expect(first.seen.observed).toHaveLength(3);
    expect(noUser.seen.observed).toHaveLength(1);
  });

  it('tells a mention that no model is loaded, in the server’s language; stays silent when only chance asked', async () => {
    const refuse = () => Promise.reject(new UserError('NO_MODEL_LOADED', {}));
    const mentioned = setup({ generate: refuse });
    const sent: Sent[] = [];
    mentioned.client.emit('messageCreate', message(sent, { mentions: [SELF], locale: 'es-ES' }));
    await mentioned.events.idle();
    expect(sent).toHaveLength(1);
    expect(sent[0].allowedMentions).toEqual({ parse: [] });
    expect(sent[0].content).toMatch(/modelo/);

    const byChance = setup({ generate: refuse, chance: 100 });
    const quiet: Sent[] = [];
    byChance.client.emit('messageCreate', message(quiet, { content: 'sin mención' }));
    await byChance.events.idle();
    expect(quiet).toEqual([]);
  });

  it('answers by chance, says nothing for an empty generation, and logs an unexpected failure', async () => {
    const byChance = setup({ chance: 100 });
    const sent: Sent[] = [];
    byChance.client.emit('messageCreate', message(sent, { content: 'sin mención' }));
    await byChance.events.idle();
    expect(sent).toHaveLength(1);

    const empty = setup({ generate: async () => ({ text: '   ' }) });
    const none: Sent[] = [];
    empty.client.emit('messageCreate', message(none, { mentions: [SELF] }));
    await empty.events.idle();
    expect(none).toEqual([]);

    const broken = setup({ generate: () => Promise.reject(new Error('worker died')) });
    broken.client.emit('messageCreate', message(none, { mentions: [SELF] }));
    await expect(broken.events.idle()).resolves.toBeUndefined();
    expect(none).toEqual([]);
  });

  it('records edits and deletions of guild messages, not of bots, direct messages or partial ones', async () => {
    const { client, events, seen } = setup();
    client.emit('messageUpdate', null, { guildId: 'g1', id: 'm1', content: 'editado', author: { bot: false } });
    client.emit('messageUpdate', null, { guildId: 'g1', id: 'm2', content: 'de un bot', author: { bot: true } });
    client.emit('messageUpdate', null, { guildId: 'g1', id: 'm3', content: null, author: null });
    client.emit('messageUpdate', null, { guildId: null, id: 'm4', content: 'privado' });
    client.emit('messageUpdate', null, { guildId: 'g1', id: 'm5', content: 'sin autor' });
    client.emit('messageDelete', { guildId: 'g1', id: 'm1' });
    client.emit('messageDelete', { guildId: null, id: 'm9' });
    await events.idle();
    expect(seen.edits).toEqual([
      ['g1', 'm1', 'editado'],
      ['g1', 'm5', 'sin autor'],
    ]);
    expect(seen.deletes).toEqual([['g1', 'm1']]);
  });
});
