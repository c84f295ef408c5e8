// Small deterministic corpora for the model tests.
import { seededRandom } from '../../src/lm/random.js';

/** Random sentences over a small vocabulary with a skewed (roughly Zipfian) word distribution. */
export function randomSentences(
  seed: number,
  sentences: number,
  vocabularySize: number,
  maxLength: number,
): string[][] {
  const random = seededRandom(seed);
  const words = Array.from({ length: vocabularySize }, (_, i) => `w${i}`);
  const out: string[][] = [];
  for (let s = 0; s < sentences; s++) {
    const length = 1 + Math.floor(random.next() * maxLength);
    const sentence: string[] = [];
    for (let i = 0; i < length; i++) {
      // Squaring skews toward low indices; a dependency on the previous word makes real n-grams.
      const previous = sentence.length > 0 ? Number(sentence[sentence.length - 1].slice(1)) : 0;
      const index =
        (Math.floor(random.next() ** 2 * vocabularySize) + (random.next() < 0.5 ? previous : 0)) % vocabularySize;
      sentence.push(words[index]);
    }
    out.push(sentence);
  }
  return out;
}

export const lines = (sentences: string[][]): string[] => sentences.map((sentence) => sentence.join(' '));

/** Every word a model can be asked about: vocabulary without <s>, plus </s> and <unk>. */
export function outcomes(vocab: readonly string[]): string[] {
  return vocab.filter((word) => word !== '<s>');
}
