import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  FORMAT_VERSION,
  decodeModelFile,
  encodeModelFile,
  frameModelPayload,
  modelFileProblem,
  crc32,
} from '../../src/lm/codec.js';
import { ModelFormatError, type CountTrie, type ModelFile } from '../../src/lm/types.js';
import {
  TINY_TEXT,
  countCorpus,
  dropNodes,
  modelFileFor,
  syntheticSentences,
  tokenize,
  withPrunedExtras,
} from './codec-fixtures.js';
import {
  FRAME_BYTES,
  formatErrorKind,
  openPayload,
  readVarints,
  sealPayload,
  varintStream,
  type OpenPayload,
} from './codec-helpers.js';
import { decode, encode, train, type Model } from '../../src/lm/index.js';
import { expectStructurallyValid } from './codec-validity.js';

const tinyFile = (order = 3, embeddingDim = 0) =>
  modelFileFor(countCorpus(tokenize(TINY_TEXT), order), { embeddingDim });

function roundTrip(file: ModelFile): ModelFile {
  const decoded = decodeModelFile(encodeModelFile(file));
  expectStructurallyValid(decoded);
  expect(decoded).toEqual(file);
  return decoded;
}

/** Some inner node whose count is not the sum of its children's. */
function hasExcess(counts: CountTrie): boolean {
  for (let i = 0; i + 1 < counts.order; i++) {
    const sums = new Float64Array(counts.levels[i].count.length);
    const below = counts.levels[i + 1];
    for (let n = 0; n < below.count.length; n++) sums[below.parent[n]] += below.count[n];
    const above = counts.levels[i];
    for (let p = 0; p < above.count.length; p++) if (sums[p] > 0 && sums[p] !== above.count[p]) return true;
  }
  return false;
}

/** Some n-gram of order ≥ 3 whose suffix (drop the first word) is not stored. */
function hasMissingSuffix(counts: CountTrie): boolean {
  const keys = counts.levels.map(() => new Set<string>());
  const paths: string[][] = [];
  counts.levels.forEach((level, i) => {
    paths.push(
      Array.from(level.word, (word, n) => (i === 0 ? String(word) : `${paths[i - 1][level.parent[n]]} ${word}`)),
    );
    paths[i].forEach((path) => {
      keys[i].add(path);
    });
  });
  return paths.some((level, i) => i >= 2 && level.some((path) => !keys[i - 1].has(path.slice(path.indexOf(' ') + 1))));
}

