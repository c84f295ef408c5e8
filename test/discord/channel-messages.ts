// What people write in channels, for bots that read them: each channel's timeline (users'
// messages and the bot's own, oldest first), the history endpoint's paging, the gateway's
// MESSAGE_CREATE / MESSAGE_UPDATE / MESSAGE_DELETE, the Message Content intent rule, the bot's
// permissions per channel, and the per-channel rate limit on messages the bot creates.
import { ApiError, DiscordServerError } from './errors.js';
import { INTENTS, type Gateway } from './gateway.js';
import { snowflakeAt } from './snowflake.js';
import type { ChannelRecord, DiscordState, Json, RecordedMessage } from './state.js';

/** The channel permission bits the bot's reading and writing depend on. */
export const CHANNEL_PERMISSIONS = {
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ReadMessageHistory: 1n << 16n,
} as const;
export type ChannelPermission = keyof typeof CHANNEL_PERMISSIONS;

/** Discord: 5 messages per 5 seconds per channel for a bot. */
export const CHANNEL_MESSAGE_RATE = { limit: 5, windowMs: 5_000 } as const;
export const HISTORY_PAGE = { default: 50, max: 100 } as const;

export interface MessageAuthor {
  id?: string;
  username?: string;
  bot?: boolean;
}

/** A message a user (or another bot) writes. */
export interface UserMessageInput {
  channelId: string;
  content: string;
  author?: MessageAuthor;
  /** Epoch ms of the message (its id is made from it); default now. Only for seeded history. */
  at?: number;
}

export interface UserMessage {
  id: string;
  channelId: string;
  guildId: string;
  author: Required<MessageAuthor>;
  content: string;
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
  /** Users mentioned with `<@id>` in the content (the bot included). */
  mentions: string[];
}

type TimelineEntry =
  | { id: bigint; user: UserMessage; bot?: undefined }
  | { id: bigint; bot: RecordedMessage; user?: undefined };

const isThread = (channel: ChannelRecord) => channel.type === 10 || channel.type === 11 || channel.type === 12;

export class ChannelMessages {
  private readonly timelines = new Map<string, TimelineEntry[]>();
  private readonly users = new Map<string, UserMessage>();
  private readonly sentAt = new Map<string, number[]>();
  /** Seeded messages get ids of their own instant; this keeps them unique within a millisecond. */
  private seedIncrement = 0;

  constructor(
    private readonly state: DiscordState,
    private readonly gateway: Gateway,
  ) {}

  // ------------------------------------------------------------------ permissions

  /**
   * The bot's channel permissions: everything an ordinary bot has, minus what the channel (or a thread's parent) denies
   * it.
   */
  botDenied(channel: ChannelRecord): bigint {
    const parent = channel.parentId ? this.state.channels.get(channel.parentId) : undefined;
    return (channel.botDeny ?? 0n) | (parent && isThread(channel) ? (parent.botDeny ?? 0n) : 0n);
  }

  missing(channel: ChannelRecord, permission: ChannelPermission): boolean {
    return (this.botDenied(channel) & CHANNEL_PERMISSIONS[permission]) !== 0n;
  }

  // ------------------------------------------------------------------ users write

  post(input: UserMessageInput, { dispatch = true } = {}): UserMessage {
    const channel = this.channel(input.channelId);
    const at = input.at ?? this.state.clock.now();
    const id = input.at === undefined ? this.state.ids.next() : snowflakeAt(at, this.seedIncrement++ & 4095, 2);
    const author = {
      id: input.author?.id ?? this.state.ids.next(),
      username: input.author?.username ?? 'member',
      bot: input.author?.bot ?? false,
    };
    const message: UserMessage = {
      id,
      channelId: channel.id,
      guildId: channel.guildId,
      author,
      content: input.content,
      createdAt: at,
      editedAt: null,
      deleted: false,
      mentions: [...input.content.matchAll(/<@!?(\d{17,20})>/g)].map((match) => match[1]),
    };
    this.users.set(id, message);
    this.insert(channel.id, { id: BigInt(id), user: message });
    if (dispatch)
      this.dispatch(message.guildId, 'MESSAGE_CREATE', (withContent) => this.apiUserMessage(message, withContent));
    this.state.notify();
    return message;
  }

