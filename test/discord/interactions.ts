// The driving side: builds INTERACTION_CREATE payloads the way Discord does (every field
// discord.js reads), dispatches them on the right shard, and hands tests an InteractionHandle
// that follows what the bot did with the interaction.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DiscordServerError } from './errors.js';
import type { Gateway } from './gateway.js';
import { modalFields, OPTION_TYPES } from './rules.js';
import {
  INTERACTION_TYPE,
  type DiscordState,
  type InteractionKind,
  type InteractionRecord,
  type Json,
  type RecordedMessage,
  type RequestRecord,
  type ResponseEvent,
  type Violation,
} from './state.js';

/** An attachment as Discord's API describes it; `addAttachment` returns one. */
export interface ApiAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type: string;
}

export interface UserInput {
  id?: string;
  username?: string;
  globalName?: string | null;
}

export interface InteractionContext {
  guildId?: string;
  channelId?: string;
  user?: UserInput;
  /** The user's client language (`interaction.locale`); default en-US. */
  locale?: string;
  memberPermissions?: bigint | string | number;
  appPermissions?: bigint | string | number;
}

export type OptionValue =
  | string
  | number
  | boolean
  | ApiAttachment
  | { type: number; value: string | number | boolean };

export interface CommandInvocation extends InteractionContext {
  commandName: string;
  subcommandGroup?: string;
  subcommand?: string;
  options?: Record<string, OptionValue>;
}

export interface AutocompleteInvocation extends CommandInvocation {
  /** The option the user is typing in; its partial text is `options[focused]`. */
  focused: string;
}

export interface ComponentInvocation extends InteractionContext {
  message: RecordedMessage | string;
  customId: string;
  /** Selected values, for select menus. */
  values?: string[];
}

export interface ModalSubmission extends InteractionContext {
  customId: string;
  fields: Record<string, string>;
  /** The message whose component opened the modal, if any. */
  message?: RecordedMessage | string;
  /** The modal the bot showed, to mirror its layout (action rows or labels). */
  modal?: Json;
}

export interface InteractionOutcome {
  acknowledged: boolean;
  callbackType?: number;
  deferred: boolean;
  original?: RecordedMessage;
  followUps: RecordedMessage[];
  choices?: Json[];
  modal?: Json;
  events: ResponseEvent[];
  violations: Violation[];
}

const bits = (...positions: number[]) => positions.reduce((sum, bit) => sum | (1n << BigInt(bit)), 0n);
// View channel, send messages, embed links, attach files, read history, reactions, external
// emojis, connect/speak, change nickname, use application commands, threads: an ordinary member.
export const DEFAULT_MEMBER_PERMISSIONS = bits(0, 6, 10, 11, 14, 15, 16, 18, 20, 21, 26, 31, 35, 38);
export const DEFAULT_APP_PERMISSIONS = bits(6, 10, 11, 14, 15, 16, 18, 31, 35, 38);
const CHAT_INPUT = 1;
const COMPONENT_BUTTON = 2;

export class InteractionDriver {
  readonly defaultUser: Required<UserInput>;

  constructor(
    private readonly state: DiscordState,
    private readonly gateway: Gateway,
  ) {
    this.defaultUser = { id: state.ids.next(), username: 'tester', globalName: 'Tester' };
  }

  command(input: CommandInvocation): InteractionHandle {
    const { guildId } = this.where(input);
    const definition = this.state.findCommand(guildId, input.commandName);
    const resolved: Json = {};
    const options = this.commandOptions(input, definition, resolved, undefined);
    const data: Json = {
      id: definition?.id ?? this.state.ids.next(),
      name: input.commandName,
      type: CHAT_INPUT,
      ...(options.length > 0 ? { options } : {}),
      ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
      ...(definition?.guild_id ? { guild_id: definition.guild_id } : {}),
    };
    return this.dispatch('command', input, data);
  }

  autocomplete(input: AutocompleteInvocation): InteractionHandle {
    const { guildId } = this.where(input);
    const definition = this.state.findCommand(guildId, input.commandName);
    const options = this.commandOptions(input, definition, {}, input.focused);
    const data: Json = {
      id: definition?.id ?? this.state.ids.next(),
      name: input.commandName,
      type: CHAT_INPUT,
      options,
      ...(definition?.guild_id ? { guild_id: definition.guild_id } : {}),
    };
    return this.dispatch('autocomplete', input, data);
  }

