// Tokenizer throughput on the Brown training split (POS tags stripped, one sentence per line,
// tokens joined by spaces: the text `ultra train` reads) and on the same text detokenized into
// natural prose. Prints MB/s of UTF-8 input; run with `npx tsx bench/tokenizer-quick.ts`.
import { performance } from 'node:perf_hooks';
import { loadBrown } from './brown.js';
import { detokenize, splitSentences, tokenize } from '../src/lm/tokenizer.js';

function measure(label: string, lines: string[], run: (line: string) => unknown, rounds = 5): void {
  const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8') + 1, 0);
  for (const line of lines.slice(0, 2000)) run(line); // warm-up
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    for (const line of lines) run(line);
    best = Math.min(best, performance.now() - start);
  }
  const mb = bytes / 1e6;
  console.log(
    `${label.padEnd(34)} ${mb.toFixed(2)} MB  best of ${rounds}: ${best.toFixed(0)} ms  ${(mb / (best / 1000)).toFixed(1)} MB/s`,
  );
}

const { train } = loadBrown();
const prose = train.map((line) => detokenize(line.split(' ')));
measure('tokenize (Brown, space-separated)', train, tokenize);
measure('tokenize (Brown, detokenized)', prose, tokenize);
// Every "a" accented: exercises the NFC normalization and non-ASCII letters, as Spanish text does.
measure(
  'tokenize (Brown, accented)',
  prose.map((line) => line.replaceAll('a', 'á')),
  tokenize,
);
measure('splitSentences (Brown, detokenized)', prose, splitSentences);
const tokenized = train.map((line) => line.split(' '));
let index = 0;
measure('detokenize (Brown)', train, () => detokenize(tokenized[index++ % tokenized.length]), 3);
