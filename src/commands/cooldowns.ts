// Per-user cooldowns (the /generate rate limit). One instance per process: a user's turns are
// counted where their guild's shard runs, which is all a rate limit against spam needs.
import type { CooldownGate } from './context.js';

/** Entries older than the cooldown are dropped once the map grows past this many users. */
const PRUNE_THRESHOLD = 10_000;

export class Cooldowns implements CooldownGate {
  private readonly lastUse = new Map<string, number>();

  constructor(readonly durationMs: number) {}

  take(key: string, now: number): number {
    if (this.durationMs <= 0) return 0;
    const last = this.lastUse.get(key);
    if (last !== undefined && now - last < this.durationMs) return this.durationMs - (now - last);
    this.lastUse.set(key, now);
    if (this.lastUse.size > PRUNE_THRESHOLD) this.prune(now);
    return 0;
  }

  private prune(now: number): void {
    for (const [key, at] of this.lastUse) if (now - at >= this.durationMs) this.lastUse.delete(key);
  }
}