  component(input: ComponentInvocation): InteractionHandle {
    const message =
      typeof input.message === 'string' ? this.state.message(input.message) : this.state.message(input.message.id);
    if (message.deleted) throw new DiscordServerError('UNKNOWN_MESSAGE', `message ${message.id} was deleted`);
    const component = findComponent(message.components, input.customId);
    if (!component) {
      throw new DiscordServerError(
        'UNKNOWN_COMPONENT',
        `message ${message.id} has no component with custom_id ${input.customId}`,
        {
          customIds: listCustomIds(message.components),
        },
      );
    }
    if (component.disabled === true)
      throw new DiscordServerError('COMPONENT_DISABLED', `component ${input.customId} is disabled`);
    const data: Json = {
      custom_id: input.customId,
      component_type: component.type,
      ...(component.type !== COMPONENT_BUTTON ? { values: input.values ?? [] } : {}),
    };
    const context = {
      ...input,
      guildId: input.guildId ?? message.guildId,
      channelId: input.channelId ?? message.channelId,
    };
    return this.dispatch('component', context, data, message);
  }

  modalSubmit(input: ModalSubmission): InteractionHandle {
    const message =
      input.message === undefined
        ? undefined
        : this.state.message(typeof input.message === 'string' ? input.message : input.message.id);
    const layout = input.modal && Array.isArray(input.modal.components) ? modalFields(input.modal.components) : [];
    if (input.modal) {
      const known = new Set(layout.map(({ field }) => field.custom_id as string));
      for (const name of Object.keys(input.fields)) {
        if (!known.has(name))
          throw new DiscordServerError('UNKNOWN_MODAL_FIELD', `the modal has no field ${name}`, { fields: [...known] });
      }
    }
    const components = input.modal
      ? layout.map(({ field, layout: kind }) => {
          const value = {
            type: field.type ?? 4,
            custom_id: field.custom_id,
            value: input.fields[field.custom_id as string] ?? '',
          };
          return kind === 'label' ? { type: 18, component: value } : { type: 1, components: [value] };
        })
      : Object.entries(input.fields).map(([customId, value]) => ({
          type: 1,
          components: [{ type: 4, custom_id: customId, value }],
        }));
    const data: Json = { custom_id: input.customId, components };
    const context = {
      ...input,
      guildId: input.guildId ?? message?.guildId,
      channelId: input.channelId ?? message?.channelId,
    };
    return this.dispatch('modalSubmit', context, data, message);
  }

  handleFor(id: string): InteractionHandle {
    const record = this.state.interactions.get(id);
    if (!record) throw new DiscordServerError('UNKNOWN_MESSAGE', `no interaction ${id}`);
    return new InteractionHandle(record, this.state, this);
  }

  private where(input: InteractionContext): { guildId: string; channelId: string } {
    const guildId = input.guildId ?? [...this.state.guilds.keys()][0];
    if (!guildId) throw new DiscordServerError('UNKNOWN_GUILD', 'the server has no guilds');
    const guild = this.state.guild(guildId);
    const channelId = input.channelId ?? guild.channelIds[0];
    const channel = channelId ? this.state.channels.get(channelId) : undefined;
    if (!channel || channel.guildId !== guildId) {
      throw new DiscordServerError('UNKNOWN_CHANNEL', `guild ${guildId} has no channel ${String(channelId)}`, {
        guildId,
        channelId,
      });
    }
    return { guildId, channelId };
  }

  private user(input: UserInput | undefined): Json {
    const id = input?.id ?? this.defaultUser.id;
    const isDefault = id === this.defaultUser.id;
    return {
      id,
      username: input?.username ?? (isDefault ? this.defaultUser.username : `user${id.slice(-4)}`),
      global_name: input?.globalName !== undefined ? input.globalName : isDefault ? this.defaultUser.globalName : null,
      discriminator: '0',
      avatar: null,
      public_flags: 0,
      bot: false,
    };
  }

