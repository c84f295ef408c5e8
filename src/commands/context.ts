// The one seam between commands and the outside world. commands/*.ts receive a CommandContext;
// the Discord adapter (src/discord/), the local console (src/console/) and the tests each build
// one. Replies are renderer-neutral: the adapter maps them onto Discord messages or the terminal.
import type { Actor, ModelManagerApi, TrainingSource } from '../manager/types.js';
import type { Locale, Translate } from '../i18n/index.js';
import type { CleanMode } from '../ingest/clean.js';
import type { ChannelLearning } from '../manager/channel-learning.js';

export type { Actor, Locale, Translate };

export interface ReplyField {
  name: string;
  value: string;
  inline?: boolean;
}

export type Tone = 'info' | 'success' | 'warning' | 'danger';

export interface ReplyEmbed {
  title?: string;
  description?: string;
  fields?: ReplyField[];
  footer?: string;
  tone?: Tone;
}

export interface ReplyButton {
  kind: 'button';
  /** ≤ 100 characters. */
  id: string;
  label: string;
  style: 'primary' | 'secondary' | 'success' | 'danger';
  disabled?: boolean;
}

interface ReplySelect {
  kind: 'select';
  id: string;
  placeholder?: string;
  /** ≤ 25 options. */
  options: { label: string; value: string; description?: string; default?: boolean }[];
  disabled?: boolean;
}

/** One action row: up to 5 buttons, or exactly one select menu. */
export type ReplyRow = ReplyButton[] | [ReplySelect];

interface ReplyFile {
  name: string;
  data: Uint8Array;
}

export interface Reply {
  /** ≤ 2000 characters; adapters never let it ping anyone. */
  content?: string;
  embeds?: ReplyEmbed[];
  /** ≤ 5 rows. An empty array removes the components of an edited message. */
  components?: ReplyRow[];
  files?: ReplyFile[];
  /** Only the invoking user sees it (initial replies and follow-ups). */
  ephemeral?: boolean;
}

interface ModalField {
  id: string;
  label: string;
  style: 'short' | 'paragraph';
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  placeholder?: string;
  value?: string;
}

export interface ModalSpec {
  id: string;
  title: string;
  fields: ModalField[];
}

/** A button press, select choice or modal submission that a command awaited. */
export interface ComponentInteraction {
  kind: 'button' | 'select' | 'modal';
  customId: string;
  /** Select menus: the chosen values. */
  values: string[];
  /** Modals: field id → submitted text. */
  fields: Record<string, string>;
  user: Actor;
  locale: Locale;
  /** Edits the message that holds the component (Discord's UPDATE_MESSAGE). */
  update(reply: Reply): Promise<void>;
  /** Acknowledges without changing anything yet; follow with edit via the command context. */
  deferUpdate(): Promise<void>;
  /** A new reply to this interaction (e.g. an ephemeral error). */
  reply(reply: Reply): Promise<void>;
  /** Only for buttons and selects. */
  showModal(modal: ModalSpec): Promise<void>;
  /** After showModal: the submission, or null when it does not come in time. */
  awaitModal(modalId: string, timeoutMs: number): Promise<ComponentInteraction | null>;
}

export interface AwaitComponentOptions {
  /** Custom ids (exact) that end the wait. */
  ids: string[];
  timeoutMs: number;
  /**
   * Presses by other users than the invoking one: 'reject' answers them with an ephemeral
   * NOT_YOUR_BUTTON and keeps waiting; 'accept' lets anyone press.
   */
  others?: 'reject' | 'accept';
  /** Aborting ends the wait early with null (e.g. when a command races two waits). */
  signal?: AbortSignal;
}

export interface AttachmentOption extends TrainingSource {}

export type OptionValue = string | number | boolean | AttachmentOption;

