// Gateway v10 over JSON, no compression: HELLO → IDENTIFY → READY → one GUILD_CREATE per guild of
// the shard, heartbeats acked, and RESUME replaying what a dropped connection missed. Each
// session keeps its dispatches so a resume can send exactly those after the client's sequence.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { DiscordServerError, type RuleName } from './errors.js';
import { shardOf } from './snowflake.js';
import type { DiscordState, Json } from './state.js';

export const OP = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  presenceUpdate: 3,
  voiceStateUpdate: 4,
  resume: 6,
  reconnect: 7,
  requestGuildMembers: 8,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11,
  requestSoundboardSounds: 31,
} as const;

export const CLOSE = {
  unknownError: 4000,
  unknownOpcode: 4001,
  decodeError: 4002,
  notAuthenticated: 4003,
  authenticationFailed: 4004,
  alreadyAuthenticated: 4005,
  invalidSeq: 4007,
  invalidShard: 4010,
  shardingRequired: 4011,
  invalidApiVersion: 4012,
  invalidIntents: 4013,
  disallowedIntents: 4014,
} as const;

export const INTENTS = {
  guilds: 1 << 0,
  guildMembers: 1 << 1,
  guildPresences: 1 << 8,
  guildMessages: 1 << 9,
  messageContent: 1 << 15,
} as const;
const PRIVILEGED_INTENTS = INTENTS.guildMembers | INTENTS.guildPresences | INTENTS.messageContent;
// Every intent bit Discord defines today (0–16, 20, 21, 24, 25); anything else is 4013.
const KNOWN_INTENTS = ((1 << 17) - 1) | (1 << 20) | (1 << 21) | (1 << 24) | (1 << 25);
const BACKLOG_LIMIT = 10_000;
const GUILDS_PER_SHARD_LIMIT = 2500;

interface Dispatch {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

export interface GatewaySession {
  id: string;
  shardId: number;
  shardCount: number;
  intents: number;
  seq: number;
  backlog: Dispatch[];
  socket: WebSocket | null;
  invalidated: boolean;
  identifiedAt: number;
  resumes: number;
}

interface Connection {
  socket: WebSocket;
  session: GatewaySession | null;
  resumeEndpoint: boolean;
}

export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  readonly sessions = new Map<string, GatewaySession>();
  /** The live session of each shard, for the shard count the bot identified with last. */
  private readonly shardSessions = new Map<number, GatewaySession>();
  private shardCount: number | null = null;
  private identifies = 0;

  constructor(private readonly state: DiscordState) {}

  get url(): string {
    return `${this.state.baseUrl.replace(/^http/, 'ws')}/gateway`;
  }

  get resumeUrl(): string {
    return `${this.state.baseUrl.replace(/^http/, 'ws')}/gateway/resume`;
  }

  get identifyCount(): number {
    return this.identifies;
  }

  currentShardCount(): number | null {
    return this.shardCount;
  }