  private commandOptions(
    input: CommandInvocation,
    definition: Json | undefined,
    resolved: Json,
    focused: string | undefined,
  ): Json[] {
    let definitions = Array.isArray(definition?.options) ? (definition.options as Json[]) : undefined;
    const wrap: { type: number; name: string }[] = [];
    for (const [name, type] of [
      [input.subcommandGroup, OPTION_TYPES.subcommandGroup],
      [input.subcommand, OPTION_TYPES.subcommand],
    ] as const) {
      if (name === undefined) continue;
      if (definitions) {
        const nested = definitions.find((option) => option.name === name && option.type === type);
        if (!nested)
          throw new DiscordServerError(
            'UNKNOWN_OPTION',
            `command ${input.commandName} has no ${type === 1 ? 'subcommand' : 'group'} ${name}`,
          );
        definitions = Array.isArray(nested.options) ? (nested.options as Json[]) : [];
      }
      wrap.push({ type, name });
    }
    const leaves: Json[] = [];
    for (const [name, value] of Object.entries(input.options ?? {})) {
      const known = definitions?.find((option) => option.name === name);
      if (definitions && !known)
        throw new DiscordServerError('UNKNOWN_OPTION', `command ${input.commandName} has no option ${name}`);
      const type = (known?.type as number | undefined) ?? inferOptionType(value);
      leaves.push({
        name,
        type,
        value: this.optionValue(type, value, resolved, name === focused),
        ...(name === focused ? { focused: true } : {}),
      });
    }
    if (definitions && focused === undefined) {
      for (const option of definitions) {
        if (option.required === true && !(String(option.name) in (input.options ?? {}))) {
          throw new DiscordServerError(
            'MISSING_OPTION',
            `required option ${String(option.name)} of ${input.commandName} is missing`,
          );
        }
      }
    }
    let options = leaves;
    for (const level of wrap.reverse()) options = [{ ...level, options }];
    return options;
  }

  private optionValue(type: number, value: OptionValue, resolved: Json, focused: boolean): string | number | boolean {
    const raw = typeof value === 'object' && 'type' in value && 'value' in value ? value.value : value;
    // While typing, Discord sends whatever the user has typed so far as a string.
    if (focused) return typeof raw === 'object' ? '' : String(raw);
    if (isAttachment(raw)) {
      const attachments = (resolved.attachments ??= {}) as Json;
      attachments[raw.id] = raw;
      return raw.id;
    }
    if (typeof raw === 'object') throw new DiscordServerError('UNKNOWN_OPTION', 'unsupported option value');
    // Discord sends each value in its option's type, whatever the test (or a typed line) gave.
    if (type === OPTION_TYPES.string) return String(raw);
    if (type === OPTION_TYPES.integer || type === OPTION_TYPES.number) return Number(raw);
    if (type === OPTION_TYPES.boolean) return raw === true || raw === 'true';
    if (type === OPTION_TYPES.channel && typeof raw === 'string') {
      const channel = this.state.channels.get(raw);
      if (channel)
        ((resolved.channels ??= {}) as Json)[raw] = {
          ...this.state.apiChannel(channel),
          permissions: DEFAULT_APP_PERMISSIONS.toString(),
        };
    }
    if ((type === OPTION_TYPES.user || type === OPTION_TYPES.mentionable) && typeof raw === 'string') {
      ((resolved.users ??= {}) as Json)[raw] = this.user({ id: raw });
    }
    return raw;
  }

  private dispatch(
    kind: InteractionKind,
    input: InteractionContext,
    data: Json,
    sourceMessage?: RecordedMessage,
  ): InteractionHandle {
    const { guildId, channelId } = this.where(input);
    const guild = this.state.guild(guildId);
    const channel = this.state.channels.get(channelId)!;
    const id = this.state.ids.next();
    const token = `aW50ZXJhY3Rpb246${id}:${randomBytes(48).toString('base64url')}`;
    const appPermissions = BigInt(input.appPermissions ?? DEFAULT_APP_PERMISSIONS).toString();
    const user = this.user(input.user);
    const payload: Json = {
      id,
      application_id: this.state.config.applicationId,
      type: INTERACTION_TYPE[kind],
      token,
      version: 1,
      data,
      guild: { id: guildId, locale: guild.locale, features: [] },
      guild_id: guildId,
      channel: { ...this.state.apiChannel(channel), permissions: appPermissions },
      channel_id: channelId,
      member: {
        user,
        roles: [],
        premium_since: null,
        permissions: BigInt(input.memberPermissions ?? DEFAULT_MEMBER_PERMISSIONS).toString(),
        pending: false,
        nick: null,
        mute: false,
        deaf: false,
        joined_at: guild.joinedAt,
        flags: 0,
        avatar: null,
        banner: null,
        communication_disabled_until: null,
        unusual_dm_activity_until: null,
      },
      locale: input.locale ?? 'en-US',
      guild_locale: guild.locale,
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      app_permissions: appPermissions,
      attachment_size_limit: this.state.config.attachmentSizeLimit,
      ...(sourceMessage ? { message: this.state.apiMessage(sourceMessage) } : {}),
    };
    const now = performance.now();
    const record: InteractionRecord = {
      id,
      token,
      kind,
      guildId,
      channelId,
      userId: user.id as string,
      shardId: -1,
      createdAt: this.state.clock.now(),
      createdPerf: now,
      payload,
      sourceMessageId: sourceMessage?.id,
      followUpIds: [],
      events: [],
      requests: [],
      violations: [],
      lastActivityPerf: now,
    };
    this.state.interactions.set(id, record);
    this.state.interactionsByToken.set(token, record);
    record.shardId = this.gateway.dispatchToGuild(guildId, 'INTERACTION_CREATE', payload).shardId;
    this.state.debug(`dispatched ${kind} interaction ${id} to shard ${record.shardId}`);
    return new InteractionHandle(record, this.state, this);
  }
}

