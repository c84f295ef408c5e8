// Everything the fake Discord knows and has recorded: guilds, channels, registered commands,
// interactions, messages and files, plus the request log and the rule violations. REST, the
// gateway and the driving API all read and write this one object.
import { performance } from 'node:perf_hooks';
import { DiscordServerError, type Issue, type RuleName } from './errors.js';
import { SnowflakeGenerator, timestampOf } from './snowflake.js';

export type Json = Record<string, unknown>;

export interface ServerConfig {
  token: string;
  applicationId: string;
  botUsername: string;
  /** Discord rejects the first response after 3 s with 10062. */
  responseDeadlineMs: number;
  /** Interaction tokens (edits, follow-ups) stop working after 15 minutes. */
  tokenTtlMs: number;
  attachmentSizeLimit: number;
  heartbeatIntervalMs: number;
  shardsRecommended: number;
  maxConcurrency: number;
  /** Privileged intent bits the application has been granted in the developer portal. */
  grantedPrivilegedIntents: number;
  debug: boolean;
}

export interface GuildRecord {
  id: string;
  name: string;
  locale: string;
  ownerId: string;
  memberCount: number;
  channelIds: string[];
  joinedAt: string;
}

export interface ChannelRecord {
  id: string;
  guildId: string;
  name: string;
  type: number;
  position: number;
  /** A thread's channel (or a forum post's forum); null for top-level channels. */
  parentId?: string | null;
  /** Threads only: archived threads are not in GUILD_CREATE and are listed by their own endpoint. */
  archived?: boolean;
  /** Permission bits denied to the bot here (a member overwrite); threads also inherit their parent's. */
  botDeny?: bigint;
}

export interface StoredFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  bytes: Buffer;
  url: string;
  description?: string;
  channelId: string;
}

export type MessageKind = 'original' | 'followUp' | 'channel';

export interface MessageVersion {
  at: number;
  content: string;
  embeds: Json[];
  components: Json[];
  flags: number;
  attachments: string[];
}

/** A message the bot produced, in its current state, with every earlier version kept. */
export interface RecordedMessage {
  id: string;
  kind: MessageKind;
  channelId: string;
  guildId?: string;
  interactionId?: string;
  content: string;
  embeds: Json[];
  components: Json[];
  flags: number;
  /** Files with their bytes, as the bot uploaded them. */
  files: StoredFile[];
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
  versions: MessageVersion[];
}

export type InteractionKind = 'command' | 'autocomplete' | 'component' | 'modalSubmit';

export const INTERACTION_TYPE: Record<InteractionKind, number> = {
  command: 2,
  component: 3,
  autocomplete: 4,
  modalSubmit: 5,
};

export interface ResponseEvent {
  kind: 'callback' | 'edit' | 'followUp' | 'delete';
  /** Server clock (epoch ms, moves with `advanceClock`). */
  at: number;
  /** High-resolution time since the dispatch, in ms. */
  elapsedMs: number;
  callbackType?: number;
  messageId?: string;
}

export interface InteractionRecord {
  id: string;
  token: string;
  kind: InteractionKind;
  guildId: string;
  channelId: string;
  userId: string;
  shardId: number;
  createdAt: number;
  createdPerf: number;
  payload: Json;
  acknowledgement?: ResponseEvent;
  originalMessageId?: string;
  /** Component and modal interactions act on the message that carried the component. */
  sourceMessageId?: string;
  followUpIds: string[];
  events: ResponseEvent[];
  choices?: Json[];
  modal?: Json;
  requests: RequestRecord[];
  violations: Violation[];
  lastActivityPerf: number;
}

export interface RequestRecord {
  seq: number;
  at: number;
  method: string;
  /** Path below `/api/v10`, decoded (`@original`, not `%40original`), without the query. */
  path: string;
  query: Record<string, string>;
  /** The route template matched, e.g. `/interactions/{interaction}/{token}/callback`. */
  route: string | null;
  body: unknown;
  files: { field: string; filename: string; contentType: string; size: number }[];
  status: number;
  response: unknown;
  durationMs: number;
  fault?: 'rateLimit' | 'serverError' | 'delay';
  interactionId?: string;
}

