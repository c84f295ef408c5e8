// Loaded models across all guilds, least recently used evicted first, within a byte budget.
// Sizes are given by the caller: the models' residentBytes (the typed arrays they hold plus an
// estimate of their strings and maps), so the budget tracks what actually occupies memory. An
// evicted model is reloaded from its file by the manager on its next use; the cache itself never
// touches the file system.

export class ModelCache<M> {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly entries = new Map<string, { model: M; bytes: number }>();
  private totalBytes = 0;
  evictions = 0;

  /** `onEvict` hears of every model evicted to make room (not of deletions, renames or replacements). */
  constructor(
    readonly budgetBytes: number,
    private readonly onEvict: (key: string, model: M) => void = () => {},
  ) {}

  static key(guildId: string, filename: string): string {
    // Guild ids never contain '/', so a key cannot be shared by two guilds.
    return `${guildId}/${filename}`;
  }

  get(key: string): M | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.model;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Caches a model, evicting the least recently used until it fits. A model larger than the
   * whole budget is not cached (it would evict everything and then itself): it is reloaded on
   * each use, which is what the budget asks for.
   */
  set(key: string, model: M, residentBytes: number): boolean {
    this.delete(key);
    const bytes = Math.max(0, residentBytes);
    if (bytes > this.budgetBytes) return false;
    this.makeRoom(bytes);
    this.entries.set(key, { model, bytes });
    this.totalBytes += bytes;
    return true;
  }

  /**
   * Evicts the least recently used until `bytes` more fit in the budget (a model about to be
   * loaded: its memory can then come from what the evicted ones give up). Nothing is evicted for a
   * model larger than the whole budget, which set() will not take.
   */
  makeRoom(bytes: number): void {
    if (bytes > this.budgetBytes) return;
    while (this.totalBytes + bytes > this.budgetBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.evict(oldest.value);
    }
  }

  /**
   * A cached model's size changed (generation builds structures lazily: rankings, candidate
   * heads): re-account it and evict the least recently used others until the budget holds again.
   * A model that alone outgrew the budget leaves the cache, as set() would not have taken it.
   */
  resize(key: string, residentBytes: number): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    const bytes = Math.max(0, residentBytes);
    if (bytes === entry.bytes) return;
    this.totalBytes += bytes - entry.bytes;
    entry.bytes = bytes;
    if (bytes > this.budgetBytes) {
      this.evict(key);
      return;
    }
    for (const other of this.entries.keys()) {
      if (this.totalBytes <= this.budgetBytes) break;
      if (other === key) continue;
      this.evict(other);
    }
  }

  /** Keeps a model cached under a new key (a draft that became a saved file). */
  rename(from: string, to: string): void {
    const entry = this.entries.get(from);
    if (!entry) return;
    this.delete(from);
    this.set(to, entry.model, entry.bytes);
  }

  private evict(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.delete(key);
    this.evictions++;
    this.onEvict(key, entry.model);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get size(): number {
    return this.entries.size;
  }
}