describe('model file codec: round trip', () => {
  it('restores a small corpus exactly at every order from 1 to 8', () => {
    for (let order = 1; order <= 8; order++) roundTrip(tinyFile(order));
  });

  it('restores a pruned trie whose inner counts exceed the sum of their children', () => {
    const corpus = countCorpus(syntheticSentences(400, 60), 4, 2);
    expect(hasExcess(corpus.counts)).toBe(true);
    roundTrip(modelFileFor(corpus, { params: { minFrequency: 2 } }));
  });

  it("restores a pruned model's adjusted counts, pruned mass and discounts", () => {
    const file = withPrunedExtras(
      modelFileFor(countCorpus(syntheticSentences(200, 40, 2), 4, 2), { params: { minFrequency: 2 } }),
    );
    const decoded = roundTrip(file);
    expect(decoded.header.discounts).toHaveLength(4);
    expect(decoded.counts.levels[0].adjusted).toBeInstanceOf(Uint32Array);
    expect('adjusted' in decoded.counts.levels[3]).toBe(false);
    expect('discounts' in roundTrip(tinyFile()).header).toBe(false);
  });

  it('restores a trie whose suffixes were pruned away, so child words cannot be ranked', () => {
    const full = countCorpus(syntheticSentences(300, 40, 5), 5);
    const counts = dropNodes(full.counts, (level, node) => level === 1 && node % 3 === 0);
    expect(hasMissingSuffix(counts)).toBe(true);
    roundTrip(modelFileFor({ vocab: full.vocab, counts }));
  });

  it('restores extreme counts, zero counts and empty levels', () => {
    const vocab = ['<unk>', '<s>', '</s>', 'a', 'b'];
    const file = modelFileFor({
      vocab,
      counts: {
        order: 4,
        levels: [
          {
            parent: new Int32Array(5),
            word: Int32Array.of(0, 1, 2, 3, 4),
            count: Uint32Array.of(0, 0xffffffff, 7, 0xffffffff, 1),
          },
          // Children of `a` sum to more than its count (negative excess), children of `<s>` to less.
          {
            parent: Int32Array.of(1, 1, 3, 3, 3),
            word: Int32Array.of(2, 4, 0, 3, 4),
            count: Uint32Array.of(5, 0, 0xffffffff, 0xffffffff, 0xfffffffe),
          },
          { parent: Int32Array.of(4), word: Int32Array.of(4), count: Uint32Array.of(0) },
          { parent: new Int32Array(0), word: new Int32Array(0), count: new Uint32Array(0) },
        ],
      },
    });
    roundTrip(file);
  });

  it('restores child words that are not stored as unigrams', () => {
    const vocab = ['<unk>', '<s>', '</s>', 'a', 'b', 'c'];
    roundTrip(
      modelFileFor({
        vocab,
        counts: {
          order: 3,
          levels: [
            { parent: new Int32Array(3), word: Int32Array.of(1, 2, 4), count: Uint32Array.of(3, 3, 2) },
            { parent: Int32Array.of(0, 0, 0, 2), word: Int32Array.of(3, 4, 5, 2), count: Uint32Array.of(1, 1, 1, 2) },
            { parent: Int32Array.of(0, 1, 2), word: Int32Array.of(2, 5, 2), count: Uint32Array.of(1, 1, 1) },
          ],
        },
      }),
    );
  });

  it('restores a model with no n-grams beyond the vocabulary', () => {
    const vocab = ['<unk>', '<s>', '</s>'];
    const empty = { parent: new Int32Array(0), word: new Int32Array(0), count: new Uint32Array(0) };
    roundTrip(modelFileFor({ vocab, counts: { order: 2, levels: [empty, empty] } }));
  });

  it('restores embeddings, non-ASCII words and every header field', () => {
    const file = tinyFile(3, 16);
    file.vocab.push('', 'ça', '🐧‍⬛', '日本語', 'a\u0301', 'x'.repeat(300));
    file.header.stats.heldOutPerplexity = 123.456789;
    file.header.stats.trainingMs = 0.1;
    file.header.params.validation = 0.05;
    file.header.params.splitSentences = false;
    expect(file.embeddings).not.toBeNull();
    const decoded = roundTrip(file);
    expect(decoded.embeddings?.values.buffer).not.toBe(file.embeddings?.values.buffer);
  });

  it('restores a model without embeddings as null', () => {
    expect(roundTrip(tinyFile(2)).embeddings).toBeNull();
  });

  it('always writes the current format version, whatever the header says', () => {
    const file = tinyFile();
    file.header.formatVersion = 7;
    const bytes = encodeModelFile(file);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x55, 0x4c, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(new DataView(bytes.buffer).getUint32(8, true)).toBe(FORMAT_VERSION);
    expect(decodeModelFile(bytes).header.formatVersion).toBe(FORMAT_VERSION);
  });

  it('reads a file that sits at an odd offset inside a larger buffer', () => {
    const bytes = encodeModelFile(tinyFile(4, 8));
    const container = new Uint8Array(bytes.length + 7);
    container.set(bytes, 3);
    expect(decodeModelFile(container.subarray(3, 3 + bytes.length))).toEqual(decodeModelFile(bytes));
    expect(decodeModelFile(Buffer.from(bytes))).toEqual(decodeModelFile(bytes));
  });

  it('compresses a counted corpus to well under 2.5 bytes per n-gram', () => {
    const corpus = countCorpus(syntheticSentences(1500, 1500, 9), 5);
    const bytes = encodeModelFile(modelFileFor(corpus));
    const ngrams = corpus.counts.levels.reduce((sum, level) => sum + level.word.length, 0);
    expect(bytes.length / ngrams).toBeLessThan(2.5);
  });
});

