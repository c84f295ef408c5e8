// Drives runConsole like a script: lines in on a stream, everything it printed out.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { CommandModule } from '../../src/commands/context.js';
import { runConsole, type ConsoleOptions } from '../../src/console/index.js';
import type { ModelManagerApi } from '../../src/manager/types.js';

export interface Transcript {
  code: number;
  out: string;
  err: string;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

export function tempDir(prefix = 'ultra-console-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A manager no fake command touches: tests of the adapter alone need none. */
export const unusedManager = new Proxy({} as ModelManagerApi, {
  get(_target, property) {
    if (property === 'then') return undefined;
    return () => {
      throw new Error(`unexpected manager call: ${String(property)}`);
    };
  },
});

export async function drive(
  lines: string[] | Readable,
  commands: CommandModule[],
  options: Partial<ConsoleOptions> = {},
): Promise<Transcript> {
  const input = Array.isArray(lines) ? Readable.from([lines.map((line) => `${line}\n`).join('')]) : lines;
  const output = new PassThrough();
  const errorOutput = new PassThrough();
  const out = collect(output);
  const err = collect(errorOutput);
  const code = await runConsole({
    input,
    output,
    errorOutput,
    interactive: false,
    commands,
    manager: unusedManager,
    env: { LANG: 'en_US.UTF-8' },
    width: 80,
    ...options,
  });
  return { code, out: out(), err: err() };
}
