// Lookup over a trained embedding table (see embeddings-train.ts): nearest neighbours over the
// int8 rows, case-folded variants, and a subword fallback for words without a row.
//
// The subword fallback uses character n-grams (3–5, with < > word boundaries) hashed into
// buckets as fastText does (Bojanowski et al. 2017, "Enriching Word Vectors with Subword
// Information"), but an n-gram's vector is the average of the known words' vectors that contain
// it, derived from the table at lookup time, so the model file stores nothing extra.

import { heapEstimate } from './heap-estimate.js';
import { FNV_OFFSET, FNV_PRIME, fnv1a } from './random.js';
import type { EmbeddingTable } from './types.js';
import { ArrayWords, isWordList, type WordList } from './words.js';

export interface EmbeddingIndex {
  /** Unit vector for a word: its own row, else a case-folded variant's, else its subword estimate; null if none. */
  vectorOf(word: string): Float32Array | null;
  /** The stored (dequantized) row of a word id; null for ids without a vector. */
  rowVector(id: number): Float32Array | null;
  /** The k ids whose rows are most cosine-similar to `vector`, best first. */
  nearest(vector: Float32Array, k: number, exclude?: Set<number>): { id: number; score: number }[];
  /** The k words most similar to `word` (the word itself, or the case variant standing for it, excluded). */
  similar(word: string, k: number): { word: string; score: number }[];
  /** Bytes this index holds now (its arrays, and an estimate of its maps and strings: see heap-estimate.ts). */
  retainedBytes(): number;
}

const MIN_NGRAM = 3;
const MAX_NGRAM = 5;
const MAX_SUBWORD_BUCKETS = 1 << 16;

/**
 * Builds the lookup structures for a table and its vocabulary (ids index both). Cheap: one pass
 * over the rows for norms and a word → id map; the subword index is built on the first lookup
 * of a word that has no row.
 */