  session(shardId: number): GatewaySession | undefined {
    return this.shardSessions.get(shardId);
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    if (path !== '/gateway' && path !== '/gateway/resume') {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request, path === '/gateway/resume'));
  }

  private accept(socket: WebSocket, request: IncomingMessage, resumeEndpoint: boolean): void {
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    const connection: Connection = { socket, session: null, resumeEndpoint };
    socket.on('message', (data, isBinary) => this.onMessage(connection, data, isBinary));
    socket.on('close', (code) => this.onClose(connection, code));
    socket.on('error', () => undefined);
    if ((query.get('v') ?? '10') !== '10') {
      this.closeWith(connection, CLOSE.invalidApiVersion, 'Invalid API version', 'GATEWAY_INVALID_API_VERSION');
      return;
    }
    // zlib-stream is only requested when the optional zlib-sync package is installed; we speak plain JSON.
    if ((query.get('encoding') ?? 'json') !== 'json' || query.has('compress')) {
      this.closeWith(
        connection,
        CLOSE.decodeError,
        'Only encoding=json without compression is supported',
        'GATEWAY_DECODE_ERROR',
      );
      return;
    }
    this.send(connection, {
      op: OP.hello,
      d: { heartbeat_interval: this.state.config.heartbeatIntervalMs, _trace: ['fake-discord'] },
    });
  }

  private log(
    connection: Connection | null,
    session: GatewaySession | null,
    direction: 'send' | 'receive' | 'close',
    op: number,
    extra: { t?: string; s?: number; code?: number } = {},
  ) {
    const active = session ?? connection?.session ?? null;
    this.state.gatewayLog.push({
      at: this.state.clock.now(),
      shardId: active?.shardId ?? null,
      sessionId: active?.id ?? null,
      direction,
      op,
      ...extra,
    });
    if (this.state.config.debug)
      this.state.debug(
        `gateway ${direction} op=${op}${extra.t ? ` ${extra.t}` : ''}${extra.s ? ` s=${extra.s}` : ''}${extra.code ? ` code=${extra.code}` : ''}`,
      );
  }

  private send(connection: Connection, payload: { op: number; d: unknown; t?: string; s?: number }): void {
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    connection.socket.send(JSON.stringify({ t: null, s: null, ...payload }));
    this.log(connection, null, 'send', payload.op, { t: payload.t, s: payload.s });
  }

  private closeWith(connection: Connection, code: number, reason: string, rule: RuleName): void {
    this.state.recordViolation({ rule, message: reason, status: code, shardId: connection.session?.shardId });
    this.log(connection, null, 'close', -1, { code });
    connection.socket.close(code, reason);
  }

  private onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      if (isBinary) throw new Error('binary frame');
      payload = JSON.parse(data.toString()) as { op?: unknown; d?: unknown };
      if (typeof payload !== 'object' || payload === null) throw new Error('not an object');
    } catch {
      this.closeWith(connection, CLOSE.decodeError, 'Error while decoding payload.', 'GATEWAY_DECODE_ERROR');
      return;
    }
    const op = payload.op as number;
    this.log(connection, null, 'receive', typeof op === 'number' ? op : -1);
    switch (op) {
      case OP.heartbeat:
        this.send(connection, { op: OP.heartbeatAck, d: null });
        return;
      case OP.identify:
        this.identify(connection, (payload.d ?? {}) as Json);
        return;
      case OP.resume:
        this.resume(connection, (payload.d ?? {}) as Json);
        return;
      case OP.presenceUpdate:
      case OP.voiceStateUpdate:
      case OP.requestGuildMembers:
      case OP.requestSoundboardSounds:
        if (!connection.session)
          this.closeWith(connection, CLOSE.notAuthenticated, 'Not authenticated.', 'GATEWAY_NOT_AUTHENTICATED');
        return;
      default:
        this.closeWith(connection, CLOSE.unknownOpcode, 'Unknown opcode.', 'GATEWAY_UNKNOWN_OPCODE');
    }
  }

  private tokenMatches(token: unknown): boolean {
    return typeof token === 'string' && token.replace(/^Bot\s+/i, '') === this.state.config.token;
  }

  /** IDENTIFY and RESUME alike: a fresh connection with the right token, else closed as Discord closes it. */
  private authenticates(connection: Connection, d: Json): boolean {
    if (connection.session) {
      this.closeWith(connection, CLOSE.alreadyAuthenticated, 'Already authenticated.', 'GATEWAY_ALREADY_AUTHENTICATED');
      return false;
    }
    if (!this.tokenMatches(d.token)) {
      this.closeWith(connection, CLOSE.authenticationFailed, 'Authentication failed.', 'GATEWAY_AUTHENTICATION_FAILED');
      return false;
    }
    return true;
  }

  private identify(connection: Connection, d: Json): void {
    if (!this.authenticates(connection, d)) return;
    const intents = d.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~KNOWN_INTENTS) !== 0) {
      this.closeWith(connection, CLOSE.invalidIntents, 'Invalid intent(s).', 'GATEWAY_INVALID_INTENTS');
      return;
    }
    if ((intents & PRIVILEGED_INTENTS & ~this.state.config.grantedPrivilegedIntents) !== 0) {
      this.closeWith(connection, CLOSE.disallowedIntents, 'Disallowed intent(s).', 'GATEWAY_DISALLOWED_INTENTS');
      return;
    }
    const shard = d.shard ?? [0, 1];
    const [shardId, shardCount] = Array.isArray(shard) ? (shard as unknown[]) : [];
    if (
      !Number.isInteger(shardId) ||
      !Number.isInteger(shardCount) ||
      (shardCount as number) < 1 ||
      (shardId as number) < 0 ||
      (shardId as number) >= (shardCount as number)
    ) {
      this.closeWith(connection, CLOSE.invalidShard, 'Invalid shard.', 'GATEWAY_INVALID_SHARD');
      return;
    }
    const guilds = [...this.state.guilds.values()].filter(
      (guild) => shardOf(guild.id, shardCount as number) === shardId,
    );
    if (guilds.length > GUILDS_PER_SHARD_LIMIT) {
      this.closeWith(connection, CLOSE.shardingRequired, 'Sharding required.', 'GATEWAY_SHARDING_REQUIRED');
      return;
    }

    this.identifies += 1;
    const session: GatewaySession = {
      id: randomSessionId(),
      shardId: shardId as number,
      shardCount: shardCount as number,
      intents,
      seq: 0,
      backlog: [],
      socket: connection.socket,
      invalidated: false,
      identifiedAt: this.state.clock.now(),
      resumes: 0,
    };
    connection.session = session;
    this.sessions.set(session.id, session);
    if (this.shardCount !== session.shardCount) {
      // A new shard count replaces the old layout entirely, as a restarted bot would.
      this.shardSessions.clear();
      this.shardCount = session.shardCount;
    }
    const previous = this.shardSessions.get(session.shardId);
    if (previous && previous !== session) previous.invalidated = true;
    this.shardSessions.set(session.shardId, session);

    this.dispatch(session, 'READY', {
      v: 10,
      user: this.state.botUser(),
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.resumeUrl,
      shard: [session.shardId, session.shardCount],
      application: { id: this.state.config.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
      auth: {},
      _trace: ['fake-discord'],
    });
    // Without the Guilds intent Discord sends no GUILD_CREATE; discord.js then stops waiting at once.
    if ((intents & INTENTS.guilds) !== 0) {
      for (const guild of guilds) this.dispatch(session, 'GUILD_CREATE', this.guildCreatePayload(guild.id));
    }
    this.state.notify();
  }

  private resume(connection: Connection, d: Json): void {
    if (!this.authenticates(connection, d)) return;
    const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    const seq = typeof d.seq === 'number' ? d.seq : -1;
    const oldest = session?.backlog[0]?.s ?? (session ? session.seq + 1 : 0);
    if (!session || session.invalidated || seq < oldest - 1 || seq > session.seq) {
      this.state.recordViolation({
        rule: 'GATEWAY_INVALID_SESSION',
        message: `resume of ${String(d.session_id)} at seq ${seq} refused`,
      });
      // d: false tells the client to identify afresh.
      this.send(connection, { op: OP.invalidSession, d: false });
      return;
    }
    if (session.socket && session.socket !== connection.socket) session.socket.terminate();
    session.socket = connection.socket;
    session.resumes += 1;
    connection.session = session;
    for (const event of session.backlog) {
      if (event.s > seq) this.send(connection, event);
    }
    this.dispatch(session, 'RESUMED', { _trace: ['fake-discord'] });
    this.state.notify();
  }

  private onClose(connection: Connection, code: number): void {
    const session = connection.session;
    this.log(connection, session, 'close', -1, { code });
    if (!session || session.socket !== connection.socket) return;
    session.socket = null;
    // A clean close (1000/1001) from the client ends the session; anything else may be resumed.
    if (code === 1000 || code === 1001) session.invalidated = true;
    this.state.notify();
  }

  /** Sends a dispatch on a session, or keeps it for the resume if the connection is down. */
  dispatch(session: GatewaySession, t: string, d: unknown): number {
    session.seq += 1;
    const event: Dispatch = { op: OP.dispatch, t, s: session.seq, d };
    session.backlog.push(event);
    if (session.backlog.length > BACKLOG_LIMIT) session.backlog.splice(0, session.backlog.length - BACKLOG_LIMIT);
    const socket = session.socket;
    if (socket && socket.readyState === socket.OPEN) {
      socket.send(JSON.stringify(event));
      this.log(null, session, 'send', OP.dispatch, { t, s: event.s });
    }
    return event.s;
  }

  /** The live session that receives a guild's events, if any (no error: users may write while the bot is away). */
  sessionForGuild(guildId: string): GatewaySession | undefined {
    if (this.shardCount === null) return undefined;
    const session = this.shardSessions.get(shardOf(guildId, this.shardCount));
    return session && !session.invalidated ? session : undefined;
  }

  /** Routes a dispatch to the shard Discord would use: `(guild_id >> 22) % shard_count`. */
  dispatchToGuild(guildId: string, t: string, d: unknown): { shardId: number } {
    if (this.shardCount === null)
      throw new DiscordServerError('NO_GATEWAY_SESSION', 'no client has identified on the gateway yet');
    const shardId = shardOf(guildId, this.shardCount);
    const session = this.shardSessions.get(shardId);
    if (!session || session.invalidated) {
      throw new DiscordServerError('NO_GATEWAY_SESSION', `no session for shard ${shardId} of ${this.shardCount}`, {
        shardId,
        guildId,
      });
    }
    this.dispatch(session, t, d);
    return { shardId };
  }

  guildCreatePayload(guildId: string): Json {
    const guild = this.state.guild(guildId);
    const everyone = {
      id: guild.id,
      name: '@everyone',
      permissions: '2248473465835073',
      position: 0,
      color: 0,
      hoist: false,
      managed: false,
      mentionable: false,
      flags: 0,
      icon: null,
      unicode_emoji: null,
    };
    const botMember = {
      user: this.state.botUser(),
      roles: [],
      joined_at: guild.joinedAt,
      deaf: false,
      mute: false,
      flags: 0,
      nick: null,
      avatar: null,
      pending: false,
      communication_disabled_until: null,
    };
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      features: [],
      roles: [everyone],
      emojis: [],
      stickers: [],
      application_id: null,
      system_channel_id: guild.channelIds[0] ?? null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      preferred_locale: guild.locale,
      max_members: 500000,
      max_video_channel_users: 25,
      joined_at: guild.joinedAt,
      large: false,
      unavailable: false,
      member_count: guild.memberCount,
      voice_states: [],
      members: [botMember],
      channels: guild.channelIds
        .map((id) => this.state.channels.get(id)!)
        .filter((channel) => !isThread(channel))
        .map((record) => {
          const { guild_id: _guildId, ...channel } = this.state.apiChannel(record);
          return channel;
        }),
      // Active threads (forum posts are threads too) come in their own list, with guild_id.
      threads: guild.channelIds
        .map((id) => this.state.channels.get(id)!)
        .filter((record) => isThread(record) && !record.archived)
        .map((record) => this.state.apiChannel(record)),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  /** Cuts connections without a close frame, as a network failure would; the sessions stay resumable. */
  drop(shardId?: number): number {
    let dropped = 0;
    for (const session of this.shardSessions.values()) {
      if (shardId !== undefined && session.shardId !== shardId) continue;
      if (session.socket) {
        session.socket.terminate();
        dropped += 1;
      }
    }
    return dropped;
  }

  /** Op 7: Discord asks the client to reconnect and resume. */
  requestReconnect(shardId?: number): number {
    let asked = 0;
    for (const session of this.shardSessions.values()) {
      if (shardId !== undefined && session.shardId !== shardId) continue;
      const socket = session.socket;
      if (socket && socket.readyState === socket.OPEN) {
        socket.send(JSON.stringify({ op: OP.reconnect, d: null, t: null, s: null }));
        this.log(null, session, 'send', OP.reconnect);
        asked += 1;
      }
    }
    return asked;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function isThread(channel: { type: number }): boolean {
  return channel.type === 10 || channel.type === 11 || channel.type === 12;
}

function randomSessionId(): string {
  return Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
}
