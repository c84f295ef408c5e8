// SQL for learning from channels: per-server settings, listened channels and reply
// chances, opted-in members, and collected messages. Every statement is keyed by guild id; no
// method reads or changes another server's rows. It works on the process's one connection to the
// database (the manager's: ModelManager.learningStore()).
import type { SqliteDatabase } from './database.js';

export type PrivacyMode = 'open' | 'opt-in';
export type StoredCleanMode = 'strip' | 'replace' | 'off';

export interface LearningSettings {
  privacyMode: PrivacyMode;
  /** 0–100: chance of answering a message in a listened channel without its own setting. */
  replyChance: number;
  cleanMode: StoredCleanMode;
  /** A trained message was edited, deleted or forgotten since the last retraining: rebuild. */
  dirty: boolean;
  lastBatchAt: number | null;
}

export interface ChannelSettings {
  channelId: string;
  listening: boolean;
  /** null: the server's chance applies (to listened channels). */
  replyChance: number | null;
}

export interface CollectedMessage {
  messageId: string;
  channelId: string;
  authorId: string;
  content: string;
  createdAt: number;
}

const DEFAULTS: LearningSettings = {
  privacyMode: 'open',
  replyChance: 0,
  cleanMode: 'strip',
  dirty: false,
  lastBatchAt: null,
};

export class LearningStore {
  constructor(private readonly db: SqliteDatabase) {}

  /**
   * Runs a write of a chat message (kept, edited, deleted) with synchronous = NORMAL, then puts
   * the connection's level back. Each is a transaction on the event loop: with FULL every one
   * waits for an fsync (about 4 times slower). NORMAL (WAL) survives a crash of the process; a
   * power cut may lose the last few chat messages, never the models, their rows or a setting,
   * which the connection writes with FULL (a FULL commit also syncs the NORMAL ones before it).
   */
  private relaxed<T>(write: () => T): T {
    const level = this.db.pragma('synchronous', { simple: true }) as number;
    this.db.pragma('synchronous = NORMAL');
    try {
      return write();
    } finally {
      this.db.pragma(`synchronous = ${level}`);
    }
  }

  // ---- settings -----------------------------------------------------------------------------

  settings(guildId: string): LearningSettings {
    const row = this.db
      .prepare(
        'SELECT privacy_mode, reply_chance, clean_mode, dirty, last_batch_at FROM learning_settings WHERE guild_id = ?',
      )
      .get(guildId) as
      | {
          privacy_mode: PrivacyMode;
          reply_chance: number;
          clean_mode: StoredCleanMode;
          dirty: number;
          last_batch_at: number | null;
        }
      | undefined;
    if (!row) return { ...DEFAULTS };
    return {
      privacyMode: row.privacy_mode,
      replyChance: row.reply_chance,
      cleanMode: row.clean_mode,
      dirty: row.dirty === 1,
      lastBatchAt: row.last_batch_at,
    };
  }

  private ensureSettings(guildId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO learning_settings (guild_id) VALUES (?)').run(guildId);
  }

  setPrivacyMode(guildId: string, mode: PrivacyMode): void {
    this.ensureSettings(guildId);
    this.db.prepare('UPDATE learning_settings SET privacy_mode = ? WHERE guild_id = ?').run(mode, guildId);
  }

  setServerReplyChance(guildId: string, chance: number): void {
    this.ensureSettings(guildId);
    this.db.prepare('UPDATE learning_settings SET reply_chance = ? WHERE guild_id = ?').run(chance, guildId);
  }

  setCleanMode(guildId: string, mode: StoredCleanMode): void {
    this.ensureSettings(guildId);
    this.db.prepare('UPDATE learning_settings SET clean_mode = ? WHERE guild_id = ?').run(mode, guildId);
  }

  markBatch(guildId: string, at: number, trainedUpTo: { createdAt: number; rebuilt: boolean }): void {
    this.db.transaction(() => {
      this.ensureSettings(guildId);
      this.db
        .prepare('UPDATE collected_messages SET trained = 1 WHERE guild_id = ? AND created_at <= ?')
        .run(guildId, trainedUpTo.createdAt);
      this.db
        .prepare(
          `UPDATE learning_settings SET last_batch_at = ?${trainedUpTo.rebuilt ? ', dirty = 0' : ''} WHERE guild_id = ?`,
        )
        .run(at, guildId);
    })();
  }

  // ---- channels -----------------------------------------------------------------------------

  channels(guildId: string): ChannelSettings[] {
    const rows = this.db
      .prepare(
        'SELECT channel_id, listening, reply_chance FROM learning_channels WHERE guild_id = ? ORDER BY channel_id',
      )
      .all(guildId) as { channel_id: string; listening: number; reply_chance: number | null }[];
    return rows.map((row) => ({
      channelId: row.channel_id,
      listening: row.listening === 1,
      replyChance: row.reply_chance,
    }));
  }

  channel(guildId: string, channelId: string): ChannelSettings {
    const row = this.db
      .prepare('SELECT listening, reply_chance FROM learning_channels WHERE guild_id = ? AND channel_id = ?')
      .get(guildId, channelId) as { listening: number; reply_chance: number | null } | undefined;
    return { channelId, listening: row?.listening === 1, replyChance: row?.reply_chance ?? null };
  }

  setListening(guildId: string, channelId: string, listening: boolean): boolean {
    const before = this.channel(guildId, channelId).listening;
    this.db
      .prepare(
        'INSERT INTO learning_channels (guild_id, channel_id, listening) VALUES (?, ?, ?) ON CONFLICT (guild_id, channel_id) DO UPDATE SET listening = excluded.listening',
      )
      .run(guildId, channelId, listening ? 1 : 0);
    return before !== listening;
  }

