// Live learning from listened channels: which channels are listened to, whose messages
// may be kept (privacy mode), what is kept (learning-store.ts), when replies are allowed, and the
// batch retraining that turns collected messages into the server's working model through the
// manager's ordinary training (worker thread, job lock, quotas) every LISTEN_BATCH_MINUTES.
//
// Batches: new messages only → appended to the working model (or a new one when there is none);
// a trained message edited, deleted or forgotten since → the model is rebuilt from every kept
// message (mode new), since an n-gram model cannot unlearn one sentence.
import { UserError, isUserError } from '../errors.js';
import type { CleanMode } from '../ingest/clean.js';
import type { LearningStore, ChannelSettings, LearningSettings, PrivacyMode } from '../store/learning-store.js';
import type { ModelManagerApi, TrainingSource } from './types.js';

export type { ChannelSettings, LearningSettings, PrivacyMode };

const DEFAULT_COLLECTED_PER_GUILD = 50_000;
/** Kept messages between two checks of a server's cap (counting them is O(messages)). */
export const CAP_CHECK_EVERY = 64;
/** The actor the catalog records for listening batches. */
const LISTEN_ACTOR = { id: '0', name: 'listening' } as const;

export interface ObservedMessage {
  guildId: string;
  channelId: string;
  /** A thread's parent: a message in a thread of a listened channel is collected too. */
  parentChannelId?: string | null;
  messageId: string;
  authorId: string;
  authorIsBot: boolean;
  content: string;
  createdAt: number;
}

export type BatchOutcome = 'nothing' | 'appended' | 'rebuilt' | 'busy' | 'failed';

export interface ChannelLearningOptions {
  /** The learning tables on the process's one connection (ModelManager.learningStore()). */
  store: LearningStore;
  /** Collected messages kept per server; the oldest go first. */
  maxMessagesPerGuild?: number;
  batchIntervalMs: number;
  now?: () => number;
  onBatchError?: (guildId: string, error: unknown) => void;
  /** With several shard processes on one database, each retrains only the servers it serves. */
  ownsGuild?: (guildId: string) => boolean;
}

