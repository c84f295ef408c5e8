// Whether dist/cli/ (the CLI bundle bin/ultra.js runs) is the build of the sources as they are now.
// The build (scripts/build.mjs) takes the size and modification time of every source before it
// compiles, and writes dist/build-stamp.json with those of the files the bundle was made from
// (esbuild says which: ~55 of src/) plus tsconfig.json and the build script. bin/ultra.js stats
// those files and runs the bundle only when every one is as recorded; an edited or removed input
// (a new file counts once an input imports it, which edits that input) sends it to the TypeScript
// sources through tsx instead, so nobody runs an old build. Plain JavaScript with node:fs only: it
// runs before anything is compiled, on every `ultra` call (a few milliseconds).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The folders whose files the build compiles, and the files that change how it compiles them. */
const SOURCE_DIRS = ['src', 'commands'];
const SOURCE_FILES = ['tsconfig.json', 'scripts/build.mjs'];

export const STAMP = 'dist/build-stamp.json';

/** Every input of the build as [path, size, mtimeMs], sorted by path; missing top-level files are left out. */
export function sourceListing(folder) {
  const root = resolve(folder);
  const paths = [];
  for (const dir of SOURCE_DIRS) {
    let names;
    try {
      names = readdirSync(join(root, dir), { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of names) {
      if (entry.isFile()) paths.push(join(entry.parentPath ?? entry.path, entry.name).slice(root.length + 1));
    }
  }
  paths.push(...SOURCE_FILES);
  const listing = [];
  for (const path of paths.sort()) {
    const stats = statSync(join(root, path), { throwIfNoEntry: false });
    if (stats) listing.push([path, stats.size, stats.mtimeMs]);
  }
  return listing;
}

/**
 * Records what the bundle was built from: of `listing` (taken before the build read anything), the
 * files in `inputs` (paths relative to the project folder) and those that change every output. An
 * input missing from the listing appeared during the build: it is recorded so that it never matches.
 */
export function writeStamp(folder, listing, inputs) {
  const wanted = new Set([...inputs, ...SOURCE_FILES]);
  const sources = listing.filter(([path]) => wanted.delete(path));
  for (const path of wanted) if (!SOURCE_FILES.includes(path)) sources.push([path, -1, -1]);
  writeFileSync(join(resolve(folder), STAMP), `${JSON.stringify({ sources })}\n`);
}

/** True when every file the bundle was built from is as the build saw it. */
export function buildIsCurrent(folder) {
  const root = resolve(folder);
  let sources;
  try {
    sources = JSON.parse(readFileSync(join(root, STAMP), 'utf8')).sources;
  } catch {
    return false;
  }
  if (!Array.isArray(sources) || sources.length === 0) return false;
  for (const source of sources) {
    if (!Array.isArray(source) || typeof source[0] !== 'string') return false;
    const stats = statSync(join(root, source[0]), { throwIfNoEntry: false });
    if (stats === undefined || stats.size !== source[1] || stats.mtimeMs !== source[2]) return false;
  }
  return true;
}
