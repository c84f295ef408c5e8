// A channel's history as a training source — with its threads (active, then archived), and for a forum
// its posts (active, then archived): the permission check happens when the
// command asks (so a missing permission is answered at once, naming it), the fetching when the
// training's job runs (so it shows as the job's download phase, and is cancelled with it). Pages
// of 100 messages, newest first, through discord.js's REST client (which keeps to Discord's rate
// limits); messages by bots (this one included) and empty ones are left out.
import { ChannelType, PermissionFlagsBits, Routes, type Client, type GuildBasedChannel } from 'discord.js';
import type { ChannelAccess, ChannelHistoryRequest } from '../commands/context.js';
import { UserError, type ErrorParamsOf } from '../errors.js';
import type { TrainingSource } from '../manager/types.js';

import { MAX_HISTORY_LIMIT } from '../commands/channel-source.js';

const HISTORY_PAGE_SIZE = 100;

/** The permissions reading a history needs, in the order they are checked and named. */
/** The permissions a channel's reading and replying need, as CHANNEL_PERMISSION_MISSING names them. */
type ChannelPermission = ErrorParamsOf['CHANNEL_PERMISSION_MISSING']['permission'];

const READ_PERMISSIONS = [
  ['ViewChannel', PermissionFlagsBits.ViewChannel],
  ['ReadMessageHistory', PermissionFlagsBits.ReadMessageHistory],
] as const;

/** What reading a history needs of a channel or thread: discord.js's, or one listed by the API. */
interface HistoryChannel {
  id: string;
  name: string;
}

interface ApiThread {
  id: string;
  name?: string;
  thread_metadata?: { archive_timestamp?: string };
}

/** Archived threads listed at most (100 per page): older ones are left out. */
const MAX_ARCHIVED_PAGES = 10;

interface ApiMessage {
  id: string;
  content?: string;
  timestamp?: string;
  author?: { id: string; bot?: boolean };
}

export class DiscordChannels implements ChannelAccess {
  constructor(
    private readonly client: Client,
    private on: boolean,
  ) {}

  get enabled(): boolean {
    return this.on;
  }

  /** Discord refused the Message Content intent: channel learning stays off until a restart. */
  disable(): void {
    this.on = false;
  }

  /** A text channel, announcement channel, forum or thread (forum posts are threads) of this guild. */
  channelOf(guildId: string, channelId: string): GuildBasedChannel {
    const channel = this.client.channels.cache.get(channelId);
    if (
      !channel ||
      channel.isDMBased() ||
      channel.guildId !== guildId ||
      !(channel.isTextBased() || channel.type === ChannelType.GuildForum)
    ) {
      throw new UserError('CHANNEL_UNAVAILABLE', { channel: channelId });
    }
    return channel;
  }

  /** The first of `permissions` the bot lacks in the channel, or null. */
  missingPermission(
    channel: GuildBasedChannel,
    permissions: readonly (readonly [ChannelPermission, bigint])[] = READ_PERMISSIONS,
  ): ChannelPermission | null {
    const me = channel.guild.members.me;
    const granted = me ? channel.permissionsFor(me) : null;
    // Without our member in the cache, let the request itself find out (403 → ViewChannel).
    if (!granted) return null;
    for (const [name, bit] of permissions) if (!granted.has(bit)) return name;
    return null;
  }

  checkReadable(guildId: string, channelId: string): void {
    if (!this.enabled) throw new UserError('CHANNELS_DISABLED', {});
    const channel = this.channelOf(guildId, channelId);
    const missing = this.missingPermission(channel, READ_PERMISSIONS.slice(0, 1));
    if (missing) throw new UserError('CHANNEL_PERMISSION_MISSING', { channel: channel.name, permission: missing });
  }

  /**
   * The channel's active threads (a forum's posts) that discord.js knows: GUILD_CREATE and THREAD_CREATE bring them.
   */
  private activeThreadsOf(channel: GuildBasedChannel): GuildBasedChannel[] {
    if (channel.isThread()) return [];
    return [...channel.guild.channels.cache.values()].filter(
      (candidate) => candidate.isThread() && candidate.parentId === channel.id && !candidate.archived,
    );
  }

