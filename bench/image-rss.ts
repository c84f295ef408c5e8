// What a loaded image's RSS growth is made of, stage by stage, in one fresh process:
//   node --expose-gc --import tsx bench/image-rss.ts MODEL.ulm
// (MODEL.uli beside it, as `ultra train -o` writes it). Loads as `ultra generate` does (the model
// file hashed a chunk at a time, the image read but for its vocabulary text and its embeddings, which `similar` reads
// at the end) and prints each
// stage's figures after a gc, as JSON, in MB: the RSS and its anonymous part (smaps_rollup), the
// peak (VmHWM), array buffers, and the resident pages of V8's spaces (young generation, old, code,
// large objects). docs/model.md ("Memory") has the table for Brown's order 5 and a tiny model.
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { imagePathFor, modelSourceOfFile, readImageFile } from '../src/cli/image-file.js';
import { decodeImage } from '../src/lm/index.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: image-rss.ts MODEL.ulm');
const MB = 1024 * 1024;
const kB = (text: string, field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
const stages: Record<string, Record<string, number>> = {};
const note = (name: string) => {
  globalThis.gc?.();
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const figures: Record<string, number> = {
    rss: kB(rollup, 'Rss'),
    anonymous: kB(rollup, 'Anonymous'),
    peak: kB(readFileSync('/proc/self/status', 'utf8'), 'VmHWM'),
    arrayBuffers: process.memoryUsage().arrayBuffers / MB,
  };
  for (const space of getHeapSpaceStatistics())
    if (
      ['new_space', 'old_space', 'code_space', 'large_object_space', 'new_large_object_space'].includes(
        space.space_name,
      )
    )
      figures[space.space_name.replace('_space', '')] = space.physical_space_size / MB;
  for (const key of Object.keys(figures)) figures[key] = Math.round(figures[key] * 100) / 100;
  stages[name] = figures;
};
note('start');
const source = modelSourceOfFile(path);
note('model file checksummed (64 KB chunks)');
const { image, vocabularyText, embeddingsLater } = readImageFile(imagePathFor(path));
note('image read (but for its vocabulary text, decoded apart, and its embeddings)');
const model = decodeImage(image, { source, vocabularyText, embeddingsLater });
note('image decoded (views)');
model.generate({ seed: 1, maxLength: 1 });
note('first word generated');
for (let seed = 0; seed < 200; seed++) model.generate({ seed, maxLength: 40 });
note('200 texts generated');
model.similar('the');
note('similar (embeddings read)');
process.stdout.write(
  JSON.stringify(
    { patterns: model.stats.patterns, imageBytes: image.length, resident: model.residentBytes(), stages },
    null,
    1,
  ),
);