describe('model file codec: refusing files', () => {
  const valid = encodeModelFile(tinyFile(3, 4));

  it('calls a file without our magic bytes foreign', () => {
    expect(formatErrorKind(() => decodeModelFile(new TextEncoder().encode('{"vocab": []}')))).toBe('foreign');
    expect(
      formatErrorKind(() =>
        decodeModelFile(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0)),
      ),
    ).toBe('foreign');
    const otherFirstByte = valid.slice();
    otherFirstByte[0] = 0x09;
    expect(formatErrorKind(() => decodeModelFile(otherFirstByte))).toBe('foreign');
    expect(formatErrorKind(() => decodeModelFile('ULM' as unknown as Uint8Array))).toBe('foreign');
  });

  it('calls every proper prefix of a valid file truncated', () => {
    for (let length = 0; length < valid.length; length++) {
      expect(formatErrorKind(() => decodeModelFile(valid.subarray(0, length)))).toBe('truncated');
    }
  });

  it('calls a file whose payload or version was changed a checksum failure', () => {
    for (const at of [8, 11, FRAME_BYTES, FRAME_BYTES + 40, valid.length - 1]) {
      const damaged = valid.slice();
      damaged[at] ^= 0x10;
      expect(formatErrorKind(() => decodeModelFile(damaged))).toBe('checksum');
    }
  });

  it('calls a file from a later format version newer-version', () => {
    const payload = valid.subarray(FRAME_BYTES);
    expect(formatErrorKind(() => decodeModelFile(frameModelPayload(payload, FORMAT_VERSION + 1)))).toBe(
      'newer-version',
    );
    expect(formatErrorKind(() => decodeModelFile(frameModelPayload(payload, 0xffffffff)))).toBe('newer-version');
  });

  it('calls version 0 and bytes after the payload corrupt', () => {
    expect(formatErrorKind(() => decodeModelFile(frameModelPayload(valid.subarray(FRAME_BYTES), 0)))).toBe('corrupt');
    const extended = new Uint8Array(valid.length + 1);
    extended.set(valid);
    expect(formatErrorKind(() => decodeModelFile(extended))).toBe('corrupt');
  });

  it('calls a sealed payload that is not msgpack, or not a record, corrupt', () => {
    for (const payload of [
      Uint8Array.of(0xc1),
      Uint8Array.of(0x2a),
      Uint8Array.of(0x91, 0x01),
      new Uint8Array(0),
      Uint8Array.of(0xdd, 0xff, 0xff, 0xff, 0xff),
    ]) {
      expect(formatErrorKind(() => decodeModelFile(frameModelPayload(payload)))).toBe('corrupt');
    }
    // Deep nesting overflows msgpackr's recursion: still a typed error, not a crash.
    expect(formatErrorKind(() => decodeModelFile(frameModelPayload(new Uint8Array(200_000).fill(0x91))))).toBe(
      'corrupt',
    );
  });

  /** Edits a raw-stream copy of the valid file's payload, seals it, and returns the decode error kind. */
  const kindAfter = (edit: (payload: OpenPayload) => void, file: Uint8Array = valid) => {
    const payload = openPayload(file);
    edit(payload);
    return formatErrorKind(() => decodeModelFile(sealPayload(payload)));
  };

  it('accepts the raw-stream form these tests edit, so each refusal below is for the edit alone', () => {
    expect(decodeModelFile(sealPayload(openPayload(valid)))).toEqual(decodeModelFile(valid));
  });

  it('refuses header fields of the wrong type or out of range', () => {
    expect(kindAfter((p) => (p.header.createdAt = '2025-01-01'))).toBe('corrupt');
    expect(kindAfter((p) => (p.header.pruned = 1))).toBe('corrupt');
    expect(kindAfter((p) => (p.header.params.maxPatternLength = 9))).toBe('corrupt');
    expect(kindAfter((p) => (p.header.params.validation = 0.75))).toBe('corrupt');
    expect(kindAfter((p) => (p.header.params.minFrequency = 1.5))).toBe('corrupt');
    expect(kindAfter((p) => delete p.header.stats.corpus)).toBe('corrupt');
    expect(kindAfter((p) => (p.header.stats.heldOutPerplexity = Number.NaN))).toBe('corrupt');
    expect(kindAfter((p) => (p.header.stats.patternsByOrder = [1, -2]))).toBe('corrupt');
    expect(kindAfter((p) => (p.header = [] as unknown as OpenPayload['header']))).toBe('corrupt');
  });

  it('reads a duplicated word, which only the encoder refuses', () => {
    const payload = openPayload(valid);
    const words = decodeModelFile(valid).vocab;
    words[4] = words[3];
    const text = new TextEncoder().encode(words.join(''));
    payload.vocab = {
      size: words.length,
      lengths: varintStream(words.map((w) => w.length)),
      text: [0, text.length, text],
    };
    expect(decodeModelFile(sealPayload(payload)).vocab).toEqual(words);
  });

  it('keeps only the typed header fields', () => {
    const payload = openPayload(valid);
    payload.header.extra = 'smuggled';
    payload.header.stats.extra = 1;
    const decoded = decodeModelFile(sealPayload(payload));
    expect(Object.keys(decoded.header).sort()).toEqual(['createdAt', 'formatVersion', 'params', 'pruned', 'stats']);
    expect('extra' in decoded.header.stats).toBe(false);
  });

  it('refuses a vocabulary without the reserved words or inconsistent with its text', () => {
    const withVocab = (words: string[]) => (p: OpenPayload) => {
      const text = new TextEncoder().encode(words.join(''));
      p.vocab = { size: words.length, lengths: varintStream(words.map((w) => w.length)), text: [0, text.length, text] };
    };
    expect(kindAfter(withVocab(['<s>', '<unk>', '</s>', 'the', 'cat', 'sat', 'on', 'mat', '.', 'dog']))).toBe(
      'corrupt',
    );
    expect(kindAfter((p) => (p.vocab.size += 1))).toBe('corrupt');
    expect(
      kindAfter((p) => (p.vocab.lengths = varintStream([...readVarints(p.vocab.lengths).slice(0, -1), 1_000_000]))),
    ).toBe('corrupt');
    expect(kindAfter((p) => (p.vocab.text = [0, 2, Uint8Array.of(0xc3, 0x28)]))).toBe('corrupt');
  });

  it('refuses level sizes, fanouts and streams that disagree', () => {
    expect(kindAfter((p) => (p.counts.sizes[1] += 1))).toBe('corrupt');
    expect(kindAfter((p) => (p.counts.sizes[2] -= 1))).toBe('corrupt');
    expect(kindAfter((p) => (p.counts.order = 2))).toBe('corrupt');
    expect(kindAfter((p) => (p.counts.levels[0][3] = varintStream([...readVarints(p.counts.levels[0][3]), 0])))).toBe(
      'corrupt',
    );
    expect(
      kindAfter(
        (p) =>
          (p.counts.levels[1][3] = varintStream(
            readVarints(p.counts.levels[1][3]).map((n, i) => (i === 0 ? n + 1 : n)),
          )),
      ),
    ).toBe('corrupt');
    expect(kindAfter((p) => (p.counts.levels[2][3] = varintStream([1])))).toBe('corrupt');
    expect(kindAfter((p) => (p.counts.levels[1][0] = [2, 1, Uint8Array.of(0)]))).toBe('corrupt');
    expect(kindAfter((p) => (p.counts.levels[1] = p.counts.levels[1].slice(0, 4)))).toBe('corrupt');
  });

  it('refuses word ids outside the vocabulary and ranks outside the suffix children', () => {
    expect(
      kindAfter(
        (p) => (p.counts.levels[0][0] = varintStream([...readVarints(p.counts.levels[0][0]).slice(0, -1), 1000])),
      ),
    ).toBe('corrupt');
    // Level 1 words are ranks among all unigrams: one past the last is out of range.
    expect(
      kindAfter(
        (p) =>
          (p.counts.levels[1][0] = varintStream(
            readVarints(p.counts.levels[1][0]).map((r, i) => (i === 0 ? p.counts.sizes[0] + 1 : r)),
          )),
      ),
    ).toBe('corrupt');
    // An escaped word beyond the vocabulary.
    expect(
      kindAfter((p) => {
        const words = readVarints(p.counts.levels[1][0]);
        words[0] = 0;
        p.counts.levels[1][0] = varintStream(words);
        p.counts.levels[1][1] = varintStream([p.vocab.size]);
      }),
    ).toBe('corrupt');
  });

  it('refuses counts that overflow 32 bits or exceed what their parent leaves', () => {
    expect(
      kindAfter(
        (p) =>
          (p.counts.levels[0][2] = varintStream(
            readVarints(p.counts.levels[0][2]).map((n, i) => (i === 3 ? 2 ** 32 : n)),
          )),
      ),
    ).toBe('corrupt');
    // An excess larger than the node's count would leave its children a negative sum.
    expect(
      kindAfter((p) => (p.counts.levels[0][4] = varintStream([2 ** 40, ...readVarints(p.counts.levels[0][4])]))),
    ).toBe('corrupt');
    // A run of zero excesses longer than the nodes that have children.
    expect(kindAfter((p) => (p.counts.levels[0][4] = varintStream([0, 1_000_000])))).toBe('corrupt');
    expect(kindAfter((p) => (p.counts.levels[0][4] = varintStream([2 ** 50])))).toBe('corrupt');
  });

  it('refuses hostile sizes before allocating for them', () => {
    expect(kindAfter((p) => (p.counts.sizes[2] = 2 ** 31))).toBe('corrupt');
    expect(kindAfter((p) => (p.vocab.size = 2 ** 30))).toBe('corrupt');
    expect(kindAfter((p) => (p.vocab.text = [0, 2 ** 31, p.vocab.text[2]]))).toBe('corrupt');
    // A decompression bomb: 64 MiB of zeros deflated to ~64 KB, declared honestly.
    const bomb = new Uint8Array(zlib.deflateRawSync(new Uint8Array(64 << 20), { level: 9 }));
    expect(bomb.length).toBeLessThan(100_000);
    expect(kindAfter((p) => (p.vocab.text = [1, 64 << 20, bomb]))).toBe('corrupt');
    // The same bomb declared small: decompression stops at the declared size.
    expect(kindAfter((p) => (p.vocab.text = [1, 1000, bomb]))).toBe('corrupt');
    expect(kindAfter((p) => (p.counts.levels[0][2] = [1, 10, Uint8Array.of(1, 2, 3)]))).toBe('corrupt');
    expect(kindAfter((p) => (p.counts.levels[0][2] = [7, 3, Uint8Array.of(1, 2, 3)]))).toBe('corrupt');
  });

  it('refuses a compressed stream that inflates to one byte more or less than declared', () => {
    const withTextDeclaredAs = (change: number) => {
      const p = openPayload(valid);
      const text = p.vocab.text[2];
      p.vocab.text = [1, text.length + change, new Uint8Array(zlib.deflateRawSync(text))];
      return sealPayload(p);
    };
    expect(decodeModelFile(withTextDeclaredAs(0)).vocab).toEqual(decodeModelFile(valid).vocab);
    // Declared one byte longer: the one output chunk the decoder allocates is not filled.
    expect(formatErrorKind(() => decodeModelFile(withTextDeclaredAs(1)))).toBe('corrupt');
    // Declared one byte shorter: the spare byte of that chunk receives the excess.
    expect(formatErrorKind(() => decodeModelFile(withTextDeclaredAs(-1)))).toBe('corrupt');
  });

  it("refuses a pruned model's extra arrays or discounts in the wrong shape", () => {
    const pruned = encodeModelFile(withPrunedExtras(tinyFile(3)));
    expect(decodeModelFile(sealPayload(openPayload(pruned)))).toEqual(decodeModelFile(pruned));
    expect(
      kindAfter((p) => (p.counts.levels[0][5] = varintStream(readVarints(p.counts.levels[0][5]).slice(1))), pruned),
    ).toBe('corrupt');
    expect(
      kindAfter((p) => (p.counts.levels[1][6] = varintStream([...readVarints(p.counts.levels[1][6]), 0])), pruned),
    ).toBe('corrupt');
    expect(kindAfter((p) => (p.counts.levels[2][5] = varintStream([2 ** 32])), pruned)).toBe('corrupt');
    expect(kindAfter((p) => (p.header.discounts = [[0.5, 1]]), pruned)).toBe('corrupt');
    expect(kindAfter((p) => (p.header.discounts = [[0.5, 1, Number.POSITIVE_INFINITY]]), pruned)).toBe('corrupt');
    expect(kindAfter((p) => (p.header.discounts = []), pruned)).toBe('corrupt');
  });

  it('refuses embeddings whose sizes disagree or whose scales are not finite', () => {
    expect(kindAfter((p) => p.embeddings && (p.embeddings.dim += 1))).toBe('corrupt');
    expect(kindAfter((p) => p.embeddings && (p.embeddings.count = p.vocab.size + 1))).toBe('corrupt');
    expect(kindAfter((p) => p.embeddings && (p.embeddings.values = p.embeddings.values.subarray(1)))).toBe('corrupt');
    expect(
      kindAfter((p) => {
        if (!p.embeddings) return;
        const scales = p.embeddings.scales.slice();
        new DataView(scales.buffer).setFloat32(4, Number.NaN, true);
        p.embeddings.scales = scales;
      }),
    ).toBe('corrupt');
    expect(kindAfter((p) => (p.embeddings = 'none' as unknown as null))).toBe('corrupt');
  });
});

