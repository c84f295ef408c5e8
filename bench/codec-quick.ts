// npx tsx bench/codec-quick.ts [--order N] [--detail] — model file size and decode speed on the
// Brown training split, before the trainer exists: counts come from the tests' Map-based
// counter (slow, fine here; not part of any figure). Prints bytes per stored n-gram, encode time
// and decode time as MB/s of file and n-grams/s (best of several runs; decode is only the
// codec's part of loading a model).
import { Unpackr } from 'msgpackr';
import { decodeModelFile, encodeModelFile } from '../src/lm/codec.js';
import { countCorpus, dropNodes, modelFileFor, type CountedCorpus } from '../test/lm/codec-fixtures.js';
import { bestOf } from './best-of.js';
import { loadBrown } from './brown.js';

const orderArgument = process.argv.indexOf('--order');
const orders = orderArgument > 0 ? [Number(process.argv[orderArgument + 1])] : [3, 5];
const detail = process.argv.includes('--detail');

const { train, trainBytes } = loadBrown();
const sentences = train.map((line) => line.split(' '));
console.log(`Brown training split: ${sentences.length} sentences, ${(trainBytes / 1e6).toFixed(2)} MB`);

/** The first lines of the training split holding about `megabytes` of text. */
function firstMegabytes(megabytes: number): string[][] {
  let bytes = 0;
  const count = train.findIndex((line) => (bytes += Buffer.byteLength(line) + 1) > megabytes * 1e6);
  return sentences.slice(0, count < 0 ? sentences.length : count);
}

const streamNames = ['words', 'escapes', 'counts', 'fanout', 'excess'];

function report(label: string, corpus: CountedCorpus): void {
  const file = modelFileFor(corpus, { embeddingDim: 0 });
  const ngrams = corpus.counts.levels.reduce((sum, level) => sum + level.word.length, 0);
  let bytes: Uint8Array = new Uint8Array(0);
  const encodeMs = bestOf(2, () => (bytes = encodeModelFile(file)));
  const decodeMs = bestOf(10, () => decodeModelFile(bytes));
  console.log(
    `${label.padEnd(40)} n-grams ${String(ngrams).padStart(8)}  file ${(bytes.length / 1e6).toFixed(3)} MB  ` +
      `${(bytes.length / ngrams).toFixed(3)} B/n-gram  encode ${encodeMs.toFixed(0)} ms  decode ${decodeMs.toFixed(1)} ms = ` +
      `${(bytes.length / 1e3 / decodeMs).toFixed(1)} MB/s, ${(ngrams / 1e3 / decodeMs).toFixed(1)}M n-grams/s`,
  );
  if (!detail) return;
  const payload = new Unpackr({ useRecords: false, mapsAsObjects: true }).unpack(bytes.subarray(20)) as {
    vocab: { lengths: [number, number, Uint8Array]; text: [number, number, Uint8Array] };
    counts: { levels: [number, number, Uint8Array][][] };
  };
  console.log(`    vocabulary: lengths ${payload.vocab.lengths[2].length} B, text ${payload.vocab.text[2].length} B`);
  payload.counts.levels.forEach((streams, level) => {
    const parts = streams.map((stream, kind) => `${streamNames[kind]} ${stream[2].length}/${stream[1]}`);
    console.log(
      `    level ${level}: ${corpus.counts.levels[level].word.length} nodes; ${parts.join(', ')} (stored/raw bytes)`,
    );
  });
}

for (const order of orders) {
  const full = countCorpus(sentences, order);
  report(`order ${order}`, full);
  report(`order ${order}, min-frequency 2`, countCorpus(sentences, order, 2));
  // Pruned without keeping suffixes, so many child words escape the suffix ranks.
  report(`order ${order}, every 7th subtree dropped`, {
    vocab: full.vocab,
    counts: dropNodes(full.counts, (_, node) => node % 7 === 3),
  });
  report(`order ${order}, first 1.5 MB of text`, countCorpus(firstMegabytes(1.5), order));
}
