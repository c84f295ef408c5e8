// Per-guild values read from SQLite (the working model of each guild), kept for as long as the
// database cannot have changed. Each /generate used to read the guild's state row (and, for a
// saved model, its model row) on every call; now it costs one PRAGMA data_version.
//
// Validity. Everything is dropped when either
//   - this process wrote anything through its catalog (`writeCount`, bumped by every writing
//     statement, committed or not: SQLite's data_version ignores a connection's own commits), or
//   - any other connection committed anything (`dataVersion`, PRAGMA data_version: other shard
//     processes, the console working on the same data directory, a second connection here).
// So a cached value is exactly what a query would return at the moment of the check; the check
// costs about half a query and nothing is ever served after a change, wherever it came from.

export interface ChangeSource {
  /** PRAGMA data_version of the connection the values are read through. */
  dataVersion(): number;
  /** Writing statements run through that connection's catalog so far. */
  readonly writeCount: number;
}

/** Past this many guilds the cache starts over (a shard serves about 2,500 guilds at most). */
const MAX_ENTRIES = 20_000;

export class GuildStateCache<V> {
  private readonly entries = new Map<string, V>();
  private dataVersion = Number.NaN;
  private writeCount = Number.NaN;

  constructor(private readonly source: ChangeSource) {}

  /**
   * The value cached for `key`, or undefined when there is none or the database may have changed
   * since it was read (then every entry is dropped). A miss is followed by the caller's query and
   * `set`, synchronously.
   */
  get(key: string): V | undefined {
    const dataVersion = this.source.dataVersion();
    const writeCount = this.source.writeCount;
    if (dataVersion !== this.dataVersion || writeCount !== this.writeCount) {
      this.entries.clear();
      this.dataVersion = dataVersion;
      this.writeCount = writeCount;
      return undefined;
    }
    return this.entries.get(key);
  }

  /** Keeps a value read right after `get`; not kept if this process wrote anything in between. */
  set(key: string, value: V): void {
    if (this.source.writeCount !== this.writeCount) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, value);
  }

  /** Drops everything (tests, and anything that wants to be sure). */
  clear(): void {
    this.entries.clear();
    this.dataVersion = Number.NaN;
  }

  get size(): number {
    return this.entries.size;
  }
}