export interface Violation {
  at: number;
  rule: RuleName;
  message: string;
  /** HTTP status, or the gateway close code. */
  status?: number;
  /** Discord's JSON error code. */
  code?: number;
  method?: string;
  path?: string;
  interactionId?: string;
  shardId?: number;
  issues: Issue[];
}

export interface GatewayLogEntry {
  at: number;
  shardId: number | null;
  sessionId: string | null;
  direction: 'send' | 'receive' | 'close';
  op: number;
  t?: string;
  s?: number;
  code?: number;
}

export interface StoredCommand extends Json {
  id: string;
  application_id: string;
  name: string;
  type: number;
  version: string;
}

const POLL_INTERVAL_MS = 5;

export class VirtualClock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  /** Moves the server's idea of time forward, so 3-second and 15-minute rules can be tested without waiting. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export class DiscordState {
  readonly clock = new VirtualClock();
  readonly ids = new SnowflakeGenerator(() => this.clock.now());
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  /** Keyed by `global` or a guild id. */
  readonly commands = new Map<string, StoredCommand[]>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly interactionsByToken = new Map<string, InteractionRecord>();
  readonly messages = new Map<string, RecordedMessage>();
  readonly files = new Map<string, StoredFile>();
  readonly requests: RequestRecord[] = [];
  readonly violations: Violation[] = [];
  readonly gatewayLog: GatewayLogEntry[] = [];
  readonly uploadChannelId: string;
  private readonly waiters = new Set<() => void>();
  private requestSeq = 0;
  baseUrl = '';

  constructor(readonly config: ServerConfig) {
    this.uploadChannelId = this.ids.next();
  }

  nextRequestSeq(): number {
    return ++this.requestSeq;
  }

  debug(line: string): void {
    if (this.config.debug) process.stderr.write(`[discord-server] ${line}\n`);
  }

  /** Wakes everything waiting on the recordings; called after each change. */
  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * Resolves with the first defined value of `check`, re-evaluated after every change (and every
   * few milliseconds when `poll`, for checks that also read state outside the server).
   */
  waitUntil<T>(
    check: () => T | undefined,
    timeoutMs: number,
    onTimeout: () => Error,
    { poll = true } = {},
  ): Promise<T> {
    const immediate = check();
    if (immediate !== undefined) return Promise.resolve(immediate);
    return new Promise<T>((resolve, reject) => {
      const waiter = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          finish();
          reject(error);
          return;
        }
        if (value === undefined) return;
        finish();
        resolve(value);
      };
      const timer = setTimeout(() => {
        finish();
        reject(onTimeout());
      }, timeoutMs);
      // Predicates may also look at things outside the server (what the bot saw, errors it
      // caught), which change without a notification: look again every few milliseconds.
      const poller = poll ? setInterval(waiter, POLL_INTERVAL_MS) : undefined;
      const finish = () => {
        clearTimeout(timer);
        clearInterval(poller);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  recordViolation(violation: Omit<Violation, 'at' | 'issues'> & { issues?: Issue[] }): Violation {
    const full: Violation = { at: this.clock.now(), issues: [], ...violation };
    this.violations.push(full);
    if (full.interactionId) this.interactions.get(full.interactionId)?.violations.push(full);
    this.debug(`violation ${full.rule}: ${full.message}${full.path ? ` (${full.method} ${full.path})` : ''}`);
    this.notify();
    return full;
  }

  recordResponseEvent(interaction: InteractionRecord, event: Omit<ResponseEvent, 'at' | 'elapsedMs'>): ResponseEvent {
    const now = performance.now();
    const full: ResponseEvent = { at: this.clock.now(), elapsedMs: now - interaction.createdPerf, ...event };
    interaction.events.push(full);
    interaction.lastActivityPerf = now;
    return full;
  }

  guild(id: string): GuildRecord {
    const guild = this.guilds.get(id);
    if (!guild) throw new DiscordServerError('UNKNOWN_GUILD', `no guild ${id}`, { guildId: id });
    return guild;
  }

  message(id: string): RecordedMessage {
    const message = this.messages.get(id);
    if (!message) throw new DiscordServerError('UNKNOWN_MESSAGE', `no message ${id}`, { messageId: id });
    return message;
  }

  commandsIn(scope: string): StoredCommand[] {
    return this.commands.get(scope) ?? [];
  }

  /** The registered definition a user would pick: the guild's own command first, then the global one. */
  findCommand(guildId: string, name: string, type = 1): StoredCommand | undefined {
    const matches = (command: StoredCommand) => command.name === name && command.type === type;
    return this.commandsIn(guildId).find(matches) ?? this.commandsIn('global').find(matches);
  }

  botUser(): Json {
    return {
      id: this.config.applicationId,
      username: this.config.botUsername,
      discriminator: '0',
      global_name: null,
      avatar: null,
      bot: true,
      system: false,
      public_flags: 0,
      flags: 0,
      verified: true,
      mfa_enabled: false,
    };
  }

  storeFile(file: Omit<StoredFile, 'id' | 'url'>): StoredFile {
    const id = this.ids.next();
    const url = `${this.baseUrl}/attachments/${file.channelId}/${id}/${encodeURIComponent(file.filename)}`;
    const stored: StoredFile = { ...file, id, url };
    this.files.set(id, stored);
    return stored;
  }

  apiAttachment(file: StoredFile): Json {
    return {
      id: file.id,
      filename: file.filename,
      size: file.size,
      url: file.url,
      proxy_url: file.url,
      content_type: file.contentType,
      ...(file.description !== undefined ? { description: file.description } : {}),
    };
  }

  apiChannel(channel: ChannelRecord): Json {
    return {
      id: channel.id,
      type: channel.type,
      guild_id: channel.guildId,
      name: channel.name,
      position: channel.position,
      permission_overwrites: channel.botDeny
        ? [{ id: this.config.applicationId, type: 1, allow: '0', deny: channel.botDeny.toString() }]
        : [],
      parent_id: channel.parentId ?? null,
      ...(channel.type === 10 || channel.type === 11 || channel.type === 12
        ? {
            owner_id: this.config.applicationId,
            message_count: 0,
            member_count: 1,
            thread_metadata: {
              archived: channel.archived ?? false,
              auto_archive_duration: 1440,
              // An archived thread was archived when it was made (its id's time): archived lists page by it.
              archive_timestamp: new Date(channel.archived ? timestampOf(channel.id) : 0).toISOString(),
              locked: false,
            },
          }
        : {}),
      topic: null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
    };
  }

  /** The message as Discord's API returns it. */
  apiMessage(message: RecordedMessage): Json {
    const interaction = message.interactionId ? this.interactions.get(message.interactionId) : undefined;
    const interactionMetadata = interaction
      ? {
          id: interaction.id,
          type: INTERACTION_TYPE[interaction.kind],
          user: (interaction.payload.member as Json | undefined)?.user,
          authorizing_integration_owners: { '0': interaction.guildId },
        }
      : undefined;
    return {
      id: message.id,
      type: message.kind === 'channel' ? 0 : message.kind === 'original' && interaction?.kind === 'command' ? 20 : 0,
      channel_id: message.channelId,
      ...(message.guildId ? { guild_id: message.guildId } : {}),
      author: this.botUser(),
      content: message.content,
      timestamp: new Date(message.createdAt).toISOString(),
      edited_timestamp: message.editedAt === null ? null : new Date(message.editedAt).toISOString(),
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      mention_channels: [],
      attachments: message.files.map((file) => this.apiAttachment(file)),
      embeds: message.embeds,
      reactions: [],
      pinned: false,
      flags: message.flags,
      components: message.components,
      ...(message.kind === 'channel'
        ? {}
        : { webhook_id: this.config.applicationId, application_id: this.config.applicationId }),
      ...(interactionMetadata ? { interaction_metadata: interactionMetadata } : {}),
    };
  }
}