function isAttachment(value: unknown): value is ApiAttachment {
  return typeof value === 'object' && value !== null && 'filename' in value && 'url' in value && 'id' in value;
}

function inferOptionType(value: OptionValue): number {
  if (typeof value === 'object' && 'type' in value && 'value' in value) return value.type;
  if (isAttachment(value)) return OPTION_TYPES.attachment;
  if (typeof value === 'boolean') return OPTION_TYPES.boolean;
  if (typeof value === 'number') return Number.isInteger(value) ? OPTION_TYPES.integer : OPTION_TYPES.number;
  return OPTION_TYPES.string;
}

function walkComponents(components: unknown[], visit: (component: Json) => void): void {
  for (const component of components) {
    if (typeof component !== 'object' || component === null) continue;
    const json = component as Json;
    visit(json);
    if (Array.isArray(json.components)) walkComponents(json.components, visit);
    if (json.accessory) walkComponents([json.accessory], visit);
  }
}

export function findComponent(components: unknown[], customId: string): Json | undefined {
  let found: Json | undefined;
  walkComponents(components, (component) => {
    if (!found && component.custom_id === customId) found = component;
  });
  return found;
}

function listCustomIds(components: unknown[]): string[] {
  const ids: string[] = [];
  walkComponents(components, (component) => typeof component.custom_id === 'string' && ids.push(component.custom_id));
  return ids;
}

/** Follows one interaction: what the bot answered, edited and sent, with timings and requests. */
export class InteractionHandle {
  constructor(
    private readonly record: InteractionRecord,
    private readonly state: DiscordState,
    private readonly driver: InteractionDriver,
  ) {}

  get id(): string {
    return this.record.id;
  }
  get token(): string {
    return this.record.token;
  }
  get kind(): InteractionKind {
    return this.record.kind;
  }
  get guildId(): string {
    return this.record.guildId;
  }
  get channelId(): string {
    return this.record.channelId;
  }
  get shardId(): number {
    return this.record.shardId;
  }
  /** The INTERACTION_CREATE payload as dispatched. */
  get payload(): Json {
    return this.record.payload;
  }
  get dispatchedAt(): number {
    return this.record.createdAt;
  }
  /** The accepted initial response (callback), if any. */
  get acknowledgement(): ResponseEvent | undefined {
    return this.record.acknowledgement;
  }
  get events(): ResponseEvent[] {
    return [...this.record.events];
  }
  get original(): RecordedMessage | undefined {
    const id = this.record.originalMessageId;
    const message = id ? this.state.messages.get(id) : undefined;
    return message && !message.deleted ? message : undefined;
  }
  get followUps(): RecordedMessage[] {
    return this.record.followUpIds.map((id) => this.state.messages.get(id)!).filter((message) => !message.deleted);
  }
  /** Original response (if any) then follow-ups, as the user sees them now. */
  get messages(): RecordedMessage[] {
    return [...(this.original ? [this.original] : []), ...this.followUps];
  }
  get choices(): Json[] | undefined {
    return this.record.choices;
  }
  get modal(): Json | undefined {
    return this.record.modal;
  }
  /** Every request the bot made with this interaction's id or token. */
  get requests(): RequestRecord[] {
    return [...this.record.requests];
  }
  get violations(): Violation[] {
    return [...this.record.violations];
  }

  outcome(): InteractionOutcome {
    const ack = this.record.acknowledgement;
    return {
      acknowledged: ack !== undefined,
      callbackType: ack?.callbackType,
      deferred: ack?.callbackType === 5 || ack?.callbackType === 6,
      original: this.original,
      followUps: this.followUps,
      choices: this.record.choices,
      modal: this.record.modal,
      events: this.events,
      violations: this.violations,
    };
  }

