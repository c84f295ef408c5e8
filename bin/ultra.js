#!/usr/bin/env node
// `ultra`: the pattern model on the command line. Runs the compiled build (dist/, which `npm ci`,
// `npm install` and `npm run build` write) when it was built from the sources as they are now (see
// scripts/build-stamp.mjs), otherwise the TypeScript sources through tsx: an edit to src/ is never
// met by an old build, only by a slower start until the next `npm run build`.
import { fileURLToPath } from 'node:url';
import { buildIsCurrent } from '../scripts/build-stamp.mjs';

const root = new URL('..', import.meta.url);
if (buildIsCurrent(fileURLToPath(root))) {
  await import(new URL('dist/cli/main.js', root).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('src/cli/main.ts', root).href);
}