describe('model file codec: refusing to write an invalid model', () => {
  const problems: [string, (file: ModelFile) => void][] = [
    ['levels unsorted', (f) => f.counts.levels[1].word.reverse()],
    ['a parent out of range', (f) => (f.counts.levels[2].parent[0] = 1_000_000)],
    [
      'a word outside the vocabulary',
      (f) => (f.counts.levels[0].word[f.counts.levels[0].word.length - 1] = f.vocab.length),
    ],
    ['level 0 with a parent', (f) => (f.counts.levels[0].parent[0] = 1)],
    ['wrong reserved words', (f) => (f.vocab[0] = 'UNK')],
    ['a duplicated word', (f) => (f.vocab[4] = f.vocab[3])],
    ['a lone surrogate', (f) => (f.vocab[3] = '\ud83d')],
    ['fewer levels than the order', (f) => f.counts.levels.pop()],
    ['arrays of different lengths', (f) => (f.counts.levels[1].count = f.counts.levels[1].count.subarray(1))],
    [
      'a plain array for counts',
      (f) => (f.counts.levels[1].count = Array.from(f.counts.levels[1].count) as unknown as Uint32Array),
    ],
    ['more embedding rows than words', (f) => f.embeddings && (f.embeddings.count = f.vocab.length + 1)],
    ['a header field out of range', (f) => (f.header.params.maxPatternLength = 0)],
    ['adjusted counts of the wrong length', (f) => (f.counts.levels[0].adjusted = new Uint32Array(1))],
    ['pruned mass in a plain array', (f) => (f.counts.levels[1].prunedMass = [1] as unknown as Uint32Array)],
    ['discounts that are not triples', (f) => (f.header.discounts = [[0.5]])],
  ];
  for (const [name, breakIt] of problems) {
    it(`throws a RangeError for ${name}`, () => {
      const file = tinyFile(3, 4);
      breakIt(file);
      expect(modelFileProblem(file)).toEqual(expect.any(String));
      expect(() => encodeModelFile(file)).toThrow(RangeError);
    });
  }

  it('finds no problem in a valid or a decoded file', () => {
    const file = tinyFile(3, 4);
    expect(modelFileProblem(file)).toBeNull();
    expect(modelFileProblem(decodeModelFile(encodeModelFile(file)))).toBeNull();
  });
});

