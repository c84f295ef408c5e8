// One fresh process of bench/image.ts: loads a model the way the bot does — from its model file
// (decode, the former path) or from its image (one read, typed-array views) — generates one text,
// and prints the resident-memory growth and the times as JSON. With a third argument, a model
// loaded the same way first, 50 texts generated from it: the process then is as the bot's, whose
// heap and compiled code exist before a model is loaded, and the growth is what one more model adds.
// It also prints the process's peak RSS: bench/image.ts subtracts a tiny model's (the measure).
//   node --import tsx bench/image-child.ts file|image MODEL.ulm [WARM-UP.ulm]
import { readFileSync } from 'node:fs';
import { decode, decodeImage } from '../src/lm/index.js';
import { imagePathFor, modelSourceOfFile, readImageFile } from '../src/cli/image-file.js';

const [mode, path, warmUp] = process.argv.slice(2);
if ((mode !== 'file' && mode !== 'image') || path === undefined)
  throw new Error('usage: image-child.ts file|image MODEL.ulm [WARM-UP.ulm]');
if (warmUp !== undefined) {
  const other = load(warmUp);
  for (let seed = 0; seed < 50; seed++) other.generate({ seed, maxLength: 40 });
}
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
// Both paths check the model file (the bot verifies its checksum on every load). The image path
// hashes it a chunk at a time, as `ultra` and the bot's loader do, so it never holds the model file
// beside its image (reading it whole here had put its 3 MB into the peak row); the file path
// decodes it and drops it once the model is loaded. The RSS below is what stays.
function load(path: string) {
  return mode === 'file' ? decode(readFileSync(path), { counts: false }) : decodeImageFile(path);
}
/**
 * As `ultra` reads an image: the model file hashed streamed, the image read but for its vocabulary text (apart) and its
 * embeddings (read on first use).
 */
function decodeImageFile(path: string) {
  const source = modelSourceOfFile(path);
  const { image, vocabularyText, embeddingsLater } = readImageFile(imagePathFor(path));
  return decodeImage(image, { source, vocabularyText, embeddingsLater });
}
const model = load(path);
/**
 * The process's peak resident memory: Linux's VmHWM, which belongs to this program's memory map. getrusage's maxRSS
 * is not used where VmHWM exists: it starts from the parent's RSS at the fork (bench/image.ts holds models of
 * hundreds of MB), so it would hide this process's own peak.
 */
function peakRss(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
const loadedMs = performance.now() - started;
const first = model.generate({ seed: 1, maxLength: 1 });
const firstWordMs = performance.now() - started;
globalThis.gc?.();
const rssAfter = process.memoryUsage().rss;
process.stdout.write(
  JSON.stringify({
    mode,
    loadedMs,
    firstWordMs,
    rssGrowth: rssAfter - rssBefore,
    peakRss: peakRss(),
    patterns: model.stats.patterns,
    memoryBytes: model.memoryBytes(),
    residentBytes: model.residentBytes(),
    word: first.text,
  }),
);