  /** Many messages at once, oldest first, without dispatches: a channel's past. */
  seed(channelId: string, messages: Omit<UserMessageInput, 'channelId'>[]): UserMessage[] {
    return messages.map((message) => this.post({ ...message, channelId }, { dispatch: false }));
  }

  edit(messageId: string, content: string): UserMessage {
    const message = this.user(messageId);
    message.content = content;
    message.editedAt = this.state.clock.now();
    message.mentions = [...content.matchAll(/<@!?(\d{17,20})>/g)].map((match) => match[1]);
    this.dispatch(message.guildId, 'MESSAGE_UPDATE', (withContent) => this.apiUserMessage(message, withContent));
    this.state.notify();
    return message;
  }

  remove(messageId: string): void {
    const message = this.user(messageId);
    message.deleted = true;
    this.dispatch(message.guildId, 'MESSAGE_DELETE', () => ({
      id: message.id,
      channel_id: message.channelId,
      guild_id: message.guildId,
    }));
    this.state.notify();
  }

  userMessage(id: string): UserMessage | undefined {
    return this.users.get(id);
  }

  // ------------------------------------------------------------------ the bot writes

  /** A message the bot created in a channel: part of the timeline, and dispatched like any other. */
  botPosted(message: RecordedMessage): void {
    this.insert(message.channelId, { id: BigInt(message.id), bot: message });
    if (message.guildId) this.dispatch(message.guildId, 'MESSAGE_CREATE', () => this.state.apiMessage(message));
  }

  /**
   * The per-channel bucket for POST /channels/{id}/messages: the headers discord.js paces itself
   * with, or the 429 Discord answers when the bot sends a sixth message within 5 seconds.
   */
  takeSendSlot(channelId: string): { headers: Record<string, string> } {
    const now = this.state.clock.now();
    const recent = (this.sentAt.get(channelId) ?? []).filter((at) => now - at < CHANNEL_MESSAGE_RATE.windowMs);
    const resetAfterMs =
      recent.length > 0 ? CHANNEL_MESSAGE_RATE.windowMs - (now - recent[0]) : CHANNEL_MESSAGE_RATE.windowMs;
    if (recent.length >= CHANNEL_MESSAGE_RATE.limit) {
      this.sentAt.set(channelId, recent);
      const seconds = resetAfterMs / 1000;
      throw Object.assign(new ApiError(429, { code: 20028, message: 'You are being rate limited.' }, 'RATE_LIMITED'), {
        headers: {
          'Retry-After': String(seconds),
          'X-RateLimit-Limit': String(CHANNEL_MESSAGE_RATE.limit),
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset-After': String(seconds),
          'X-RateLimit-Bucket': `channel-messages-${channelId}`,
          'X-RateLimit-Scope': 'user',
        },
        retryAfter: seconds,
      });
    }
    recent.push(now);
    this.sentAt.set(channelId, recent);
    return {
      headers: {
        'X-RateLimit-Limit': String(CHANNEL_MESSAGE_RATE.limit),
        'X-RateLimit-Remaining': String(CHANNEL_MESSAGE_RATE.limit - recent.length),
        'X-RateLimit-Reset-After': String(Math.max(0.001, (CHANNEL_MESSAGE_RATE.windowMs - (now - recent[0])) / 1000)),
        'X-RateLimit-Bucket': `channel-messages-${channelId}`,
      },
    };
  }

  // ------------------------------------------------------------------ history

