// npm run build (and `prepare`, so `npm ci` / `npm install` leave a built tree): compiles src/ and
// commands/ to plain JavaScript in dist/, file by file, in the same layout (dist/src/main.js ...),
// and the CLI once more as a bundle in dist/cli/, which bin/ultra.js runs. esbuild only strips the
// types (well under a second; `npm run typecheck` is the type check), and it is always installed:
// tsx, a dependency, runs on it. Last it writes dist/build-stamp.json, the sizes and times of the
// files the bundle was made from, by which bin/ultra.js knows whether it is current.
//   node scripts/build.mjs [--prepare] [ROOT]   (ROOT: the project folder, this script's parent by default)
// --prepare (npm's `prepare`, run by `npm ci` and `npm install`): a failed build is reported but does
// not fail the install, since bin/ultra.js then runs the sources through tsx (there is no stamp).
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { STAMP, sourceListing, writeStamp } from './build-stamp.mjs';

const args = process.argv.slice(2);
const prepare = args.includes('--prepare');
const root = resolve(args.find((arg) => arg !== '--prepare') ?? fileURLToPath(new URL('..', import.meta.url)));
const dist = join(root, 'dist');

// The stamp goes first and comes back last: a build that fails half-way leaves no stamp, and the
// listing is taken before the sources are read, so an edit made during the build counts as newer.
rmSync(join(root, STAMP), { force: true });
const listing = sourceListing(root);
for (const dir of ['src', 'commands', 'cli']) rmSync(join(dist, dir), { recursive: true, force: true });

const entryPoints = [];
for (const dir of ['src', 'commands']) {
  for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
      entryPoints.push(join(entry.parentPath ?? entry.path, entry.name));
  }
}

// What both builds share: ES modules for Node 20, compiled as tsconfig.json says, with source maps.
const common = {
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  tsconfig: join(root, 'tsconfig.json'),
  logLevel: 'warning',
};
let inputs = [];
try {
  await build({ ...common, entryPoints, outdir: dist, outbase: root });
  // The CLI once more as a bundle, what bin/ultra.js runs: one module to load instead of ~50 saves
  // ~25 ms of every command's start. Split at main.ts's dynamic import, so --help loads 1 KB. Its
  // modules find nothing relative to import.meta.url (a bundle would move them), and npm packages
  // stay imports of node_modules.
  const bundle = await build({
    ...common,
    absWorkingDir: root,
    metafile: true,
    entryPoints: [join(root, 'src', 'cli', 'main.ts'), join(root, 'src', 'cli', 'training-apart-worker.ts')],
    outdir: join(dist, 'cli'),
    bundle: true,
    splitting: true,
    packages: 'external',
  });
  inputs = Object.keys(bundle.metafile.inputs);
} catch (error) {
  console.error(`the build failed (${error instanceof Error ? error.message.split('\n')[0] : error})`);
  if (prepare) {
    console.error('ultra runs the TypeScript sources through tsx until `npm run build` succeeds');
    process.exit(0);
  }
  process.exit(1);
}
writeStamp(root, listing, inputs);
console.log(`built ${entryPoints.length} files into ${dist}`);
