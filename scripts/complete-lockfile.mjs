// The npm registry reachable from our machines does not serve msgpackr-extract's macOS,
// Windows and 32-bit ARM binaries, so `npm install` writes a lockfile without them and
// `npm ci` then refuses it as out of sync. This adds the missing optional entries back
// (npm skips them on Linux x64 by their os/cpu fields). Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const parent = lock.packages['node_modules/msgpackr-extract'];
const wanted = parent?.optionalDependencies ?? {};
let added = 0;
for (const [name, version] of Object.entries(wanted)) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const [os, cpu] = name.split('-').slice(-2);
  lock.packages[key] = { version, cpu: [cpu], license: 'MIT', optional: true, os: [os] };
  added++;
}
const sorted = {};
for (const key of Object.keys(lock.packages).sort()) sorted[key] = lock.packages[key];
lock.packages = sorted;
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: ${added} entr${added === 1 ? 'y' : 'ies'} added`);