export class ChannelLearning {
  private readonly store: LearningStore;
  private readonly cap: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly sinceCapCheck = new Map<string, number>();
  private running: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly manager: ModelManagerApi,
    private readonly options: ChannelLearningOptions,
  ) {
    this.store = options.store;
    this.cap = options.maxMessagesPerGuild ?? DEFAULT_COLLECTED_PER_GUILD;
  }

  // ---- settings -----------------------------------------------------------------------------

  settings(guildId: string): LearningSettings {
    return this.store.settings(guildId);
  }

  channels(guildId: string): ChannelSettings[] {
    return this.store.channels(guildId);
  }

  /** Listened channels, by id. */
  listened(guildId: string): string[] {
    return this.store
      .channels(guildId)
      .filter((channel) => channel.listening)
      .map((channel) => channel.channelId);
  }

  /** Whether the setting changed. */
  setListening(guildId: string, channelId: string, listening: boolean): boolean {
    return this.store.setListening(guildId, channelId, listening);
  }

  /** `channelId` null: the chance in every listened channel without its own. */
  setReplyChance(guildId: string, channelId: string | null, chance: number): void {
    if (!Number.isFinite(chance) || chance < 0 || chance > 100)
      throw new UserError('INVALID_PARAMETER', { name: 'chance', value: String(chance), reason: '0–100' });
    if (channelId === null) this.store.setServerReplyChance(guildId, chance);
    else this.store.setChannelReplyChance(guildId, channelId, chance);
  }

  /** The channel's own chance, else the server's in a listened channel, else 0. */
  replyChance(guildId: string, channelId: string, parentChannelId?: string | null): number {
    const own = this.store.channel(guildId, channelId);
    if (own.replyChance !== null) return own.replyChance;
    const parent = parentChannelId ? this.store.channel(guildId, parentChannelId) : null;
    if (parent?.replyChance !== null && parent?.replyChance !== undefined) return parent.replyChance;
    return own.listening || parent?.listening ? this.store.settings(guildId).replyChance : 0;
  }

  setPrivacyMode(guildId: string, mode: PrivacyMode): void {
    this.store.setPrivacyMode(guildId, mode);
  }

  setCleanMode(guildId: string, mode: CleanMode): void {
    this.store.setCleanMode(guildId, mode);
  }

  /** /privacy join: in opt-in mode, this member's messages are collected from now on. */
  join(guildId: string, userId: string): void {
    this.store.setMember(guildId, userId, true);
  }

  /** /privacy leave: not collected any more, and forgotten as with /forget me. */
  leave(guildId: string, userId: string): number {
    this.store.setMember(guildId, userId, false);
    return this.store.forgetAuthor(guildId, userId);
  }

  isMember(guildId: string, userId: string): boolean {
    return this.store.isMember(guildId, userId);
  }

  forgetMember(guildId: string, userId: string): number {
    return this.store.forgetAuthor(guildId, userId);
  }

  forgetChannel(guildId: string, channelId: string): number {
    return this.store.forgetChannel(guildId, channelId);
  }

  counts(guildId: string): { messages: number; untrained: number; bytes: number } {
    return this.store.counts(guildId);
  }

  // ---- what happens in channels --------------------------------------------------------------

  /**
   * A new message: kept when its channel (or its thread's channel) is listened and the privacy mode allows its author.
   */
  observe(message: ObservedMessage): boolean {
    if (this.closed || message.authorIsBot || message.content.trim() === '') return false;
    const listened =
      this.store.channel(message.guildId, message.channelId).listening ||
      (message.parentChannelId ? this.store.channel(message.guildId, message.parentChannelId).listening : false);
    if (!listened) return false;
    if (
      this.store.settings(message.guildId).privacyMode === 'opt-in' &&
      !this.store.isMember(message.guildId, message.authorId)
    )
      return false;
    // The cap is checked on a server's first message and then every CAP_CHECK_EVERY: between two
    // checks a server may hold up to that many messages more than its cap.
    const since = this.sinceCapCheck.get(message.guildId) ?? CAP_CHECK_EVERY;
    const check = since >= CAP_CHECK_EVERY;
    this.sinceCapCheck.set(message.guildId, check ? 1 : since + 1);
    this.store.collect(
      message.guildId,
      {
        messageId: message.messageId,
        channelId: message.channelId,
        authorId: message.authorId,
        content: message.content,
        createdAt: message.createdAt,
      },
      check ? this.cap : null,
    );
    return true;
  }

  observeEdit(guildId: string, messageId: string, content: string): boolean {
    if (this.closed) return false;
    return this.store.edit(guildId, messageId, content);
  }

  observeDelete(guildId: string, messageId: string): boolean {
    if (this.closed) return false;
    return this.store.remove(guildId, messageId);
  }

  // ---- batches ------------------------------------------------------------------------------

  /** Runs a batch for every server with work every `batchIntervalMs`. */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.runAll(), this.options.batchIntervalMs);
    this.timer.unref();
  }

  /** One batch per server with work, one after another (each is an ordinary training job). */
  runAll(): Promise<Map<string, BatchOutcome>> {
    const work = this.running.then(async () => {
      const outcomes = new Map<string, BatchOutcome>();
      for (const guildId of this.store.guildsWithWork()) {
        if (this.closed) break;
        if (this.options.ownsGuild && !this.options.ownsGuild(guildId)) continue;
        outcomes.set(guildId, await this.runBatch(guildId));
      }
      return outcomes;
    });
    this.running = work.catch(() => undefined);
    return work;
  }

  async runBatch(guildId: string): Promise<BatchOutcome> {
    const settings = this.store.settings(guildId);
    const rebuild = settings.dirty;
    const messages = this.store.messages(guildId, { untrainedOnly: !rebuild });
    const working = this.manager.status(guildId).active.kind !== 'none';
    if (messages.length === 0) {
      if (!rebuild) return 'nothing';
      // Everything collected was forgotten: the next collected messages start a new model.
      this.store.markBatch(guildId, this.now(), { createdAt: Number.MAX_SAFE_INTEGER, rebuilt: true });
      return 'rebuilt';
    }
    const newest = messages[messages.length - 1].createdAt;
    const source: TrainingSource = {
      name: 'listened-messages.json',
      size: 0,
      contentType: 'application/json',
      clean: settings.cleanMode,
      produce: async ({ maxBytes, tooLarge, onFraction }) => {
        const bytes = new TextEncoder().encode(JSON.stringify(messages.map((message) => message.content)));
        if (bytes.byteLength > maxBytes) throw tooLarge(bytes.byteLength);
        onFraction(1);
        return bytes;
      },
    };
    try {
      await this.manager.train(guildId, LISTEN_ACTOR, [source], {}, rebuild || !working ? 'new' : 'append');
      this.store.markBatch(guildId, this.now(), { createdAt: newest, rebuilt: rebuild });
      return rebuild ? 'rebuilt' : 'appended';
    } catch (error) {
      if (isUserError(error) && (error.code === 'ALREADY_TRAINING' || error.code === 'JOBS_BUSY')) return 'busy';
      // Nothing learnable after cleaning (links only, commands only): those messages are done.
      if (isUserError(error) && (error.code === 'EMPTY_FILE' || error.code === 'EMPTY_INPUT')) {
        this.store.markBatch(guildId, this.now(), { createdAt: newest, rebuilt: rebuild });
        return 'nothing';
      }
      this.options.onBatchError?.(guildId, error);
      return 'failed';
    }
  }

  /** Stops the batches and waits for a running one; the database connection is the manager's to close. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
