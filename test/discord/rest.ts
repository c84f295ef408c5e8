// HTTP API v10: the routes a bot uses (gateway info, command registration, interaction
// callbacks, webhook edits and follow-ups, channel messages) plus the CDN for attachments.
// Every request is recorded; every refusal is a Discord-shaped JSON error and a recorded
// violation, unless a test injected it as a fault.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ApiError, apiErrors, invalidFormBody, type Issue } from './errors.js';
import type { ChannelMessages } from './channel-messages.js';
import type { FaultAction, FaultInjector } from './faults.js';
import { INTENTS, type Gateway } from './gateway.js';
import { timestampOf } from './snowflake.js';
import {
  isEmptyMessage,
  LIMITS,
  MESSAGE_FLAGS,
  validateAutocompleteChoices,
  validateCommand,
  validateCommandList,
  validateMessage,
  validateModal,
} from './rules.js';
import {
  INTERACTION_TYPE,
  type ChannelRecord,
  type DiscordState,
  type InteractionRecord,
  type Json,
  type RecordedMessage,
  type RequestRecord,
  type StoredCommand,
  type StoredFile,
} from './state.js';

interface UploadedFile {
  field: string;
  /** n of `files[n]`, which `attachments[].id` refers to. */
  index: number | null;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

interface RequestContext {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
  record: RequestRecord;
}

interface Reply {
  status: number;
  body?: unknown;
  /** Raw bytes (CDN); JSON otherwise. */
  raw?: { bytes: Buffer; contentType: string };
  headers?: Record<string, string>;
}

interface Route {
  methods: Partial<Record<string, (context: RequestContext) => Reply | Promise<Reply>>>;
  template: string;
  auth: 'bot' | 'none';
  /** CDN routes live at the server root, outside `/api/v10`. */
  cdn?: boolean;
}

const CALLBACK = {
  pong: 1,
  message: 4,
  deferredMessage: 5,
  deferredUpdate: 6,
  update: 7,
  autocompleteResult: 8,
  modal: 9,
} as const;

// Which initial responses Discord accepts for each kind of interaction.
const ALLOWED_CALLBACKS: Record<InteractionRecord['kind'], number[]> = {
  command: [CALLBACK.message, CALLBACK.deferredMessage, CALLBACK.modal],
  component: [CALLBACK.message, CALLBACK.deferredMessage, CALLBACK.deferredUpdate, CALLBACK.update, CALLBACK.modal],
  autocomplete: [CALLBACK.autocompleteResult],
  modalSubmit: [CALLBACK.message, CALLBACK.deferredMessage, CALLBACK.deferredUpdate, CALLBACK.update],
};

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RestApi {
  private readonly routes: Route[];

  constructor(
    private readonly state: DiscordState,
    private readonly gateway: Gateway,
    private readonly faults: FaultInjector,
    private readonly channelMessages: ChannelMessages,
  ) {
    const commands = {
      GET: (c: RequestContext) => this.listCommands(c),
      PUT: (c: RequestContext) => this.overwriteCommands(c),
      POST: (c: RequestContext) => this.createCommand(c),
    };
    const command = {
      GET: (c: RequestContext) => this.getCommand(c),
      PATCH: (c: RequestContext) => this.editCommand(c),
      DELETE: (c: RequestContext) => this.deleteCommand(c),
    };
    this.routes = [
      {
        template: '/gateway',
        auth: 'none',
        methods: { GET: () => ({ status: 200, body: { url: this.gateway.url } }) },
      },
      { template: '/gateway/bot', auth: 'bot', methods: { GET: () => this.gatewayBot() } },
      { template: '/users/@me', auth: 'bot', methods: { GET: () => ({ status: 200, body: this.state.botUser() }) } },
      {
        template: '/applications/@me',
        auth: 'bot',
        methods: { GET: () => ({ status: 200, body: this.application() }) },
      },
      {
        template: '/oauth2/applications/@me',
        auth: 'bot',
        methods: { GET: () => ({ status: 200, body: this.application() }) },
      },
      { template: '/applications/{application}/commands', auth: 'bot', methods: commands },
      { template: '/applications/{application}/commands/{command}', auth: 'bot', methods: command },
      { template: '/applications/{application}/guilds/{guild}/commands', auth: 'bot', methods: commands },
      { template: '/applications/{application}/guilds/{guild}/commands/{command}', auth: 'bot', methods: command },
      {
        template: '/interactions/{interaction}/{token}/callback',
        auth: 'none',
        methods: { POST: (c) => this.callback(c) },
      },
      { template: '/webhooks/{application}/{token}', auth: 'none', methods: { POST: (c) => this.followUp(c) } },
      {
        template: '/webhooks/{application}/{token}/messages/{message}',
        auth: 'none',
        methods: {
          GET: (c) => this.webhookMessage(c),
          PATCH: (c) => this.webhookMessage(c),
          DELETE: (c) => this.webhookMessage(c),
        },
      },
      {
        template: '/channels/{channel}',
        auth: 'bot',
        methods: { GET: (c) => ({ status: 200, body: this.state.apiChannel(this.channel(c.params.channel)) }) },
      },
      {
        template: '/channels/{channel}/threads/archived/public',
        auth: 'bot',
        methods: { GET: (c) => this.archivedThreads(c) },
      },
      {
        template: '/channels/{channel}/messages',
        auth: 'bot',
        methods: { GET: (c) => this.channelHistory(c), POST: (c) => this.createChannelMessage(c) },
      },
      {
        template: '/channels/{channel}/messages/{message}',
        auth: 'bot',
        methods: {
          GET: (c) => this.channelMessage(c),
          PATCH: (c) => this.channelMessage(c),
          DELETE: (c) => this.channelMessage(c),
        },
      },
      {
        template: '/guilds/{guild}',
        auth: 'bot',
        methods: {
          GET: (c) => ({ status: 200, body: this.gateway.guildCreatePayload(this.guild(c.params.guild).id) }),
        },
      },
      {
        template: '/attachments/{channel}/{attachment}/{filename}',
        auth: 'none',
        cdn: true,
        methods: { GET: (c) => this.cdnFile(c) },
      },
    ];
  }

  // ------------------------------------------------------------------ pipeline

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const rawBody = await readBody(request);
    const record: RequestRecord = {
      seq: this.state.nextRequestSeq(),
      at: this.state.clock.now(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      route: null,
      body: undefined,
      files: [],
      status: 0,
      response: undefined,
      durationMs: 0,
    };
    let reply: Reply;
    try {
      reply = await this.process(request, method, url, rawBody, record);
    } catch (error) {
      reply = this.refusal(error, record);
    }
    record.status = reply.status;
    record.response = reply.raw ? `<${reply.raw.bytes.length} bytes ${reply.raw.contentType}>` : reply.body;
    record.durationMs = performance.now() - started;
    this.state.requests.push(record);
    if (record.interactionId) {
      const interaction = this.state.interactions.get(record.interactionId);
      if (interaction) {
        interaction.requests.push(record);
        interaction.lastActivityPerf = performance.now();
      }
    }
    this.state.debug(`${method} ${record.path} → ${reply.status}${record.fault ? ` (fault: ${record.fault})` : ''}`);
    this.send(response, reply);
    this.state.notify();
  }

  private async process(
    request: IncomingMessage,
    method: string,
    url: URL,
    rawBody: Buffer,
    record: RequestRecord,
  ): Promise<Reply> {
    let segments: string[];
    try {
      segments = url.pathname
        .split('/')
        .filter((segment) => segment !== '')
        .map((segment) => decodeURIComponent(segment));
    } catch {
      throw apiErrors.notFound();
    }
    let cdn = true;
    if (segments[0] === 'api') {
      cdn = false;
      segments = segments.slice(1);
      const version = /^v(\d+)$/.exec(segments[0] ?? '');
      if (version) {
        if (version[1] !== '10') throw apiErrors.invalidApiVersion();
        segments = segments.slice(1);
      }
    }
    record.path = `/${segments.join('/')}`;

    const match = this.match(segments, cdn);
    if (!match) throw apiErrors.notFound();
    record.route = match.route.template;
    this.linkInteraction(match.params, record);

    const faultReply = await this.applyFaults(method, match.route.template, record);
    if (faultReply) return faultReply;

    const handler = match.route.methods[method];
    if (!handler) throw apiErrors.methodNotAllowed();
    if (match.route.auth === 'bot') {
      const authorization = request.headers.authorization ?? '';
      if (authorization !== `Bot ${this.state.config.token}`) throw apiErrors.unauthorized();
    }
    const { body, files } = await parseBody(request.headers['content-type'], rawBody);
    record.body = body;
    record.files = files.map(({ field, filename, contentType, bytes }) => ({
      field,
      filename,
      contentType,
      size: bytes.length,
    }));
    return handler({ method, params: match.params, query: url.searchParams, body, files, record });
  }

  private match(segments: string[], cdn: boolean): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (Boolean(route.cdn) !== cdn) continue;
      const parts = route.template.split('/').slice(1);
      if (parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      const ok = parts.every((part, i) => {
        if (part.startsWith('{')) {
          params[part.slice(1, -1)] = segments[i];
          return true;
        }
        return part === segments[i];
      });
      if (ok) return { route, params };
    }
    return undefined;
  }

