// A local Discord for end-to-end tests: HTTP API v10 and Gateway v10 on 127.0.0.1, so the real
// discord.js client logs in and handles real interactions. Tests drive users (commands,
// autocomplete, clicks, modals), inject faults, and assert on what the bot sent.
//
//   const server = await startDiscordServer({ guilds: 3 });
//   const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: server.apiBase } });
//   await client.login(server.token);
//   const handle = server.invoke({ commandName: 'ping' });
//   const { original } = await handle.settled();
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CHANNEL_PERMISSIONS,
  ChannelMessages,
  type ChannelPermission,
  type UserMessage,
  type UserMessageInput,
} from './channel-messages.js';
import { DiscordServerError, type RuleName } from './errors.js';
import { FaultInjector, type FaultAction, type FaultHandle, type FaultMatch } from './faults.js';
import { Gateway, INTENTS } from './gateway.js';
import {
  InteractionDriver,
  type ApiAttachment,
  type AutocompleteInvocation,
  type CommandInvocation,
  type ComponentInvocation,
  type InteractionHandle,
  type ModalSubmission,
} from './interactions.js';
import { RestApi } from './rest.js';
import { shardOf, snowflakeAt } from './snowflake.js';
import {
  DiscordState,
  type ChannelRecord,
  type GatewayLogEntry,
  type GuildRecord,
  type RecordedMessage,
  type RequestRecord,
  type ServerConfig,
  type StoredCommand,
  type Violation,
} from './state.js';

export interface ChannelSeed {
  id?: string;
  name?: string;
  /** 0 = text channel (the default), 11 = public thread, 15 = forum (its posts are threads). */
  type?: number;
  /** For a thread or forum post: the id of its channel or forum (seeded before it). */
  parentId?: string;
  /** Permissions the bot lacks in this channel (threads inherit their parent's). */
  botDenied?: ChannelPermission[];
  /** For a thread or forum post: archived (not in GUILD_CREATE; listed by /threads/archived/public). */
  archived?: boolean;
}

export interface GuildSeed {
  id?: string;
  name?: string;
  /** The guild's preferred locale (`interaction.guildLocale`). */
  locale?: string;
  memberCount?: number;
  channels?: ChannelSeed[];
}

export type PrivilegedIntent = 'GuildMembers' | 'GuildPresences' | 'MessageContent';

export interface DiscordServerOptions {
  token?: string;
  applicationId?: string;
  botUsername?: string;
  /** A number of generated guilds, or explicit ones; default 1. */
  guilds?: number | GuildSeed[];
  /** `shards` in `GET /gateway/bot`, which discord.js uses with `shards: 'auto'`; default 1. */
  shardsRecommended?: number;
  /** `session_start_limit.max_concurrency`; high by default so several shards identify at once. */
  maxConcurrency?: number;
  /** Default 3000, Discord's limit for the first response. */
  responseDeadlineMs?: number;
  /** Default 15 minutes, Discord's interaction token lifetime. */
  tokenTtlMs?: number;
  /** Default 10 MiB. */
  attachmentSizeLimit?: number;
  /** Default 41250, as Discord sends. */
  heartbeatIntervalMs?: number;
  privilegedIntents?: PrivilegedIntent[];
  /** Log requests and gateway traffic to stderr; default from DISCORD_SERVER_DEBUG=1. */
  debug?: boolean;
  /** Default 0: an ephemeral port. Fixed ports are for running the server by hand (serve.ts). */
  port?: number;
}

export type { ChannelPermission, UserMessage, UserMessageInput };
export type {
  ApiAttachment,
  InteractionHandle,
  RecordedMessage,
  RequestRecord,
  Violation,
  GuildRecord,
  ChannelRecord,
  StoredCommand,
  GatewayLogEntry,
};
export type {
  CommandInvocation,
  AutocompleteInvocation,
  ComponentInvocation,
  ModalSubmission,
  FaultMatch,
  FaultAction,
  FaultHandle,
  RuleName,
};

const PRIVILEGED_BITS: Record<PrivilegedIntent, number> = {
  GuildMembers: INTENTS.guildMembers,
  GuildPresences: INTENTS.guildPresences,
  MessageContent: INTENTS.messageContent,
};
// Generated guilds get ids one millisecond apart from this instant, so `(id >> 22) % n` deals
// them round-robin over the shards.
const GUILD_EPOCH_MS = Date.UTC(2020, 0, 1);