describe('model file codec: checksum', () => {
  it('computes the standard CRC-32, continuing from a previous value as one pass would', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('56789'), crc32(new TextEncoder().encode('1234')))).toBe(0xcbf43926);
    // The definition, one bit at a time (reflected polynomial 0xEDB88320).
    const bitwise = (data: Uint8Array, previous: number) => {
      let crc = ~previous >>> 0;
      for (const byte of data) {
        crc ^= byte;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
      }
      return ~crc >>> 0;
    };
    let state = 3;
    for (let length = 0; length < 300; length += 7) {
      const data = Uint8Array.from({ length }, () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24);
      expect(crc32(data, 0x1234)).toBe(bitwise(data, 0x1234));
    }
  });

  it('is a ModelFormatError, with a kind, a message and a name', () => {
    const error = (() => {
      try {
        decodeModelFile(new Uint8Array(3));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ModelFormatError);
    expect(error).toMatchObject({ name: 'ModelFormatError', kind: 'foreign' });
  });
});

describe('model file codec: format versions', () => {
  // A trained, pruned model: its extras are real adjusted counts and pruned masses.
  const text = syntheticSentences(600, 80, 13).map((words) => words.join(' '));
  const ADJUSTED_STREAM = 5;
  const PRUNED_MASS_STREAM = 6;

  /** The same model written as format version 1: extras stored as plain values. */
  function asVersion1(model: Model): Uint8Array {
    const payload = openPayload(encode(model, 5));
    model.graph.levels.forEach((level, i) => {
      if (level.adjusted !== undefined)
        payload.counts.levels[i][ADJUSTED_STREAM] = varintStream(Array.from(level.adjusted));
      if (level.prunedMass !== undefined)
        payload.counts.levels[i][PRUNED_MASS_STREAM] = varintStream(Array.from(level.prunedMass));
    });
    return sealPayload(payload, 1);
  }

  for (const params of [
    { maxPatternLength: 4, minFrequency: 2 },
    { maxPatternLength: 5, maxPatterns: 400 },
    { maxPatternLength: 2, minFrequency: 3 },
  ]) {
    it(`reads version 1 files, whose extras are plain values (${JSON.stringify(params)})`, () => {
      const model = train(text, { ...params, embeddingDim: 0 });
      expect(model.provenance.pruned).toBe(true);
      const old = decode(asVersion1(model));
      expect(Array.from(old.estimate.prob)).toEqual(Array.from(model.estimate.prob));
      old.graph.levels.forEach((level, i) => {
        expect(Array.from(level.adjusted ?? [])).toEqual(Array.from(model.graph.levels[i].adjusted ?? []));
        expect(Array.from(level.prunedMass ?? [])).toEqual(Array.from(model.graph.levels[i].prunedMass ?? []));
      });
      // Saved again, it is a current file with the same model in it.
      expect(Buffer.from(encode(old, 5)).equals(Buffer.from(encode(model, 5)))).toBe(true);
    });
  }

  it("stores a trained pruned model's extras as differences from what its trie implies, nearly all zero", () => {
    const model = train(text, { maxPatternLength: 4, minFrequency: 2, embeddingDim: 0 });
    const current = encode(model, 5);
    const payload = openPayload(current);
    let values = 0;
    let zeros = 0;
    for (const streams of payload.counts.levels) {
      for (const kind of [ADJUSTED_STREAM, PRUNED_MASS_STREAM]) {
        if (streams[kind] === null) continue;
        for (const value of readVarints(streams[kind])) {
          values++;
          if (value === 0) zeros++;
        }
      }
    }
    expect(values).toBeGreaterThan(100);
    expect(zeros / values).toBeGreaterThan(0.6);
    expect(current.length).toBeLessThan(asVersion1(model).length);
  });
});
