import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/lm/codec.js';
import { IMAGE_FRAME_BYTES, readImage } from '../../src/lm/image/layout.js';
import {
  decode,
  decodeImage,
  encode,
  encodeImage,
  imageSummary,
  IMAGE_LAYOUT_VERSION,
  ModelFormatError,
  train,
  type Model,
} from '../../src/lm/index.js';
import { randomSentences, lines } from './corpus-fixtures.js';

const STORIES = readFileSync(new URL('../../data/samples/en-stories.txt', import.meta.url), 'utf8').split('\n');
const CUENTOS = readFileSync(new URL('../../data/samples/es-cuentos.txt', import.meta.url), 'utf8').split('\n');

const stories = train(STORIES, { maxPatternLength: 4, embeddingDim: 8 });
const storiesImage = encodeImage(stories, 'stories');

/** Every n-gram (up to the model's order) of every sentence of `text`, as token contexts and words. */
function everyNgram(model: Model, text: string[]): { context: string[]; word: string }[] {
  const out: { context: string[]; word: string }[] = [];
  for (const line of text) {
    const tokens = ['<s>', ...line.split(/\s+/).filter((t) => t.length > 0), '</s>'];
    for (let end = 1; end < tokens.length; end++) {
      for (let n = 1; n <= model.order && end - n + 1 >= 0; n++)
        out.push({ context: tokens.slice(end - n + 1, end), word: tokens[end] });
    }
  }
  return out;
}

function formatKind(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof ModelFormatError) return error.kind;
    throw error;
  }
}

/** The image with its frame's version set to `version` and the header checksum made to match. */
function withLayoutVersion(image: Uint8Array, version: number): Uint8Array {
  const copy = image.slice();
  const frame = new DataView(copy.buffer);
  frame.setUint32(8, version, true);
  const headerBytes = frame.getUint32(12, true);
  frame.setUint32(
    20,
    crc32(copy.subarray(IMAGE_FRAME_BYTES, IMAGE_FRAME_BYTES + headerBytes), crc32(copy.subarray(8, 20))),
    true,
  );
  return copy;
}