  /** Requests carrying an interaction's id or token are filed under that interaction. */
  private linkInteraction(params: Record<string, string>, record: RequestRecord): void {
    const byId = params.interaction ? this.state.interactions.get(params.interaction) : undefined;
    const byToken = params.token ? this.state.interactionsByToken.get(params.token) : undefined;
    const interaction = byId ?? byToken;
    if (interaction) record.interactionId = interaction.id;
  }

  private async applyFaults(method: string, route: string, record: RequestRecord): Promise<Reply | undefined> {
    const actions = this.faults.take(method, route, record.path);
    for (const action of actions.filter((a): a is Extract<FaultAction, { kind: 'delay' }> => a.kind === 'delay')) {
      record.fault = 'delay';
      await sleep(action.ms);
    }
    const failure = actions.find((action) => action.kind !== 'delay');
    if (!failure) return undefined;
    if (failure.kind === 'rateLimit') {
      record.fault = 'rateLimit';
      const seconds = failure.retryAfterMs / 1000;
      return {
        status: 429,
        body: {
          message: 'You are being rate limited.',
          retry_after: seconds,
          global: failure.global ?? false,
          code: 0,
        },
        headers: {
          // Discord rounds Retry-After up to whole seconds; a fraction keeps tests fast and discord.js reads it as a
          // number.
          'Retry-After': String(seconds),
          'X-RateLimit-Limit': '5',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset-After': String(seconds),
          'X-RateLimit-Scope': failure.global ? 'global' : 'user',
          ...(failure.global ? { 'X-RateLimit-Global': 'true' } : {}),
        },
      };
    }
    if (failure.kind === 'serverError') {
      record.fault = 'serverError';
      const status = failure.status ?? 500;
      return { status, body: { message: `${status}: Internal Server Error`, code: 0 } };
    }
    return undefined;
  }

