// Run by resident.test.ts as `tsx --expose-gc resident-heap.ts file|image`: decodes many copies of
// one model (from its model file, or from its image as the bot loads it) and prints, per copy, the
// heap and array-buffer growth next to residentBytes, after loading, after a generation with a
// prompt (word lookups built) and after a lookup of an unknown word (subword index built).
import { decode, decodeImage, encode, encodeImage, train } from '../../src/lm/index.js';
import { syntheticSentences } from './codec-fixtures.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const text = syntheticSentences(4000, 3000, 5)
  .map((words) => words.join(' '))
  .join('\n');
const mode = process.argv[2] === 'image' ? 'image' : 'file';
const trained = train(text, { maxPatternLength: 3, embeddingDim: 16 }, { seed: 1 });
const bytes = encode(trained, 0);
const image = encodeImage(trained, 'source');
// Each copy reads its own buffer, as each loaded model holds its own.
const load = () => (mode === 'file' ? decode(bytes) : decodeImage(image.slice()));
const used = () => {
  gc();
  gc();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.arrayBuffers;
};
const copies = 150;
const base = used();
const models = Array.from({ length: copies }, load);
const measure = () => ({
  measured: (used() - base) / copies,
  estimated: models[0].residentBytes(),
  typedArrays: models[0].memoryBytes(),
});
const loaded = measure();
for (const model of models) model.generate({ prompt: 'w1 w2 w3', maxLength: 20, seed: 1 });
const generated = measure();
for (const model of models) model.similar('unseenword', 3);
const subwords = measure();
console.log(JSON.stringify({ mode, vocabulary: models[0].words.length, loaded, generated, subwords }));