describe('model image', () => {
  it('scores every n-gram of its training text within the quantization bound of the exact model', () => {
    for (const [text, order] of [
      [STORIES, 4],
      [CUENTOS, 3],
      [CUENTOS, 5],
    ] as const) {
      const exact =
        order === 4 && text === STORIES ? stories : train(text, { maxPatternLength: order, embeddingDim: 0 });
      const image = decodeImage(encodeImage(exact, 'x'));
      // |ln q − ln p| of one query: the codebooks' largest half-width (probability, backoffs).
      const bound = image.query.logErrorBound;
      expect(bound).toBeGreaterThan(0);
      expect(bound).toBeLessThan(0.5);
      let checked = 0;
      for (const { context, word } of everyNgram(exact, text.slice(0, 200))) {
        const p = exact.probability(context, word);
        const q = image.probability(context, word);
        expect(Math.abs(Math.log(q) - Math.log(p))).toBeLessThanOrEqual(bound);
        // The exact model's query graph is the image's: the same numbers, to the bit.
        expect(exact.queryProbability(context, word)).toBe(q);
        checked++;
      }
      expect(checked).toBeGreaterThan(1000);
      const a = exact.score(text);
      const b = image.score(text);
      expect(b.words).toBe(a.words);
      expect(Math.abs(Math.log(b.perplexity / a.perplexity))).toBeLessThanOrEqual(bound);
      expect(exact.score(text, { probabilities: 'query' })).toEqual(b);
    }
  });

  it('generates what the exact model generates, with both samplers', () => {
    const image = decodeImage(storiesImage);
    for (let seed = 1; seed <= 20; seed++) {
      for (const options of [
        {},
        { sampling: 'exact' as const },
        { sampling: 'exact' as const, temperature: 0.8, topK: 20 },
        { prompt: 'the old' },
      ]) {
        expect(image.generate({ ...options, seed }).text).toBe(stories.generate({ ...options, seed }).text);
      }
    }
  });

  it('keeps the statistics, the provenance and the embeddings of the model', () => {
    const image = decodeImage(storiesImage);
    const { memoryBytes: _a, ...exactStats } = stories.stats;
    const { memoryBytes: _b, ...imageStats } = image.stats;
    expect(imageStats).toEqual(exactStats);
    expect(image.similar('the', 5)).toEqual(stories.similar('the', 5));
    expect(image.discounts).toEqual(stories.discounts);
  });

  it('loads as views of the image buffer: nothing copied, no view past its section, memory counted as the image', () => {
    const image = decodeImage(storiesImage);
    const q = image.query;
    const views: ArrayBufferView[] = [
      q.word,
      q.childStart.bits,
      q.childStart.samples,
      q.childStart.kept,
      q.suffix.data,
      q.unigramProb,
      q.probCode,
      q.probTable,
      q.unigramBackoff,
      q.backoffImplied.bits,
      q.backoffImplied.counts,
      q.impliedBackoff,
      q.backoffCode,
      q.backoffTable,
      q.unigramCumulative,
      q.shares.code,
      q.shares.table,
      q.shares.checkpoint,
      q.shares.single.bits,
      q.shares.single.counts,
    ];
    const sections = [...readImage(storiesImage).sections.values()];
    for (const view of views) {
      expect(view.buffer).toBe(storiesImage.buffer);
      // An empty section (no suffix links are stored) shares its offset with the next one.
      const section = sections.find((s) => s.offset === view.byteOffset && s.bytes === view.byteLength);
      expect(section).toBeDefined();
      expect(view.byteLength).toBe(section?.bytes);
    }
    for (let i = 1; i < sections.length; i++)
      expect(sections[i].offset).toBeGreaterThanOrEqual(sections[i - 1].offset + sections[i - 1].bytes);
    expect(sections.at(-1)!.offset + sections.at(-1)!.bytes).toBeLessThanOrEqual(storiesImage.length);
    expect(image.memoryBytes()).toBe(storiesImage.length);
    expect(image.query.word).toBeInstanceOf(Uint16Array);
  });

  it('reads an image at an unaligned address (one copy)', () => {
    const shifted = new Uint8Array(storiesImage.length + 1);
    shifted.set(storiesImage, 1);
    const image = decodeImage(shifted.subarray(1));
    expect(image.generate({ seed: 3 }).text).toBe(stories.generate({ seed: 3 }).text);
  });

  it('refuses an image of another source, of an older or newer layout, or of something else', () => {
    expect(formatKind(() => decodeImage(storiesImage, { source: 'other' }))).toBe('corrupt');
    expect(decodeImage(storiesImage, { source: 'stories' }).order).toBe(4);
    expect(formatKind(() => decodeImage(withLayoutVersion(storiesImage, IMAGE_LAYOUT_VERSION + 1)))).toBe(
      'newer-version',
    );
    expect(formatKind(() => decodeImage(withLayoutVersion(storiesImage, IMAGE_LAYOUT_VERSION - 1)))).toBe('corrupt');
    expect(formatKind(() => decodeImage(encode(stories, 0)))).toBe('foreign');
    expect(formatKind(() => decodeImage(new Uint8Array(0)))).toBe('truncated');
  });

  it('refuses every truncated image', () => {
    const step = Math.max(1, Math.floor(storiesImage.length / 400));
    for (let length = 0; length < storiesImage.length; length += step) {
      expect(formatKind(() => decodeImage(storiesImage.subarray(0, length)))).not.toBeNull();
    }
    expect(formatKind(() => decodeImage(storiesImage.subarray(0, storiesImage.length - 1)))).toBe('truncated');
  });

  it('refuses a damaged image, or (damage in padding) answers exactly as before', () => {
    const reference = decodeImage(storiesImage).score(STORIES.slice(0, 50)).log10Prob;
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    let refused = 0;
    for (let trial = 0; trial < 300; trial++) {
      const damaged = storiesImage.slice();
      // Header and frame bytes often; anywhere else the rest of the time.
      const at = trial % 3 === 0 ? next() % 600 : next() % damaged.length;
      damaged[at] ^= 1 + (next() % 255);
      const kind = formatKind(() => decodeImage(damaged));
      if (kind !== null) {
        refused++;
        continue;
      }
      const image = decodeImage(damaged);
      expect(image.score(STORIES.slice(0, 50)).log10Prob).toBe(reference);
    }
    expect(refused).toBeGreaterThan(280);
  });

  it('cannot be saved or appended to: it keeps no raw counts', () => {
    expect(() => encode(decodeImage(storiesImage), 0)).toThrow();
  });

  it('summarizes an image from its header', () => {
    expect(imageSummary(storiesImage)).toEqual({
      source: 'stories',
      order: 4,
      vocabularySize: stories.stats.vocabularySize,
      patterns: stories.stats.patterns,
      bytes: storiesImage.length,
    });
  });

  it('stores 32-bit word ids for a vocabulary beyond 65,536 words, and unigram models', () => {
    const words = Array.from({ length: 70_000 }, (_, i) => `w${i}`);
    const text: string[] = [];
    for (let i = 0; i < words.length; i += 7) text.push(words.slice(i, i + 7).join(' '));
    const large = train(text, { maxPatternLength: 2, embeddingDim: 0 });
    const image = decodeImage(encodeImage(large, 'large'));
    expect(image.query.word).toBeInstanceOf(Int32Array);
    expect(Math.abs(Math.log(image.probability(['w7'], 'w8') / large.probability(['w7'], 'w8')))).toBeLessThanOrEqual(
      image.query.logErrorBound,
    );
    expect(image.generate({ seed: 5, sampling: 'exact' }).text).toBe(
      large.generate({ seed: 5, sampling: 'exact' }).text,
    );

    const unigram = train(lines(randomSentences(3, 200, 50, 8)), { maxPatternLength: 1, embeddingDim: 0 });
    const unigramImage = decodeImage(encodeImage(unigram, 'u'));
    expect(unigramImage.score(lines(randomSentences(4, 20, 50, 8))).log10Prob).toBeCloseTo(
      unigram.score(lines(randomSentences(4, 20, 50, 8))).log10Prob,
      6,
    );
    expect(unigramImage.generate({ seed: 2 }).text).toBe(unigram.generate({ seed: 2 }).text);
  });

  it('is the image of a decoded model file as of the trained model', () => {
    const fromFile = decode(encode(stories, 0), { counts: false });
    const a = readImage(encodeImage(fromFile, 's')).sections;
    const b = readImage(storiesImage).sections;
    for (const [name, entry] of b) expect(a.get(name)?.crc).toBe(entry.crc);
  });
});
