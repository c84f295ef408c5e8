// Structured logs (pino, JSON lines on stdout). Shard processes tag every line with their ids.
import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { ...bindings }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A short id users can quote and operators can grep for: 10 hex digits. */
export function newReference(): string {
  return randomBytes(5).toString('hex');
}