export class DiscordServer {
  private readonly state: DiscordState;
  private readonly gateway: Gateway;
  private readonly faults = new FaultInjector();
  private readonly driver: InteractionDriver;
  private readonly talk: ChannelMessages;
  private readonly http: Server;
  private closed = false;
  private generatedGuilds = 0;
  private readonly port: number;

  constructor(options: DiscordServerOptions = {}) {
    this.port = options.port ?? 0;
    const applicationId = options.applicationId ?? snowflakeAt(Date.UTC(2023, 5, 1), 7);
    const config: ServerConfig = {
      applicationId,
      token:
        options.token ??
        `${Buffer.from(applicationId).toString('base64url')}.${randomBytes(4).toString('base64url')}.${randomBytes(27).toString('base64url')}`,
      botUsername: options.botUsername ?? 'UltraTestBot',
      responseDeadlineMs: options.responseDeadlineMs ?? 3000,
      tokenTtlMs: options.tokenTtlMs ?? 15 * 60_000,
      attachmentSizeLimit: options.attachmentSizeLimit ?? 10 * 1024 * 1024,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      shardsRecommended: options.shardsRecommended ?? 1,
      maxConcurrency: options.maxConcurrency ?? 16,
      grantedPrivilegedIntents: (options.privilegedIntents ?? []).reduce(
        (bits, name) => bits | PRIVILEGED_BITS[name],
        0,
      ),
      debug: options.debug ?? process.env.DISCORD_SERVER_DEBUG === '1',
    };
    this.state = new DiscordState(config);
    this.gateway = new Gateway(this.state);
    this.driver = new InteractionDriver(this.state, this.gateway);
    this.talk = new ChannelMessages(this.state, this.gateway);
    const rest = new RestApi(this.state, this.gateway, this.faults, this.talk);
    this.http = createServer((request, response) => {
      void rest.handle(request, response);
    });
    this.http.on('upgrade', (request, socket, head: Buffer) => this.gateway.handleUpgrade(request, socket, head));
    const seeds =
      typeof options.guilds === 'number'
        ? Array.from({ length: options.guilds }, () => ({}))
        : (options.guilds ?? [{}]);
    for (const seed of seeds) this.createGuild(seed);
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.port, '127.0.0.1', () => resolve());
    });
    const { port } = this.http.address() as AddressInfo;
    this.state.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  // ------------------------------------------------------------------ identity and addresses

  /** `http://127.0.0.1:<port>`; the CDN lives here too. */
  get url(): string {
    return this.state.baseUrl;
  }
  /** What discord.js wants as `rest.api`: it appends `/v10` itself. */
  get apiBase(): string {
    return `${this.state.baseUrl}/api`;
  }
  get gatewayUrl(): string {
    return this.gateway.url;
  }
  get token(): string {
    return this.state.config.token;
  }
  get applicationId(): string {
    return this.state.config.applicationId;
  }
  get config(): Readonly<ServerConfig> {
    return this.state.config;
  }
  /** The user that interacts when a test does not say who. */
  get defaultUser(): { id: string; username: string; globalName: string | null } {
    return this.driver.defaultUser;
  }

  // ------------------------------------------------------------------ world

  get guilds(): GuildRecord[] {
    return [...this.state.guilds.values()];
  }

  channelsOf(guildId: string): ChannelRecord[] {
    return this.state.guild(guildId).channelIds.map((id) => this.state.channels.get(id)!);
  }

  guildsOnShard(shardId: number, shardCount: number): GuildRecord[] {
    return this.guilds.filter((guild) => shardOf(guild.id, shardCount) === shardId);
  }

  /** Adds a guild; if the bot is connected, its shard receives GUILD_CREATE (the bot was invited). */
  addGuild(seed: GuildSeed = {}): GuildRecord {
    const guild = this.createGuild(seed);
    const shardCount = this.gateway.currentShardCount();
    if (shardCount !== null && this.gateway.session(shardOf(guild.id, shardCount))) {
      this.gateway.dispatchToGuild(guild.id, 'GUILD_CREATE', this.gateway.guildCreatePayload(guild.id));
    }
    return guild;
  }

  private createGuild(seed: GuildSeed): GuildRecord {
    const index = this.generatedGuilds++;
    const id = seed.id ?? snowflakeAt(GUILD_EPOCH_MS + index, 1);
    const guild: GuildRecord = {
      id,
      name: seed.name ?? `Guild ${index + 1}`,
      locale: seed.locale ?? 'en-US',
      ownerId: this.state.ids.next(),
      memberCount: seed.memberCount ?? 2,
      channelIds: [],
      joinedAt: new Date(this.state.clock.now()).toISOString(),
    };
    this.state.guilds.set(id, guild);
    (seed.channels ?? [{ name: 'general' }]).forEach((channelSeed, position) => {
      const channel: ChannelRecord = {
        id: channelSeed.id ?? this.state.ids.next(),
        guildId: id,
        name: channelSeed.name ?? `channel-${position}`,
        type: channelSeed.type ?? 0,
        position,
        parentId: channelSeed.parentId ?? null,
        archived: channelSeed.archived ?? false,
        botDeny: (channelSeed.botDenied ?? []).reduce((bits, name) => bits | CHANNEL_PERMISSIONS[name], 0n),
      };
      this.state.channels.set(channel.id, channel);
      guild.channelIds.push(channel.id);
    });
    return guild;
  }

  // ------------------------------------------------------------------ people talk in channels

  /**
   * A member (or another bot: `author.bot`) writes in a channel; the bot's shard gets MESSAGE_CREATE if it asked for
   * GuildMessages.
   */
  postMessage(input: UserMessageInput): UserMessage {
    return this.talk.post(input);
  }

  /** A channel's past, oldest first, without dispatches (give `at` to spread it over time). */
  seedHistory(channelId: string, messages: Omit<UserMessageInput, 'channelId'>[]): UserMessage[] {
    return this.talk.seed(channelId, messages);
  }

  /** The author edits a message: MESSAGE_UPDATE. */
  editUserMessage(messageId: string, content: string): UserMessage {
    return this.talk.edit(messageId, content);
  }

  /** The author deletes a message: MESSAGE_DELETE; it leaves the history. */
  deleteUserMessage(messageId: string): void {
    this.talk.remove(messageId);
  }

  /** A file a user uploads, served by the CDN; pass it as an attachment option value. */
  addAttachment(
    filename: string,
    bytes: Buffer | Uint8Array | string,
    contentType = 'text/plain; charset=utf-8',
  ): ApiAttachment {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
    const file = this.state.storeFile({
      filename,
      contentType,
      size: data.length,
      bytes: data,
      channelId: this.state.uploadChannelId,
    });
    return this.state.apiAttachment(file) as unknown as ApiAttachment;
  }

  /** Registered commands of a guild, or the global ones. */
  commands(guildId?: string): StoredCommand[] {
    return [...this.state.commandsIn(guildId ?? 'global')];
  }

  // ------------------------------------------------------------------ users act

  /** A user runs a slash command. */
  invoke(input: CommandInvocation): InteractionHandle {
    return this.driver.command(input);
  }

  /** A user types in an autocomplete option. */
  autocomplete(input: AutocompleteInvocation): InteractionHandle {
    return this.driver.autocomplete(input);
  }

  /** A user clicks a button or picks values in a select menu on a message the bot sent. */
  component(input: ComponentInvocation): InteractionHandle {
    return this.driver.component(input);
  }

  /** A user submits a modal. */
  submitModal(input: ModalSubmission): InteractionHandle {
    return this.driver.modalSubmit(input);
  }

  // ------------------------------------------------------------------ recordings

  get requests(): RequestRecord[] {
    return [...this.state.requests];
  }
  get violations(): Violation[] {
    return [...this.state.violations];
  }
  get gatewayLog(): GatewayLogEntry[] {
    return [...this.state.gatewayLog];
  }
  /** Every message the bot created (interaction responses, follow-ups, channel messages). */
  get messages(): RecordedMessage[] {
    return [...this.state.messages.values()];
  }

  channelMessages(channelId: string): RecordedMessage[] {
    return this.messages.filter((message) => message.channelId === channelId && !message.deleted);
  }

  interaction(id: string): InteractionHandle | undefined {
    return this.state.interactions.has(id) ? this.driver.handleFor(id) : undefined;
  }

  /** Throws with every recorded violation listed, so a test shows what Discord would have refused. */
  assertNoViolations(): void {
    if (this.state.violations.length === 0) return;
    const lines = this.state.violations.map(
      (violation) =>
        `${violation.rule}: ${violation.message}${violation.path ? ` (${violation.method} ${violation.path})` : ''}`,
    );
    throw new DiscordServerError(
      'VIOLATIONS',
      `Discord would have refused ${lines.length} request(s):\n${lines.join('\n')}`,
      { violations: this.violations },
    );
  }

  /** Forgets requests, violations and gateway log (long runs such as benchmarks). */
  clearRecordings(): void {
    this.state.requests.length = 0;
    this.state.violations.length = 0;
    this.state.gatewayLog.length = 0;
  }

  /** Resolves once the predicate holds, re-checked after every request, dispatch and violation. */
  waitFor<T>(predicate: (server: DiscordServer) => T | undefined | false, { timeoutMs = 5000 } = {}): Promise<T> {
    return this.state.waitUntil(
      () => {
        const value = predicate(this);
        return value === false || value === undefined ? undefined : value;
      },
      timeoutMs,
      () => new DiscordServerError('TIMEOUT', `condition not met within ${timeoutMs} ms`),
    );
  }

  // ------------------------------------------------------------------ time and faults

  /** The server's clock (epoch ms): real time plus every `advanceClock`. */
  now(): number {
    return this.state.clock.now();
  }

  /** Moves the server's clock forward: a response after `advanceClock(3001)` is late, as after 3 real seconds. */
  advanceClock(ms: number): void {
    this.state.clock.advance(ms);
  }

  injectFault(match: FaultMatch, action: FaultAction): FaultHandle {
    return this.faults.add(match, action);
  }

  /** Answers the route with 429 and `Retry-After` (once by default). */
  rateLimit(
    route: string | RegExp,
    {
      retryAfterMs = 100,
      global = false,
      times = 1,
      method,
    }: { retryAfterMs?: number; global?: boolean; times?: number; method?: string } = {},
  ): FaultHandle {
    return this.faults.add({ route, times, method }, { kind: 'rateLimit', retryAfterMs, global });
  }

  /** Answers the route with a 5xx (once by default; discord.js retries 5xx up to 3 times). */
  serverError(
    route: string | RegExp,
    { status = 500, times = 1, method }: { status?: number; times?: number; method?: string } = {},
  ): FaultHandle {
    return this.faults.add({ route, times, method }, { kind: 'serverError', status });
  }

  /** Holds requests to the route for `ms` before handling them (every time unless `times`). */
  delay(route: string | RegExp, ms: number, { times, method }: { times?: number; method?: string } = {}): FaultHandle {
    return this.faults.add({ route, times, method }, { kind: 'delay', ms });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Cuts the gateway connection of one shard (or all) without a close frame; the client must resume. */
  dropConnection(shardId?: number): number {
    return this.gateway.drop(shardId);
  }

  /** Sends op 7 Reconnect to one shard (or all). */
  requestReconnect(shardId?: number): number {
    return this.gateway.requestReconnect(shardId);
  }

  /** Resolves when the shard has resumed `count` times in total. */
  waitForResume(shardId: number, { count = 1, timeoutMs = 5000 } = {}): Promise<void> {
    return this.state
      .waitUntil(
        () => {
          const session = this.gateway.session(shardId);
          return session && session.resumes >= count && session.socket ? true : undefined;
        },
        timeoutMs,
        () => new DiscordServerError('TIMEOUT', `shard ${shardId} did not resume within ${timeoutMs} ms`),
      )
      .then(() => undefined);
  }

  /** Connected shards of the current layout, with their session ids and sequence numbers. */
  shardStatus(): {
    shardId: number;
    shardCount: number;
    sessionId: string;
    connected: boolean;
    seq: number;
    resumes: number;
  }[] {
    const count = this.gateway.currentShardCount();
    if (count === null) return [];
    const status = [];
    for (let shardId = 0; shardId < count; shardId += 1) {
      const session = this.gateway.session(shardId);
      if (session)
        status.push({
          shardId,
          shardCount: count,
          sessionId: session.id,
          connected: session.socket !== null,
          seq: session.seq,
          resumes: session.resumes,
        });
    }
    return status;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.gateway.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

export async function startDiscordServer(options: DiscordServerOptions = {}): Promise<DiscordServer> {
  return new DiscordServer(options).listen();
}