  /**
   * GET /channels/{id}/messages: newest first, at most `limit` (1–100, default 50) before or after
   * a message id (`before` wins when both are given, as `around` is not emulated).
   */
  history(channel: ChannelRecord, query: URLSearchParams): Json[] {
    const limit = Math.min(
      HISTORY_PAGE.max,
      Math.max(1, Number(query.get('limit') ?? HISTORY_PAGE.default) || HISTORY_PAGE.default),
    );
    const timeline = (this.timelines.get(channel.id) ?? []).filter((entry) => !(entry.user ?? entry.bot).deleted);
    const before = query.get('before');
    const after = query.get('after');
    let page: TimelineEntry[];
    if (before !== null) {
      const bound = BigInt(before);
      const end = lowerBound(timeline, bound);
      page = timeline.slice(Math.max(0, end - limit), end);
    } else if (after !== null) {
      const bound = BigInt(after);
      const start = lowerBound(timeline, bound + 1n);
      page = timeline.slice(start, start + limit);
    } else {
      page = timeline.slice(Math.max(0, timeline.length - limit));
    }
    const withContent = (this.state.config.grantedPrivilegedIntents & INTENTS.messageContent) !== 0;
    return page
      .reverse()
      .map((entry) => (entry.user ? this.apiUserMessage(entry.user, withContent) : this.state.apiMessage(entry.bot!)));
  }

  // ------------------------------------------------------------------ payloads

  /**
   * A user's message as Discord shows it; without the Message Content intent its content is empty, unless it mentions
   * the bot.
   */
  apiUserMessage(message: UserMessage, withContent: boolean): Json {
    const visible = withContent || message.mentions.includes(this.state.config.applicationId);
    return {
      id: message.id,
      type: 0,
      channel_id: message.channelId,
      guild_id: message.guildId,
      author: {
        id: message.author.id,
        username: message.author.username,
        discriminator: '0',
        global_name: null,
        avatar: null,
        bot: message.author.bot,
        public_flags: 0,
      },
      member: { roles: [], joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 },
      content: visible ? message.content : '',
      timestamp: new Date(message.createdAt).toISOString(),
      edited_timestamp: message.editedAt === null ? null : new Date(message.editedAt).toISOString(),
      tts: false,
      mention_everyone: false,
      mentions: message.mentions.map((id) =>
        id === this.state.config.applicationId
          ? this.state.botUser()
          : {
              id,
              username: `user${id.slice(-4)}`,
              discriminator: '0',
              global_name: null,
              avatar: null,
              public_flags: 0,
            },
      ),
      mention_roles: [],
      attachments: [],
      embeds: [],
      reactions: [],
      pinned: false,
      flags: 0,
      components: [],
    };
  }

  private dispatch(guildId: string, t: string, payload: (withContent: boolean) => Json): void {
    const session = this.gateway.sessionForGuild(guildId);
    if (!session || (session.intents & INTENTS.guildMessages) === 0) return;
    // The intent Discord checks is the one the session asked for (and was allowed to).
    this.gateway.dispatch(session, t, payload((session.intents & INTENTS.messageContent) !== 0));
  }

  private insert(channelId: string, entry: TimelineEntry): void {
    const timeline = this.timelines.get(channelId) ?? [];
    const last = timeline[timeline.length - 1];
    if (!last || last.id < entry.id) timeline.push(entry);
    else timeline.splice(lowerBound(timeline, entry.id), 0, entry);
    this.timelines.set(channelId, timeline);
  }

  private channel(id: string): ChannelRecord {
    const channel = this.state.channels.get(id);
    if (!channel) throw new DiscordServerError('UNKNOWN_CHANNEL', `no channel ${id}`, { channelId: id });
    return channel;
  }

  private user(id: string): UserMessage {
    const message = this.users.get(id);
    if (!message || message.deleted)
      throw new DiscordServerError('UNKNOWN_MESSAGE', `no user message ${id}`, { messageId: id });
    return message;
  }
}

/** First index whose id is ≥ `id`. */
function lowerBound(timeline: TimelineEntry[], id: bigint): number {
  let low = 0;
  let high = timeline.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (timeline[middle].id < id) low = middle + 1;
    else high = middle;
  }
  return low;
}
