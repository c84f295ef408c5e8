// Whether dist/ is the build of the sources as they are now. The build (scripts/build.mjs) writes
// dist/build-stamp.json: one line per input file (path, size, mtime), taken before it compiles.
// bin/ultra.js compares that with the same listing of the files now and runs the compiled CLI only
// when they are equal; an edited, added or removed source (or a changed tsconfig.json or build
// script) sends it to the TypeScript sources through tsx instead, so nobody runs an old build.
// Plain JavaScript with node:fs only: it runs before anything is compiled, on every `ultra` call
// (listing ~160 files costs about a millisecond).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The folders whose files the build compiles, and the files that change how it compiles them. */
const SOURCE_DIRS = ['src', 'commands'];
const SOURCE_FILES = ['tsconfig.json', 'scripts/build.mjs'];

export const STAMP = 'dist/build-stamp.json';

/** One line per input file, sorted: `path size mtimeMs`. Missing top-level entries are left out. */
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
  for (const file of SOURCE_FILES) paths.push(file);
  const lines = [];
  for (const path of paths.sort()) {
    const stats = statSync(join(root, path), { throwIfNoEntry: false });
    if (stats) lines.push(`${path} ${stats.size} ${stats.mtimeMs}`);
  }
  return lines;
}

/** Records `listing` (taken before the build read the sources) as what dist/ was built from. */
export function writeStamp(root, listing) {
  writeFileSync(join(root, STAMP), `${JSON.stringify({ sources: listing })}\n`);
}

/** True when dist/ was built from exactly the files there are now. */
export function buildIsCurrent(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, STAMP), 'utf8'));
  } catch {
    return false;
  }
  const built = stamp?.sources;
  if (!Array.isArray(built)) return false;
  const now = sourceListing(root);
  return now.length === built.length && now.every((line, i) => line === built[i]);
}
