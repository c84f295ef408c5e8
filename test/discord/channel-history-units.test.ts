// DiscordChannels with a discord.js-shaped client: which channels it refuses, which permission it
// names, and how it pages a history (threads, archived threads, since, size limit, Discord's refusals).
import { ChannelType, PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { DiscordChannels } from '../../src/discord/channel-history.js';
import { isUserError, UserError } from '../../src/errors.js';

type Get = (route: string, options: { query: URLSearchParams }) => Promise<unknown>;

interface FakeChannelSpec {
  id: string;
  name?: string;
  guildId?: string;
  type?: ChannelType;
  dm?: boolean;
  text?: boolean;
  thread?: boolean;
  parentId?: string;
  archived?: boolean;
}

function world(specs: FakeChannelSpec[], get: Get, { granted = [] as bigint[] | null, me = true } = {}) {
  const cache = new Map<string, unknown>();
  const guild = { members: { me: me ? {} : null }, channels: { cache } };
  for (const spec of specs) {
    cache.set(spec.id, {
      id: spec.id,
      name: spec.name ?? spec.id,
      guildId: spec.guildId ?? 'g1',
      type: spec.type ?? ChannelType.GuildText,
      guild,
      parentId: spec.parentId ?? null,
      archived: spec.archived ?? false,
      isDMBased: () => spec.dm ?? false,
      isTextBased: () => spec.text ?? true,
      isThread: () => spec.thread ?? false,
      permissionsFor: () => (granted === null ? null : { has: (bit: bigint) => granted.includes(bit) }),
    });
  }
  return { channels: { cache }, rest: { get } };
}

const ALL = [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.ReadMessageHistory];
const none: Get = async () => [];

function refusal(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
  throw new Error('did not throw');
}

async function rejection(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    if (isUserError(error)) return error;
    throw error;
  }
  throw new Error('did not reject');
}

const produceArgs = (maxBytes = 1_000_000) => ({
  maxBytes,
  tooLarge: (bytes: number) => new UserError('ATTACHMENT_TOO_LARGE', { name: 'channel', bytes, limit: maxBytes }),
  onFraction: () => {},
});