  setChannelReplyChance(guildId: string, channelId: string, chance: number): void {
    this.db
      .prepare(
        'INSERT INTO learning_channels (guild_id, channel_id, reply_chance) VALUES (?, ?, ?) ON CONFLICT (guild_id, channel_id) DO UPDATE SET reply_chance = excluded.reply_chance',
      )
      .run(guildId, channelId, chance);
  }

  // ---- members (opt-in mode) ----------------------------------------------------------------

  isMember(guildId: string, userId: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM learning_members WHERE guild_id = ? AND user_id = ?').get(guildId, userId) !==
      undefined
    );
  }

  setMember(guildId: string, userId: string, joined: boolean): void {
    if (joined)
      this.db.prepare('INSERT OR IGNORE INTO learning_members (guild_id, user_id) VALUES (?, ?)').run(guildId, userId);
    else this.db.prepare('DELETE FROM learning_members WHERE guild_id = ? AND user_id = ?').run(guildId, userId);
  }

  // ---- collected messages -------------------------------------------------------------------

  /**
   * Keeps a message; with `cap`, beyond `cap` messages the server's oldest are dropped (counting
   * is O(messages), so callers check the cap every so many messages, not on each).
   */
  collect(guildId: string, message: CollectedMessage, cap: number | null): void {
    this.relaxed(
      this.db.transaction(() => {
        this.db
          .prepare(
            'INSERT OR IGNORE INTO collected_messages (guild_id, message_id, channel_id, author_id, content, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(guildId, message.messageId, message.channelId, message.authorId, message.content, message.createdAt);
        if (cap === null) return;
        const { count } = this.db
          .prepare('SELECT COUNT(*) AS count FROM collected_messages WHERE guild_id = ?')
          .get(guildId) as { count: number };
        if (count > cap) {
          this.db
            .prepare(
              'DELETE FROM collected_messages WHERE guild_id = ? AND message_id IN (SELECT message_id FROM collected_messages WHERE guild_id = ? ORDER BY created_at, message_id LIMIT ?)',
            )
            .run(guildId, guildId, count - cap);
        }
      }),
    );
  }

  /** An edit: the new text replaces the old; a trained message makes the next retraining a rebuild. */
  edit(guildId: string, messageId: string, content: string): boolean {
    return this.changeTrained(guildId, () =>
      this.db
        .prepare('UPDATE collected_messages SET content = ? WHERE guild_id = ? AND message_id = ? RETURNING trained')
        .all(content, guildId, messageId),
    );
  }

  remove(guildId: string, messageId: string): boolean {
    return this.changeTrained(guildId, () =>
      this.db
        .prepare('DELETE FROM collected_messages WHERE guild_id = ? AND message_id = ? RETURNING trained')
        .all(guildId, messageId),
    );
  }

  forgetAuthor(guildId: string, authorId: string): number {
    return this.forget(guildId, () =>
      this.db
        .prepare('DELETE FROM collected_messages WHERE guild_id = ? AND author_id = ? RETURNING trained')
        .all(guildId, authorId),
    );
  }

  forgetChannel(guildId: string, channelId: string): number {
    return this.forget(guildId, () =>
      this.db
        .prepare('DELETE FROM collected_messages WHERE guild_id = ? AND channel_id = ? RETURNING trained')
        .all(guildId, channelId),
    );
  }

  /** Oldest first; `untrainedOnly` for an append batch, everything for a rebuild. */
  messages(guildId: string, { untrainedOnly }: { untrainedOnly: boolean }): CollectedMessage[] {
    const rows = this.db
      .prepare(
        `SELECT message_id, channel_id, author_id, content, created_at FROM collected_messages WHERE guild_id = ?${untrainedOnly ? ' AND trained = 0' : ''} ORDER BY created_at, message_id`,
      )
      .all(guildId) as {
      message_id: string;
      channel_id: string;
      author_id: string;
      content: string;
      created_at: number;
    }[];
    return rows.map((row) => ({
      messageId: row.message_id,
      channelId: row.channel_id,
      authorId: row.author_id,
      content: row.content,
      createdAt: row.created_at,
    }));
  }

  counts(guildId: string): { messages: number; untrained: number; bytes: number } {
    const row = this.db
      .prepare(
        'SELECT COUNT(*) AS messages, COALESCE(SUM(trained = 0), 0) AS untrained, COALESCE(SUM(LENGTH(CAST(content AS BLOB))), 0) AS bytes FROM collected_messages WHERE guild_id = ?',
      )
      .get(guildId) as { messages: number; untrained: number; bytes: number };
    return row;
  }

  /** Servers with something for the next batch: new messages, or a change that needs a rebuild. */
  guildsWithWork(): string[] {
    const rows = this.db
      .prepare(
        'SELECT DISTINCT guild_id FROM collected_messages WHERE trained = 0 UNION SELECT guild_id FROM learning_settings WHERE dirty = 1',
      )
      .all() as { guild_id: string }[];
    return rows.map((row) => row.guild_id);
  }

  private changeTrained(guildId: string, change: () => unknown[]): boolean {
    return this.relaxed(
      this.db.transaction(() => {
        const rows = change() as { trained: number }[];
        if (rows.some((row) => row.trained === 1)) this.markDirty(guildId);
        return rows.length > 0;
      }),
    );
  }

  private forget(guildId: string, change: () => unknown[]): number {
    return this.db.transaction(() => {
      const rows = change() as { trained: number }[];
      if (rows.some((row) => row.trained === 1)) this.markDirty(guildId);
      return rows.length;
    })();
  }

  private markDirty(guildId: string): void {
    this.ensureSettings(guildId);
    this.db.prepare('UPDATE learning_settings SET dirty = 1 WHERE guild_id = ?').run(guildId);
  }
}