export function embeddingIndex(table: EmbeddingTable, words: WordList | readonly string[]): EmbeddingIndex {
  const vocab = isWordList(words) ? words : new ArrayWords(words);
  const { dim, values, scales } = table;
  const rows = Math.min(table.count, vocab.length);
  // 1 / ‖int8 row‖, 0 for rows without a vector: cosine = (row · unit query) / ‖row‖.
  const inverseRowNorm = new Float32Array(rows);
  const idOf = new Map<string, number>();
  const idOfFolded = new Map<string, number>();
  for (let id = 0; id < rows; id++) {
    let squares = 0;
    for (let d = id * dim, end = d + dim; d < end; d++) squares += values[d] * values[d];
    if (squares === 0 || scales[id] === 0) continue;
    inverseRowNorm[id] = 1 / Math.sqrt(squares);
    const word = vocab.word(id);
    idOf.set(word, id);
    // Ids are frequency-ranked, so the first variant seen is the most frequent one.
    const folded = word.toLowerCase();
    if (!idOfFolded.has(folded)) idOfFolded.set(folded, id);
  }

  const unitRow = (id: number): Float32Array => {
    const vector = new Float32Array(dim);
    const inverse = inverseRowNorm[id];
    for (let d = 0; d < dim; d++) vector[d] = values[id * dim + d] * inverse;
    return vector;
  };

  let subwords: SubwordIndex | null = null;
  const subwordVector = (word: string): Float32Array | null => {
    subwords ??= buildSubwordIndex(vocab, rows, inverseRowNorm);
    const { mask, bucketStart, bucketWords, markedWords } = subwords;
    const total = new Float64Array(dim);
    const ngramSum = new Float64Array(dim);
    let used = 0;
    for (const ngram of new Set(characterNgrams(word.toLowerCase()))) {
      // The bucket lists every word with an n-gram hashing there; keep those that really contain
      // this one, so hash collisions do not blend unrelated words in.
      const bucket = ngramHash(ngram) & mask;
      ngramSum.fill(0);
      let contributors = 0;
      for (let at = bucketStart[bucket]; at < bucketStart[bucket + 1]; at++) {
        const id = bucketWords[at];
        if (!markedWords[id].includes(ngram)) continue;
        contributors++;
        const inverse = inverseRowNorm[id];
        for (let d = 0, o = id * dim; d < dim; d++, o++) ngramSum[d] += values[o] * inverse;
      }
      if (contributors === 0) continue;
      // The n-gram's vector is the average of its words' vectors; it enters the mean with weight
      // 1 / contributors, so a distinctive stem ("<runn", two words) outweighs an ending shared
      // by hundreds ("ings>") that would otherwise pull every plural towards the same nouns.
      const weight = 1 / (contributors * contributors);
      for (let d = 0; d < dim; d++) total[d] += ngramSum[d] * weight;
      used++;
    }
    if (used === 0) return null;
    return normalized(Float32Array.from(total));
  };

  /** The id whose row stands for `word`: its own, else its most frequent case variant's. */
  const knownId = (word: string): number | undefined => idOf.get(word) ?? idOfFolded.get(word.toLowerCase());

  const vectorOf = (word: string): Float32Array | null => {
    const normalizedWord = word.normalize('NFC');
    const id = knownId(normalizedWord);
    if (id !== undefined) return unitRow(id);
    return subwordVector(normalizedWord);
  };

  const rowVector = (id: number): Float32Array | null => {
    if (!Number.isInteger(id) || id < 0 || id >= rows || inverseRowNorm[id] === 0) return null;
    const vector = new Float32Array(dim);
    for (let d = 0; d < dim; d++) vector[d] = values[id * dim + d] * scales[id];
    return vector;
  };

  const nearest = (vector: Float32Array, k: number, exclude?: Set<number>): { id: number; score: number }[] => {
    if (vector.length !== dim || !(k >= 1)) return [];
    const wanted = Math.min(Math.floor(k), rows);
    const query = normalized(vector);
    if (query === null) return [];
    const bestIds: number[] = [];
    const bestScores: number[] = [];
    for (let id = 0; id < rows; id++) {
      const inverse = inverseRowNorm[id];
      if (inverse === 0 || exclude?.has(id)) continue;
      let dot = 0;
      for (let d = 0, o = id * dim; d < dim; d++, o++) dot += values[o] * query[d];
      const score = dot * inverse;
      if (bestIds.length === wanted && score <= bestScores[wanted - 1]) continue;
      // Insertion into the short sorted list of the best k so far (ties keep the lower id first).
      if (bestIds.length < wanted) {
        bestIds.push(id);
        bestScores.push(score);
      } else {
        bestIds[wanted - 1] = id;
        bestScores[wanted - 1] = score;
      }
      for (let at = bestIds.length - 1; at > 0 && bestScores[at - 1] < bestScores[at]; at--) {
        [bestIds[at - 1], bestIds[at]] = [bestIds[at], bestIds[at - 1]];
        [bestScores[at - 1], bestScores[at]] = [bestScores[at], bestScores[at - 1]];
      }
    }
    return bestIds.map((id, i) => ({ id, score: bestScores[i] }));
  };

  const similar = (word: string, k: number): { word: string; score: number }[] => {
    const vector = vectorOf(word);
    if (vector === null) return [];
    const own = knownId(word.normalize('NFC'));
    const exclude = own === undefined ? undefined : new Set([own]);
    return nearest(vector, k, exclude).map(({ id, score }) => ({ word: vocab.word(id), score }));
  };

  const mapBytes = inverseRowNorm.byteLength + heapEstimate.mapEntry * (idOf.size + idOfFolded.size);
  let subwordBytes = 0;
  const retainedBytes = (): number => {
    if (subwords !== null && subwordBytes === 0) {
      subwordBytes =
        subwords.bucketStart.byteLength + subwords.bucketWords.byteLength + heapEstimate.strings(subwords.markedWords);
    }
    return mapBytes + subwordBytes;
  };

  return { vectorOf, rowVector, nearest, similar, retainedBytes };
}

interface SubwordIndex {
  mask: number;
  /** Words whose n-grams hash to bucket b: bucketWords[bucketStart[b] .. bucketStart[b + 1]). */
  bucketStart: Int32Array;
  bucketWords: Int32Array;
  /** `<word>` lower-cased, per id ('' for ids without a vector). */
  markedWords: string[];
}