function messages(prefix: string, count: number, from = 0, extra: Record<string, unknown> = {}) {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${from + i}`,
    content: `${prefix} ${from + i}`,
    timestamp: new Date(Date.UTC(2026, 0, 1) - (from + i) * 60_000).toISOString(),
    author: { id: 'u1' },
    ...extra,
  }));
}

describe('DiscordChannels refusals', () => {
  const channels = new DiscordChannels(
    world(
      [
        { id: 'text' },
        { id: 'dm', dm: true },
        { id: 'other', guildId: 'g2' },
        { id: 'voice', text: false, type: ChannelType.GuildVoice },
      ],
      none,
      { granted: [PermissionFlagsBits.ViewChannel] },
    ) as never,
    true,
  );

  it('refuses a channel it does not know, a direct message, another server’s channel and a voice channel', () => {
    for (const id of ['missing', 'dm', 'other', 'voice']) {
      expect(refusal(() => channels.checkReadable('g1', id)).code).toBe('CHANNEL_UNAVAILABLE');
    }
    expect(
      refusal(() => channels.historySource('g1', 'voice', { limit: 10, since: null, clean: 'off' })).params,
    ).toEqual({ channel: 'voice' });
  });

  it('names the first permission missing: a check needs View Channel, a history also Read Message History', () => {
    expect(() => channels.checkReadable('g1', 'text')).not.toThrow();
    const error = refusal(() => channels.historySource('g1', 'text', { limit: 10, since: null, clean: 'off' }));
    expect(error.code).toBe('CHANNEL_PERMISSION_MISSING');
    expect(error.params).toEqual({ channel: 'text', permission: 'ReadMessageHistory' });
    const blind = new DiscordChannels(world([{ id: 'text' }], none, { granted: [] }) as never, true);
    expect(refusal(() => blind.checkReadable('g1', 'text')).params).toEqual({
      channel: 'text',
      permission: 'ViewChannel',
    });
  });

  it('leaves the permission to the request when its own member is not cached', () => {
    const unknownMe = new DiscordChannels(world([{ id: 'text' }], none, { me: false }) as never, true);
    expect(() => unknownMe.historySource('g1', 'text', { limit: 5, since: null, clean: 'off' })).not.toThrow();
  });

  it('refuses everything once disabled', () => {
    const off = new DiscordChannels(world([{ id: 'text' }], none) as never, true);
    off.disable();
    expect(off.enabled).toBe(false);
    expect(refusal(() => off.checkReadable('g1', 'text')).code).toBe('CHANNELS_DISABLED');
    expect(refusal(() => off.historySource('g1', 'text', { limit: 5, since: null, clean: 'off' })).code).toBe(
      'CHANNELS_DISABLED',
    );
  });
});

describe('DiscordChannels history', () => {
  it('reads a forum’s active and archived posts (not the forum itself), pages archived lists, skips bots and empty messages', async () => {
    const routes: string[] = [];
    const get: Get = async (route, { query }) => {
      routes.push(`${route}?${query}`);
      if (route === '/channels/forum/threads/archived/public') {
        if (!query.has('before'))
          return {
            threads: [{ id: 'old1', name: 'Old one', thread_metadata: { archive_timestamp: '2025-06-01T00:00:00Z' } }],
            has_more: true,
          };
        return { threads: [{ id: 'post' }, { id: 'old2' }], has_more: false };
      }
      if (route === '/channels/post/messages')
        return [
          ...messages('post', 2),
          { id: 'b', content: 'from a bot', author: { id: 'bot', bot: true } },
          { id: 'e', content: '', author: { id: 'u2' } },
        ];
      if (route === '/channels/old1/messages') return [{ id: 'x', content: 'no timestamp', author: { id: 'u1' } }];
      if (route === '/channels/old2/messages') return [];
      throw new Error(`unexpected ${route}`);
    };
    const channels = new DiscordChannels(
      world(
        [
          { id: 'forum', type: ChannelType.GuildForum },
          { id: 'post', thread: true, parentId: 'forum' },
        ],
        get,
        {
          granted: ALL,
        },
      ) as never,
      true,
    );
    const source = channels.historySource('g1', 'forum', { limit: 50, since: null, clean: 'off' });
    expect(source.name).toBe('channel-forum.json');
    const fractions: number[] = [];
    const bytes = await source.produce!({ ...produceArgs(), onFraction: (f) => fractions.push(f) });
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual(['no timestamp', 'post 1', 'post 0']);
    expect(routes).toEqual([
      '/channels/forum/threads/archived/public?limit=100',
      '/channels/forum/threads/archived/public?limit=100&before=2025-06-01T00%3A00%3A00Z',
      '/channels/post/messages?limit=50',
      '/channels/old1/messages?limit=46',
      '/channels/old2/messages?limit=45',
    ]);
    expect(fractions.at(-1)).toBe(1);
  });

  it('stops at `since` and at the limit, paging with `before`', async () => {
    const routes: string[] = [];
    const since = Date.UTC(2026, 0, 1) - 149 * 60_000;
    const get: Get = async (route, { query }) => {
      routes.push(`${query}`);
      if (route.includes('/threads/')) return { threads: [] };
      const before = query.get('before');
      return (before === null ? messages('m', 100) : messages('m', 100, 100)).slice(0, Number(query.get('limit')));
    };
    const channels = new DiscordChannels(world([{ id: 'text' }], get, { granted: ALL }) as never, true);
    const bySince = channels.historySource('g1', 'text', { limit: 1000, since, clean: 'off' });
    const texts = JSON.parse(new TextDecoder().decode(await bySince.produce!(produceArgs()))) as string[];
    expect(texts).toHaveLength(150);
    expect(routes).toEqual(['limit=100', 'limit=100', 'limit=100&before=m99']); // the archived list, then two pages

    routes.length = 0;
    const byLimit = channels.historySource('g1', 'text', { limit: 120, since: null, clean: 'off' });
    expect(JSON.parse(new TextDecoder().decode(await byLimit.produce!(produceArgs())))).toHaveLength(120);
    expect(routes).toEqual(['limit=100', 'limit=100', 'limit=20&before=m99']); // the archived list, then two pages
  });

  it('turns Discord’s refusals into the bot’s errors, and reads only active threads when archived ones are refused', async () => {
    const failing =
      (code: number): Get =>
      async (route) => {
        if (route.includes('/threads/')) throw Object.assign(new Error('Missing Permissions'), { code: 50013 });
        throw Object.assign(new Error('refused'), { code });
      };
    const expectations: [number, string, Record<string, unknown>][] = [
      [50001, 'CHANNEL_PERMISSION_MISSING', { channel: 'text', permission: 'ViewChannel' }],
      [50013, 'CHANNEL_PERMISSION_MISSING', { channel: 'text', permission: 'ReadMessageHistory' }],
      [10003, 'CHANNEL_UNAVAILABLE', { channel: 'text' }],
    ];
    for (const [code, expected, params] of expectations) {
      const channels = new DiscordChannels(world([{ id: 'text' }], failing(code), { granted: ALL }) as never, true);
      const source = channels.historySource('g1', 'text', { limit: 10, since: null, clean: 'off' });
      const error = await rejection(source.produce!(produceArgs()));
      expect([error.code, error.params]).toEqual([expected, params]);
    }
    const other = new DiscordChannels(world([{ id: 'text' }], failing(500), { granted: ALL }) as never, true);
    await expect(
      other.historySource('g1', 'text', { limit: 10, since: null, clean: 'off' }).produce!(produceArgs()),
    ).rejects.toThrow('refused');
  });

  it('refuses a history larger than the limit, and one with no text', async () => {
    const get: Get = async (route) => (route.includes('/threads/') ? { threads: [] } : messages('long text', 10));
    const channels = new DiscordChannels(world([{ id: 'text' }], get, { granted: ALL }) as never, true);
    const tooLarge = await rejection(
      channels.historySource('g1', 'text', { limit: 10, since: null, clean: 'off' }).produce!(produceArgs(40)),
    );
    expect(tooLarge.code).toBe('ATTACHMENT_TOO_LARGE');
    const empty = new DiscordChannels(
      world([{ id: 'text' }], async (route) => (route.includes('/threads/') ? { threads: [] } : []), {
        granted: ALL,
      }) as never,
      true,
    );
    const error = await rejection(
      empty.historySource('g1', 'text', { limit: 10, since: null, clean: 'off' }).produce!(produceArgs()),
    );
    expect([error.code, error.params]).toEqual(['CHANNEL_EMPTY', { channel: 'text' }]);
  });

  it('stops when the training is cancelled', async () => {
    const controller = new AbortController();
    const get: Get = async (route) => {
      if (route.includes('/threads/')) return { threads: [] };
      controller.abort(new Error('cancelled'));
      return messages('m', 100);
    };
    const channels = new DiscordChannels(world([{ id: 'text' }], get, { granted: ALL }) as never, true);
    const source = channels.historySource('g1', 'text', { limit: 500, since: null, clean: 'off' });
    await expect(source.produce!({ ...produceArgs(), signal: controller.signal })).rejects.toThrow('cancelled');
  });
});