  private refusal(error: unknown, record: RequestRecord): Reply {
    if (error instanceof ApiError) {
      this.state.recordViolation({
        rule: error.rule,
        message: error.body.message,
        status: error.status,
        code: error.body.code,
        method: record.method,
        path: record.path,
        interactionId: record.interactionId,
        issues: error.issues,
      });
      // A 429 carries its bucket's headers and Discord's retry_after body.
      const extra = error as ApiError & { headers?: Record<string, string>; retryAfter?: number };
      const body =
        extra.retryAfter !== undefined ? { ...error.body, retry_after: extra.retryAfter, global: false } : error.body;
      return { status: error.status, body, headers: extra.headers };
    }
    // A bug in the fake server itself: say so loudly, whatever the debug setting.
    process.stderr.write(
      `[discord-server] internal error on ${record.method} ${record.path}: ${(error as Error)?.stack ?? String(error)}\n`,
    );
    return { status: 500, body: { message: '500: Internal Server Error', code: 0 } };
  }

  private send(response: ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    if (reply.raw) {
      headers['Content-Type'] = reply.raw.contentType;
      headers['Content-Length'] = String(reply.raw.bytes.length);
      response.writeHead(reply.status, headers);
      response.end(reply.raw.bytes);
      return;
    }
    if (reply.status === 204 || reply.body === undefined) {
      // No body, so no JSON content type: discord.js would try to parse an empty body as JSON.
      response.writeHead(reply.status, headers);
      response.end();
      return;
    }
    const text = JSON.stringify(reply.body);
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(text));
    response.writeHead(reply.status, headers);
    response.end(text);
  }

  // ------------------------------------------------------------------ gateway and identity

  private gatewayBot(): Reply {
    const total = 1000;
    return {
      status: 200,
      body: {
        url: this.gateway.url,
        shards: this.state.config.shardsRecommended,
        session_start_limit: {
          total,
          remaining: Math.max(0, total - this.gateway.identifyCount),
          reset_after: 14_400_000,
          max_concurrency: this.state.config.maxConcurrency,
        },
      },
    };
  }

  private applicationFlags(): number {
    const granted = this.state.config.grantedPrivilegedIntents;
    return (
      ((granted & INTENTS.guildPresences) !== 0 ? 1 << 12 : 0) |
      ((granted & INTENTS.guildMembers) !== 0 ? 1 << 14 : 0) |
      ((granted & INTENTS.messageContent) !== 0 ? 1 << 18 : 0)
    );
  }

  private application(): Json {
    return {
      id: this.state.config.applicationId,
      name: this.state.config.botUsername,
      icon: null,
      description: '',
      summary: '',
      type: null,
      bot_public: true,
      bot_require_code_grant: false,
      verify_key: '0'.repeat(64),
      // GATEWAY_PRESENCE (1 << 12), GATEWAY_GUILD_MEMBERS (1 << 14), GATEWAY_MESSAGE_CONTENT (1 << 18): what the portal
      // enabled.
      flags: this.applicationFlags(),
      team: null,
      owner: {
        id: this.state.guilds.values().next().value?.ownerId ?? this.state.config.applicationId,
        username: 'owner',
        discriminator: '0',
        avatar: null,
        public_flags: 0,
        flags: 0,
        global_name: null,
      },
      bot: this.state.botUser(),
      approximate_guild_count: this.state.guilds.size,
      integration_types_config: { '0': {} },
    };
  }

  private channel(id: string) {
    const channel = this.state.channels.get(id);
    if (!channel) throw apiErrors.unknownChannel();
    return channel;
  }

  private guild(id: string) {
    const guild = this.state.guilds.get(id);
    if (!guild) throw apiErrors.unknownGuild();
    return guild;
  }

  // ------------------------------------------------------------------ commands

  private commandScope(context: RequestContext): string {
    if (context.params.application !== this.state.config.applicationId) throw apiErrors.missingAccess();
    if (context.params.guild === undefined) return 'global';
    return this.guild(context.params.guild).id;
  }

  private presentCommand(command: StoredCommand, withLocalizations: boolean): Json {
    if (withLocalizations) return command;
    const strip = (value: Json): Json => {
      const { name_localizations: _n, description_localizations: _d, ...rest } = value;
      if (Array.isArray(rest.options)) rest.options = (rest.options as Json[]).map(strip);
      if (Array.isArray(rest.choices)) rest.choices = (rest.choices as Json[]).map(strip);
      return rest;
    };
    return strip(command);
  }

  private storeCommand(definition: Json, scope: string, existing: StoredCommand | undefined): StoredCommand {
    const type = (definition.type as number | undefined) ?? 1;
    return {
      ...definition,
      id: existing?.id ?? this.state.ids.next(),
      application_id: this.state.config.applicationId,
      version: this.state.ids.next(),
      type,
      name: definition.name as string,
      description: (definition.description as string | undefined) ?? '',
      name_localizations: definition.name_localizations ?? null,
      description_localizations: definition.description_localizations ?? null,
      default_member_permissions: definition.default_member_permissions ?? null,
      nsfw: definition.nsfw ?? false,
      contexts: definition.contexts ?? null,
      integration_types: definition.integration_types ?? [0],
      ...(scope === 'global' ? {} : { guild_id: scope }),
    };
  }

  private listCommands(context: RequestContext): Reply {
    const scope = this.commandScope(context);
    const withLocalizations = context.query.get('with_localizations') === 'true';
    return {
      status: 200,
      body: this.state.commandsIn(scope).map((command) => this.presentCommand(command, withLocalizations)),
    };
  }

  private overwriteCommands(context: RequestContext): Reply {
    const scope = this.commandScope(context);
    const issues = validateCommandList(context.body);
    if (issues.length > 0) throw invalidFormBody(issues);
    const previous = this.state.commandsIn(scope);
    // Discord keeps a command's id across overwrites when its name and type stay the same.
    const stored = (context.body as Json[]).map((definition) =>
      this.storeCommand(
        definition,
        scope,
        previous.find(
          (command) =>
            command.name === definition.name && command.type === ((definition.type as number | undefined) ?? 1),
        ),
      ),
    );
    this.state.commands.set(scope, stored);
    return { status: 200, body: stored };
  }

  private createCommand(context: RequestContext): Reply {
    const scope = this.commandScope(context);
    const issues = validateCommand(context.body, []);
    if (issues.length > 0) throw invalidFormBody(issues);
    const definition = context.body as Json;
    const type = (definition.type as number | undefined) ?? 1;
    const list = [...this.state.commandsIn(scope)];
    const index = list.findIndex((command) => command.name === definition.name && command.type === type);
    if (
      index < 0 &&
      type === 1 &&
      list.filter((command) => command.type === 1).length >= LIMITS.chatInputCommandsPerScope
    ) {
      throw invalidFormBody([
        {
          path: [],
          rule: 'TOO_MANY_COMMANDS',
          code: 'APPLICATION_COMMANDS_LIMIT',
          message: 'Maximum number of application commands reached (100)',
        },
      ]);
    }
    const stored = this.storeCommand(definition, scope, index >= 0 ? list[index] : undefined);
    if (index >= 0) list[index] = stored;
    else list.push(stored);
    this.state.commands.set(scope, list);
    return { status: index >= 0 ? 200 : 201, body: stored };
  }

  private findCommand(context: RequestContext): { scope: string; index: number; list: StoredCommand[] } {
    const scope = this.commandScope(context);
    const list = [...this.state.commandsIn(scope)];
    const index = list.findIndex((command) => command.id === context.params.command);
    if (index < 0) throw apiErrors.unknownCommand();
    return { scope, index, list };
  }

  private getCommand(context: RequestContext): Reply {
    const { index, list } = this.findCommand(context);
    return { status: 200, body: this.presentCommand(list[index], context.query.get('with_localizations') === 'true') };
  }

  private editCommand(context: RequestContext): Reply {
    const { scope, index, list } = this.findCommand(context);
    if (!isObject(context.body)) throw apiErrors.invalidJson();
    const merged = { ...list[index], ...context.body };
    const issues = validateCommand(merged, []);
    if (issues.length > 0) throw invalidFormBody(issues);
    list[index] = this.storeCommand(merged, scope, list[index]);
    this.state.commands.set(scope, list);
    return { status: 200, body: list[index] };
  }

  private deleteCommand(context: RequestContext): Reply {
    const { scope, index, list } = this.findCommand(context);
    list.splice(index, 1);
    this.state.commands.set(scope, list);
    return { status: 204 };
  }

  // ------------------------------------------------------------------ interactions

  private callback(context: RequestContext): Reply {
    const interaction = this.state.interactions.get(context.params.interaction);
    if (!interaction || interaction.token !== context.params.token) throw apiErrors.unknownInteraction();
    if (interaction.acknowledgement) throw apiErrors.alreadyAcknowledged();
    if (this.state.clock.now() - interaction.createdAt > this.state.config.responseDeadlineMs) {
      throw apiErrors.unknownInteraction('INTERACTION_RESPONSE_LATE');
    }
    const body = isObject(context.body) ? context.body : {};
    const type = body.type as number;
    const needsSource = type === CALLBACK.deferredUpdate || type === CALLBACK.update;
    if (!ALLOWED_CALLBACKS[interaction.kind].includes(type) || (needsSource && !interaction.sourceMessageId)) {
      throw invalidFormBody([
        {
          path: ['type'],
          rule: 'INVALID_CALLBACK_TYPE',
          code: 'INTERACTION_CALLBACK_TYPE_INVALID',
          message: `Callback type ${String(type)} is not valid for this interaction`,
        },
      ]);
    }
    const data = isObject(body.data) ? body.data : {};
    let message: RecordedMessage | undefined;
    switch (type) {
      case CALLBACK.message: {
        this.checkMessage(data, ['data'], true, context.files);
        message = this.createMessage('original', interaction.channelId, interaction, data, context.files);
        interaction.originalMessageId = message.id;
        break;
      }
      case CALLBACK.deferredMessage: {
        const flags = ((data.flags as number | undefined) ?? 0) & MESSAGE_FLAGS.ephemeral;
        message = this.createMessage(
          'original',
          interaction.channelId,
          interaction,
          { flags: flags | MESSAGE_FLAGS.loading },
          [],
        );
        interaction.originalMessageId = message.id;
        break;
      }
      case CALLBACK.deferredUpdate:
        interaction.originalMessageId = interaction.sourceMessageId;
        break;
      case CALLBACK.update: {
        this.checkMessage(data, ['data'], false, context.files);
        message = this.state.message(interaction.sourceMessageId!);
        this.editMessage(message, data, context.files);
        interaction.originalMessageId = message.id;
        break;
      }
      case CALLBACK.autocompleteResult: {
        const issues = validateAutocompleteChoices(data, ['data']);
        if (issues.length > 0) throw invalidFormBody(issues);
        interaction.choices = data.choices as Json[];
        break;
      }
      case CALLBACK.modal: {
        const issues = validateModal(data, ['data']);
        if (issues.length > 0) throw invalidFormBody(issues);
        interaction.modal = data;
        break;
      }
    }
    interaction.acknowledgement = this.state.recordResponseEvent(interaction, {
      kind: 'callback',
      callbackType: type,
      messageId: message?.id,
    });
    if (context.query.get('with_response') !== 'true') return { status: 204 };
    return {
      status: 200,
      body: {
        interaction: {
          id: interaction.id,
          type: INTERACTION_TYPE[interaction.kind],
          ...(message
            ? {
                response_message_id: message.id,
                response_message_loading: (message.flags & MESSAGE_FLAGS.loading) !== 0,
                response_message_ephemeral: (message.flags & MESSAGE_FLAGS.ephemeral) !== 0,
              }
            : {}),
        },
        resource: { type, ...(message ? { message: this.state.apiMessage(message) } : {}) },
      },
    };
  }

  /** The interaction behind a webhook token, if the token is still valid. */
  private webhookInteraction(context: RequestContext): InteractionRecord {
    if (context.params.application !== this.state.config.applicationId) throw apiErrors.unknownWebhook();
    const interaction = this.state.interactionsByToken.get(context.params.token);
    if (!interaction) throw apiErrors.invalidWebhookToken();
    if (this.state.clock.now() - interaction.createdAt > this.state.config.tokenTtlMs)
      throw apiErrors.invalidWebhookToken('INTERACTION_TOKEN_EXPIRED');
    return interaction;
  }

  private followUp(context: RequestContext): Reply {
    const interaction = this.webhookInteraction(context);
    if (!interaction.acknowledgement) throw apiErrors.unknownWebhook('NOT_ACKNOWLEDGED');
    const data = isObject(context.body) ? context.body : {};
    this.checkMessage(data, [], true, context.files);
    const message = this.createMessage('followUp', interaction.channelId, interaction, data, context.files);
    interaction.followUpIds.push(message.id);
    this.state.recordResponseEvent(interaction, { kind: 'followUp', messageId: message.id });
    return context.query.get('wait') === 'false'
      ? { status: 204 }
      : { status: 200, body: this.state.apiMessage(message) };
  }

  private webhookMessage(context: RequestContext): Reply {
    const interaction = this.webhookInteraction(context);
    let id = context.params.message;
    if (id === '@original') {
      if (!interaction.originalMessageId) throw apiErrors.unknownMessage('NOT_ACKNOWLEDGED');
      id = interaction.originalMessageId;
    } else if (id !== interaction.originalMessageId && !interaction.followUpIds.includes(id)) {
      throw apiErrors.unknownMessage();
    }
    const message = this.state.messages.get(id);
    if (!message || message.deleted) throw apiErrors.unknownMessage();
    if (context.method === 'GET') return { status: 200, body: this.state.apiMessage(message) };
    if (context.method === 'DELETE') {
      message.deleted = true;
      this.state.recordResponseEvent(interaction, { kind: 'delete', messageId: message.id });
      return { status: 204 };
    }
    const data = isObject(context.body) ? context.body : {};
    this.checkMessage(data, [], false, context.files);
    this.editMessage(message, data, context.files);
    this.state.recordResponseEvent(interaction, { kind: 'edit', messageId: message.id });
    return { status: 200, body: this.state.apiMessage(message) };
  }

  // ------------------------------------------------------------------ channel messages and CDN

  private createChannelMessage(context: RequestContext): Reply {
    const channel = this.channel(context.params.channel);
    if (this.channelMessages.missing(channel, 'ViewChannel')) throw apiErrors.missingAccess();
    if (this.channelMessages.missing(channel, 'SendMessages')) throw apiErrors.missingPermissions();
    const data = isObject(context.body) ? context.body : {};
    this.checkMessage(data, [], true, context.files);
    const { headers } = this.channelMessages.takeSendSlot(channel.id);
    const message = this.createMessage('channel', channel.id, undefined, data, context.files);
    this.channelMessages.botPosted(message);
    return { status: 200, body: this.state.apiMessage(message), headers };
  }

  /**
   * A channel's history, newest first; needs View Channel, and without Read Message History it is empty (as Discord
   * does).
   */
  private channelHistory(context: RequestContext): Reply {
    const channel = this.channel(context.params.channel);
    if (this.channelMessages.missing(channel, 'ViewChannel')) throw apiErrors.missingAccess();
    if (this.channelMessages.missing(channel, 'ReadMessageHistory')) return { status: 200, body: [] };
    const limit = context.query.get('limit');
    if (limit !== null && (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 100)) {
      throw invalidFormBody([
        {
          path: ['limit'],
          rule: 'INVALID_BODY',
          code: 'NUMBER_TYPE_MAX',
          message: 'int value should be between 1 and 100.',
        },
      ]);
    }
    return { status: 200, body: this.channelMessages.history(channel, context.query) };
  }

  /**
   * A channel's (or forum's) archived public threads, newest archived first: Discord's shape
   * ({ threads, members, has_more }), `before` an ISO archive time, `limit` 2–100 (default 50). Needs
   * Read Message History in the channel.
   */
  private archivedThreads(context: RequestContext): Reply {
    const channel = this.channel(context.params.channel);
    if (this.channelMessages.missing(channel, 'ViewChannel')) throw apiErrors.missingAccess();
    if (this.channelMessages.missing(channel, 'ReadMessageHistory')) throw apiErrors.missingPermissions();
    const limit = Number(context.query.get('limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 2 || limit > 100) {
      throw invalidFormBody([
        {
          path: ['limit'],
          rule: 'INVALID_BODY',
          code: 'NUMBER_TYPE_MAX',
          message: 'int value should be between 2 and 100.',
        },
      ]);
    }
    const archived = [...this.state.channels.values()].filter(
      (candidate) => candidate.parentId === channel.id && candidate.archived === true,
    );
    // Newest archived first; `before` (an ISO time) keeps those archived earlier, as Discord does.
    const archivedAt = (thread: ChannelRecord) => timestampOf(thread.id);
    const before = context.query.get('before');
    const until = before === null ? Number.POSITIVE_INFINITY : Date.parse(before);
    if (Number.isNaN(until)) {
      throw invalidFormBody([
        {
          path: ['before'],
          rule: 'INVALID_BODY',
          code: 'DATE_TIME_TYPE_CONVERT',
          message: 'Could not interpret as a date.',
        },
      ]);
    }
    const ordered = archived
      .filter((thread) => archivedAt(thread) < until)
      .sort((a, b) => archivedAt(b) - archivedAt(a));
    const page = ordered.slice(0, limit);
    return {
      status: 200,
      body: {
        threads: page.map((thread) => this.state.apiChannel(thread)),
        members: [],
        has_more: limit < ordered.length,
      },
    };
  }

  private channelMessage(context: RequestContext): Reply {
    const channel = this.channel(context.params.channel);
    const message = this.state.messages.get(context.params.message);
    if (!message || message.deleted || message.channelId !== channel.id) throw apiErrors.unknownMessage();
    if (context.method === 'GET') return { status: 200, body: this.state.apiMessage(message) };
    if (context.method === 'DELETE') {
      message.deleted = true;
      return { status: 204 };
    }
    const data = isObject(context.body) ? context.body : {};
    this.checkMessage(data, [], false, context.files);
    this.editMessage(message, data, context.files);
    return { status: 200, body: this.state.apiMessage(message) };
  }

  private cdnFile(context: RequestContext): Reply {
    const file = this.state.files.get(context.params.attachment);
    if (!file || file.channelId !== context.params.channel || file.filename !== context.params.filename)
      throw apiErrors.notFound();
    return { status: 200, raw: { bytes: file.bytes, contentType: file.contentType } };
  }

  // ------------------------------------------------------------------ message bodies

  private checkMessage(data: Json, at: (string | number)[], creating: boolean, files: UploadedFile[]): void {
    for (const file of files)
      if (file.bytes.length > this.state.config.attachmentSizeLimit) throw apiErrors.fileTooLarge();
    const issues: Issue[] = validateMessage(data, at, { creating, uploadedFiles: files.length });
    if (files.length > LIMITS.attachmentsPerMessage) {
      issues.push({
        path: [...at, 'attachments'],
        rule: 'TOO_MANY_ATTACHMENTS',
        code: 'BASE_TYPE_MAX_LENGTH',
        message: `Must be ${LIMITS.attachmentsPerMessage} or fewer in length.`,
      });
    }
    if (issues.length > 0) throw invalidFormBody(issues);
    if (creating && isEmptyMessage(data, files.length)) throw apiErrors.emptyMessage();
  }

  private createMessage(
    kind: RecordedMessage['kind'],
    channelId: string,
    interaction: InteractionRecord | undefined,
    data: Json,
    files: UploadedFile[],
  ): RecordedMessage {
    const channel = this.state.channels.get(channelId);
    const message: RecordedMessage = {
      id: this.state.ids.next(),
      kind,
      channelId,
      guildId: channel?.guildId,
      interactionId: interaction?.id,
      content: '',
      embeds: [],
      components: [],
      flags: 0,
      files: [],
      createdAt: this.state.clock.now(),
      editedAt: null,
      deleted: false,
      versions: [],
    };
    this.applyBody(message, data, files, true);
    this.state.messages.set(message.id, message);
    return message;
  }

  private editMessage(message: RecordedMessage, data: Json, files: UploadedFile[]): void {
    this.applyBody(message, data, files, false);
    message.editedAt = this.state.clock.now();
    // The first edit of a deferred reply replaces the "thinking…" placeholder.
    message.flags &= ~MESSAGE_FLAGS.loading;
    message.versions[message.versions.length - 1].flags = message.flags;
  }

  private applyBody(message: RecordedMessage, data: Json, files: UploadedFile[], creating: boolean): void {
    if ('content' in data) message.content = typeof data.content === 'string' ? data.content : '';
    if ('embeds' in data) message.embeds = Array.isArray(data.embeds) ? (data.embeds as Json[]) : [];
    if ('components' in data) message.components = Array.isArray(data.components) ? (data.components as Json[]) : [];
    if (typeof data.flags === 'number') {
      // Only suppress-embeds can change after creation; ephemerality is fixed when the message is made.
      message.flags = creating
        ? data.flags
        : (message.flags & ~MESSAGE_FLAGS.suppressEmbeds) | (data.flags & MESSAGE_FLAGS.suppressEmbeds);
    }
    const descriptors = Array.isArray(data.attachments) ? (data.attachments as Json[]) : undefined;
    const kept = descriptors
      ? message.files.filter((file) => descriptors.some((descriptor) => String(descriptor.id) === file.id))
      : message.files;
    const uploaded: StoredFile[] = files.map((upload, position) => {
      const descriptor = descriptors?.find((candidate) => String(candidate.id) === String(upload.index ?? position));
      return this.state.storeFile({
        filename: (descriptor?.filename as string | undefined) ?? upload.filename,
        contentType: upload.contentType,
        size: upload.bytes.length,
        bytes: upload.bytes,
        description: descriptor?.description as string | undefined,
        channelId: message.channelId,
      });
    });
    message.files = [...kept, ...uploaded];
    message.versions.push({
      at: this.state.clock.now(),
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      flags: message.flags,
      attachments: message.files.map((file) => file.filename),
    });
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON, or multipart with `payload_json` and `files[n]` (what discord.js sends with attachments). */
async function parseBody(
  contentType: string | undefined,
  raw: Buffer,
): Promise<{ body: unknown; files: UploadedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    } catch {
      throw apiErrors.invalidJson();
    }
    let body: Json = {};
    const files: UploadedFile[] = [];
    for (const [field, value] of form) {
      if (typeof value === 'string') {
        if (field === 'payload_json') {
          try {
            body = { ...body, ...(JSON.parse(value) as Json) };
          } catch {
            throw apiErrors.invalidJson();
          }
        } else {
          body[field] = value;
        }
        continue;
      }
      const index = /^files\[(\d+)\]$/.exec(field);
      files.push({
        field,
        index: index ? Number(index[1]) : null,
        filename: value.name,
        contentType: value.type || 'application/octet-stream',
        bytes: Buffer.from(await value.arrayBuffer()),
      });
    }
    return { body, files };
  }
  try {
    return { body: JSON.parse(raw.toString('utf8')) as unknown, files: [] };
  } catch {
    throw apiErrors.invalidJson();
  }
}