/** Inverted index from n-gram bucket to the words (with vectors) containing an n-gram in it. */
function buildSubwordIndex(vocab: WordList, rows: number, inverseRowNorm: Float32Array): SubwordIndex {
  let bucketCount = 256;
  while (bucketCount < rows * 8 && bucketCount < MAX_SUBWORD_BUCKETS) bucketCount *= 2;
  const mask = bucketCount - 1;
  const markedWords: string[] = new Array<string>(rows).fill('');
  const bucketsOfWord: Int32Array[] = new Array<Int32Array>(rows);
  const sizes = new Int32Array(bucketCount + 1);
  const scratch: number[] = [];
  for (let id = 0; id < rows; id++) {
    if (inverseRowNorm[id] === 0) continue;
    const marked = `<${vocab.word(id).toLowerCase()}>`;
    markedWords[id] = marked;
    scratch.length = 0;
    ngramBucketsOf(marked, mask, scratch);
    // A word is listed once per bucket however many of its n-grams land there.
    const buckets = Int32Array.from(scratch).sort();
    let unique = 0;
    for (let i = 0; i < buckets.length; i++)
      if (i === 0 || buckets[i] !== buckets[i - 1]) buckets[unique++] = buckets[i];
    bucketsOfWord[id] = buckets.subarray(0, unique);
    for (let i = 0; i < unique; i++) sizes[buckets[i] + 1]++;
  }
  const bucketStart = new Int32Array(bucketCount + 1);
  for (let b = 0; b < bucketCount; b++) bucketStart[b + 1] = bucketStart[b] + sizes[b + 1];
  const cursor = bucketStart.slice(0, bucketCount);
  const bucketWords = new Int32Array(bucketStart[bucketCount]);
  for (let id = 0; id < rows; id++) {
    const buckets = bucketsOfWord[id];
    if (buckets === undefined) continue;
    for (let i = 0; i < buckets.length; i++) bucketWords[cursor[buckets[i]]++] = id;
  }
  return { mask, bucketStart, bucketWords, markedWords };
}

/**
 * Appends the buckets of every 3–5 code-point n-gram of `marked` (a word with its < > markers),
 * hashing incrementally instead of building each n-gram's string. Same hashes as ngramHash.
 */
function ngramBucketsOf(marked: string, mask: number, out: number[]): void {
  const starts: number[] = [];
  for (let i = 0; i < marked.length; i += marked.codePointAt(i)! > 0xffff ? 2 : 1) starts.push(i);
  starts.push(marked.length);
  const characters = starts.length - 1;
  for (let first = 0; first < characters; first++) {
    let hash = FNV_OFFSET;
    for (let length = 1; length <= MAX_NGRAM && first + length <= characters; length++) {
      for (let unit = starts[first + length - 1]; unit < starts[first + length]; unit++) {
        hash ^= marked.charCodeAt(unit);
        hash = Math.imul(hash, FNV_PRIME);
      }
      if (length >= MIN_NGRAM) out.push((hash >>> 0) & mask);
    }
  }
}

/** The character n-grams (3–5 code points) of `<word>`. */
function characterNgrams(word: string): string[] {
  const characters = Array.from(`<${word}>`);
  const ngrams: string[] = [];
  for (let length = MIN_NGRAM; length <= MAX_NGRAM; length++) {
    for (let start = 0; start + length <= characters.length; start++) {
      ngrams.push(characters.slice(start, start + length).join(''));
    }
  }
  return ngrams;
}

/** 32-bit FNV-1a over UTF-16 code units. */
function ngramHash(ngram: string): number {
  return fnv1a(ngram);
}

function normalized(vector: Float32Array): Float32Array | null {
  let squares = 0;
  for (let d = 0; d < vector.length; d++) squares += vector[d] * vector[d];
  if (squares === 0 || !Number.isFinite(squares)) return null;
  const inverse = 1 / Math.sqrt(squares);
  const out = new Float32Array(vector.length);
  for (let d = 0; d < vector.length; d++) out[d] = vector[d] * inverse;
  return out;
}