  /**
   * The channel's archived public threads (a forum's archived posts), newest archived first,
   * paged through `GET /channels/{id}/threads/archived/public` by archive time. Without Read
   * Message History Discord refuses the list: then only the active threads are read.
   */
  private async archivedThreadsOf(channel: GuildBasedChannel, signal?: AbortSignal): Promise<HistoryChannel[]> {
    if (channel.isThread()) return [];
    const threads: HistoryChannel[] = [];
    let before: string | undefined;
    for (let page = 0; page < MAX_ARCHIVED_PAGES; page++) {
      signal?.throwIfAborted();
      const query = new URLSearchParams({ limit: String(HISTORY_PAGE_SIZE) });
      if (before) query.set('before', before);
      let body: { threads?: ApiThread[]; has_more?: boolean };
      try {
        body = (await this.client.rest.get(Routes.channelThreads(channel.id, 'public'), { query })) as typeof body;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 50001 || code === 50013) return threads;
        throw error;
      }
      const listed = body.threads ?? [];
      threads.push(...listed.map((thread) => ({ id: thread.id, name: thread.name ?? thread.id })));
      const last = listed.at(-1)?.thread_metadata?.archive_timestamp;
      if (!body.has_more || !last) break;
      before = last;
    }
    return threads;
  }

  /** One page of 100, newest first; Discord's refusals become the bot's own errors. */
  private async page(channel: HistoryChannel, query: URLSearchParams): Promise<ApiMessage[]> {
    try {
      // No signal here: discord.js keeps one abort listener per request on it; the loop checks it per page.
      return (await this.client.rest.get(Routes.channelMessages(channel.id), { query })) as ApiMessage[];
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 50001)
        throw new UserError('CHANNEL_PERMISSION_MISSING', { channel: channel.name, permission: 'ViewChannel' });
      if (code === 50013)
        throw new UserError('CHANNEL_PERMISSION_MISSING', { channel: channel.name, permission: 'ReadMessageHistory' });
      if (code === 10003) throw new UserError('CHANNEL_UNAVAILABLE', { channel: channel.name });
      throw error;
    }
  }

  historySource(guildId: string, channelId: string, request: ChannelHistoryRequest): TrainingSource {
    if (!this.enabled) throw new UserError('CHANNELS_DISABLED', {});
    const channel = this.channelOf(guildId, channelId);
    const missing = this.missingPermission(channel);
    if (missing) throw new UserError('CHANNEL_PERMISSION_MISSING', { channel: channel.name, permission: missing });
    const limit = Math.min(MAX_HISTORY_LIMIT, Math.max(1, Math.floor(request.limit)));
    return {
      // The extension makes it a JSON export of messages: one message per item, cleaned one by one.
      name: `channel-${channel.name}.json`,
      size: 0,
      contentType: 'application/json',
      clean: request.clean,
      produce: async ({ signal, maxBytes, tooLarge, onFraction }) => {
        const pieces: string[] = [];
        let bytes = 2;
        let seen = 0;
        const now = Date.now();
        const report = (oldest: number | null) => {
          const byTime =
            request.since !== null && oldest !== null && now > request.since
              ? (now - oldest) / (now - request.since)
              : 0;
          onFraction(Math.min(1, Math.max(seen / limit, Number.isFinite(byTime) ? byTime : 0)));
        };
        // The channel itself (a forum has no messages of its own), then its active threads or posts,
        // then the archived ones, sharing one limit.
        const sources: HistoryChannel[] = [
          ...(channel.type === ChannelType.GuildForum ? [] : [channel]),
          ...this.activeThreadsOf(channel),
        ];
        const known = new Set(sources.map((source) => source.id));
        if (seen < limit) {
          for (const thread of await this.archivedThreadsOf(channel, signal))
            if (!known.has(thread.id)) sources.push(thread);
        }
        for (const source of sources) {
          let before: string | undefined;
          while (seen < limit) {
            signal?.throwIfAborted();
            const query = new URLSearchParams({ limit: String(Math.min(HISTORY_PAGE_SIZE, limit - seen)) });
            if (before) query.set('before', before);
            const page = await this.page(source, query);
            signal?.throwIfAborted();
            if (page.length === 0) break;
            let reachedSince = false;
            for (const message of page) {
              const at = message.timestamp ? Date.parse(message.timestamp) : now;
              if (request.since !== null && at < request.since) {
                reachedSince = true;
                break;
              }
              seen += 1;
              if (message.author?.bot || !message.content) continue;
              const piece = JSON.stringify(message.content);
              bytes += Buffer.byteLength(piece) + 1;
              if (bytes > maxBytes) throw tooLarge(bytes);
              pieces.push(piece);
            }
            before = page[page.length - 1].id;
            report(Date.parse(page[page.length - 1].timestamp ?? ''));
            if (reachedSince || page.length < Number(query.get('limit'))) break;
          }
        }
        if (pieces.length === 0) throw new UserError('CHANNEL_EMPTY', { channel: channel.name });
        onFraction(1);
        // Oldest first, as the conversation went.
        pieces.reverse();
        return new TextEncoder().encode(`[${pieces.join(',')}]`);
      },
    };
  }
}
