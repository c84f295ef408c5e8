// Benchmarks that time compiled JavaScript (a child process, a worker) bundle their entry with
// esbuild into node_modules/.cache/ultraefficient, where the project's packages resolve. A bundle
// is written under a temporary name and renamed over the old one: a worktree whose node_modules
// is hard-linked to another's (`cp -al`) then gets a file of its own instead of rewriting the
// shared one in place, which had left one tree timing another tree's code.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const cacheDir = join(root, 'node_modules', '.cache', 'ultraefficient');

/** Writes `bytes` to `path` by a rename, so a hard link to the old file keeps the old bytes. */
export function replaceFile(path: string, bytes: Uint8Array | string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

/** Bundles `entry` (a path under the project) to cacheDir/`name` (ESM, Node 20, packages external); returns its path. */
export function bundle(entry: string, name: string): string {
  const result = buildSync({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'warning',
  });
  mkdirSync(cacheDir, { recursive: true });
  const outfile = join(cacheDir, name);
  replaceFile(outfile, result.outputFiles[0].contents);
  return outfile;
}
