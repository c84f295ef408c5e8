// What a loaded image's RSS growth is made of, stage by stage, in one fresh process:
//   node --expose-gc --import tsx bench/image-rss.ts MODEL.ulm
// (MODEL.uli beside it, as `ultra train -o` writes it). Prints each stage's process.memoryUsage()
// after a gc, as JSON; docs/model.md ("Memory") has the table for Brown's order 5 and a tiny model.
import { readFileSync } from 'node:fs';
import { decodeImage } from '../src/lm/index.js';
import { imagePathFor, modelSource } from '../src/cli/image-file.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: image-rss.ts MODEL.ulm');
const stages: Record<string, NodeJS.MemoryUsage> = {};
const note = (name: string) => {
  globalThis.gc?.();
  stages[name] = process.memoryUsage();
};
note('start');
let modelFile: Buffer | null = readFileSync(path);
note('model file read');
const source = modelSource(modelFile);
note('model file checksummed');
const image = readFileSync(imagePathFor(path));
note('image read');
const model = decodeImage(image, { source });
note('image decoded (views, vocabulary strings)');
model.generate({ seed: 1, maxLength: 1 });
note('first word generated');
for (let seed = 0; seed < 200; seed++) model.generate({ seed, maxLength: 40 });
note('200 texts generated');
modelFile = null;
note('model file dropped (as the bot drops it)');
process.stdout.write(
  JSON.stringify({ patterns: model.stats.patterns, imageBytes: image.length, resident: model.residentBytes(), stages }),
);