  /** Resolves with the accepted initial response; rejects if the bot answered late or not at all. */
  firstResponse({ timeoutMs = this.state.config.responseDeadlineMs + 2000 } = {}): Promise<ResponseEvent> {
    return this.state.waitUntil(
      () => {
        if (this.record.acknowledgement) return this.record.acknowledgement;
        const late = this.record.violations.find((violation) => violation.rule === 'INTERACTION_RESPONSE_LATE');
        if (late)
          throw new DiscordServerError('NO_RESPONSE', `interaction ${this.id} was answered too late`, {
            violation: late,
          });
        return undefined;
      },
      timeoutMs,
      () => new DiscordServerError('NO_RESPONSE', `no response to interaction ${this.id} within ${timeoutMs} ms`),
      { poll: false },
    );
  }

  /** Waits until the predicate holds, re-checked after every recorded change. */
  async waitFor(
    predicate: (handle: InteractionHandle) => boolean,
    { timeoutMs = 5000 } = {},
  ): Promise<InteractionHandle> {
    return this.state.waitUntil(
      () => (predicate(this) ? this : undefined),
      timeoutMs,
      () =>
        new DiscordServerError('TIMEOUT', `interaction ${this.id}: condition not met within ${timeoutMs} ms`, {
          outcome: this.outcome(),
        }),
    );
  }

  /**
   * Waits for the first response (or the deadline), then until the bot has been quiet for
   * `quietMs`, and returns what the user finally sees.
   */
  async settled({
    quietMs = 150,
    timeoutMs = this.state.config.responseDeadlineMs + 5000,
  } = {}): Promise<InteractionOutcome> {
    const started = performance.now();
    const first = await this.firstResponse({ timeoutMs }).catch(() => undefined);
    // A deferred response is unfinished business: the user sees "thinking…" (or nothing) until
    // the bot edits. Wait for that edit rather than trusting a quiet period.
    if (first?.callbackType === 5 || first?.callbackType === 6) {
      const remaining = Math.max(0, timeoutMs - (performance.now() - started));
      await this.waitFor((handle) => handle.record.events.some((event) => event.kind !== 'callback'), {
        timeoutMs: remaining,
      }).catch(() => undefined);
    }
    for (;;) {
      const quietFor = performance.now() - this.record.lastActivityPerf;
      if (quietFor >= quietMs || performance.now() - started >= timeoutMs) return this.outcome();
      await new Promise((resolve) => setTimeout(resolve, quietMs - quietFor));
    }
  }

  /** The message the user would click on: the original response, else the newest follow-up that has the component. */
  private messageWith(customId: string): RecordedMessage {
    const candidates = [...(this.original ? [this.original] : []), ...this.followUps.reverse()];
    const message = candidates.find((candidate) => findComponent(candidate.components, customId));
    if (!message)
      throw new DiscordServerError(
        'UNKNOWN_COMPONENT',
        `no response to interaction ${this.id} has a component ${customId}`,
      );
    return message;
  }

  /** The same user clicks a button on this interaction's response. */
  click(customId: string, context: InteractionContext = {}): InteractionHandle {
    return this.driver.component({ ...this.sameUser(), ...context, message: this.messageWith(customId), customId });
  }

  /** The same user picks values in a select menu on this interaction's response. */
  select(customId: string, values: string[], context: InteractionContext = {}): InteractionHandle {
    return this.driver.component({
      ...this.sameUser(),
      ...context,
      message: this.messageWith(customId),
      customId,
      values,
    });
  }

  /** The same user fills in and submits the modal the bot showed in answer to this interaction. */
  submitModal(fields: Record<string, string>, context: InteractionContext = {}): InteractionHandle {
    const modal = this.record.modal;
    if (!modal) throw new DiscordServerError('NO_MODAL', `interaction ${this.id} was not answered with a modal`);
    return this.driver.modalSubmit({
      ...this.sameUser(),
      ...context,
      customId: modal.custom_id as string,
      fields,
      modal,
      message: this.record.sourceMessageId,
    });
  }

  private sameUser(): InteractionContext {
    const member = this.record.payload.member as Json;
    const user = member.user as Json;
    return {
      guildId: this.record.guildId,
      channelId: this.record.channelId,
      user: { id: user.id as string, username: user.username as string, globalName: user.global_name as string | null },
      locale: this.record.payload.locale as string,
      memberPermissions: member.permissions as string,
    };
  }
}
