// Discord ids are snowflakes: milliseconds since the Discord epoch in the top 42 bits, then
// worker, process and a 12-bit increment. The shard a guild belongs to is derived from the
// timestamp bits alone, so the ids we hand out decide how guilds spread over shards.

export const DISCORD_EPOCH = 1_420_070_400_000n;

export function snowflakeAt(epochMs: number, increment = 0, worker = 1, processId = 0): string {
  const ms = BigInt(Math.floor(epochMs)) - DISCORD_EPOCH;
  if (ms < 0n) throw new RangeError(`time ${epochMs} is before the Discord epoch`);
  return (
    (ms << 22n) |
    (BigInt(worker & 31) << 17n) |
    (BigInt(processId & 31) << 12n) |
    BigInt(increment & 4095)
  ).toString();
}

export function timestampOf(snowflake: string): number {
  return Number((BigInt(snowflake) >> 22n) + DISCORD_EPOCH);
}

/** Discord's rule: `shard_id = (guild_id >> 22) % num_shards`. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

export function isSnowflake(value: unknown): value is string {
  return typeof value === 'string' && /^\d{17,20}$/.test(value);
}

/** Unique, increasing ids from a clock; the increment keeps ids unique within one millisecond. */
export class SnowflakeGenerator {
  private lastMs = -1;
  private increment = 0;

  constructor(private readonly now: () => number) {}

  next(): string {
    const ms = Math.floor(this.now());
    if (ms === this.lastMs) {
      this.increment = (this.increment + 1) & 4095;
      // 4096 ids in one millisecond: borrow the next millisecond rather than repeat an id.
      if (this.increment === 0) this.lastMs += 1;
    } else if (ms > this.lastMs) {
      this.lastMs = ms;
      this.increment = 0;
    } else {
      // The clock moved backwards (a test rewound it): keep ids increasing anyway.
      this.increment = (this.increment + 1) & 4095;
      if (this.increment === 0) this.lastMs += 1;
    }
    return snowflakeAt(this.lastMs, this.increment);
  }
}
