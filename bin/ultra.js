#!/usr/bin/env node
// `ultra`: the pattern model on the command line. Runs the compiled build when there is one
// (npm run build), otherwise the TypeScript sources through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/ultra.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/ultra.ts', import.meta.url).href);
}