export interface CommandContext {
  /** null outside a guild; every command here is guild-only. */
  guildId: string | null;
  channelId: string | null;
  user: Actor;
  /** The user's locale, falling back to the guild's, then English. */
  locale: Locale;
  t: Translate;
  /** Whether the member has Manage Server (adapters compute it from member permissions). */
  canManageGuild: boolean;
  /** Parsed options by name; attachments as AttachmentOption. */
  options: Record<string, OptionValue | undefined>;
  manager: ModelManagerApi;
  /** Acknowledge now, answer later (Discord: within 3 s of the command). */
  defer(options?: { ephemeral?: boolean }): Promise<void>;
  /** The first answer, or an edit of the deferred one. */
  reply(reply: Reply): Promise<void>;
  /** Edits the original answer. Callers throttle progress edits (≥ 3 s apart). */
  edit(reply: Reply): Promise<void>;
  followUp(reply: Reply): Promise<void>;
  /** Only as the first answer to the command. */
  showModal(modal: ModalSpec): Promise<void>;
  /**
   * Waits for a press on a component of the original answer. null on timeout. A modal opened
   * from one of its components is delivered here too (kind 'modal') when its id is listed;
   * adapters that cannot tell which message a modal came from deliver it via awaitModal only.
   */
  awaitComponent(options: AwaitComponentOptions): Promise<ComponentInteraction | null>;
  /**
   * Posts a plain message in the channel, for results that outlive the interaction token
   * (15 minutes). Returns false when that is not possible (no permission, no channel).
   */
  postToChannel(reply: Reply): Promise<boolean>;
  /** Milliseconds since the epoch (injectable for tests). */
  now(): number;
  /** Process-wide facts and shared state; absent in contexts that have none (then defaults apply). */
  bot?: BotInfo;
  /** Reading and listening to the server's channels; absent where there are none (the console). */
  channels?: ChannelAccess;
  /** Listened channels, reply chances, privacy, collected messages; absent without LEARN_FROM_CHANNELS. */
  learning?: ChannelLearning;
  /** Largest file the bot may upload in this server (Discord's `attachment_size_limit`); absent: no limit known. */
  attachmentSizeLimit?: number;
}

export interface ChannelHistoryRequest {
  /** Newest messages first, at most this many (1–100,000). */
  limit: number;
  /** Only messages at or after this instant (epoch ms). */
  since: number | null;
  clean: CleanMode;
}

/** What the Discord adapter offers commands about channels; every method refuses with UserErrors. */
export interface ChannelAccess {
  /** False when LEARN_FROM_CHANNELS is off or Discord refused the Message Content intent. */
  readonly enabled: boolean;
  /**
   * A channel's (or thread's) history as a training source. The bot's permissions there are
   * checked at once (CHANNEL_PERMISSION_MISSING naming the first one missing); the messages are
   * fetched only when the training runs, 100 per request, bots' messages left out.
   */
  historySource(guildId: string, channelId: string, request: ChannelHistoryRequest): TrainingSource;
  /** Refuses a channel of another server, not a text channel, or one the bot cannot see. */
  checkReadable(guildId: string, channelId: string): void;
}

/** What the adapter knows about the running bot, for /status and the /generate cooldown. */
export interface BotInfo {
  version: string;
  /** Milliseconds since the epoch when the process started. */
  startedAt: number;
  /** Per-user cooldown of /generate; absent = no cooldown (e.g. the single-user console). */
  generateCooldown?: CooldownGate;
}

export interface CooldownGate {
  /**
   * Takes the user's turn: 0 when allowed (and the cooldown restarts now), otherwise the
   * milliseconds left, without restarting it.
   */
  take(key: string, now: number): number;
}

/** What every file in commands/ exports. `data` is a discord.js SlashCommandBuilder. */
export interface CommandModule {
  data: { name: string; toJSON(): unknown };
  execute(ctx: CommandContext): Promise<void>;
  /** Autocomplete of a focused string option; ≤ 25 choices, answered within 3 s. */
  autocomplete?(ctx: AutocompleteContext): Promise<{ name: string; value: string }[]>;
}

export interface AutocompleteContext {
  guildId: string | null;
  user: Actor;
  locale: Locale;
  t: Translate;
  focused: { name: string; value: string };
  manager: ModelManagerApi;
}
