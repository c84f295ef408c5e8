import { describe, expect, it } from 'vitest';
import { corpusWindows, countWindows, trieWindows } from '../../src/lm/count.js';
import { train } from '../../src/lm/index.js';
import { lines, randomSentences } from './corpus-fixtures.js';

/** Every stored n-gram as "w1 w2 …" → raw count, read back through parents. */
function ngrams(
  vocab: readonly string[],
  trie: { levels: { parent: Int32Array; word: Int32Array; count: Uint32Array }[] },
): Map<string, number> {
  const out = new Map<string, number>();
  const names: string[][] = [];
  trie.levels.forEach((level, k) => {
    names.push([]);
    for (let i = 0; i < level.word.length; i++) {
      const name = k === 0 ? vocab[level.word[i]] : `${names[k - 1][level.parent[i]]} ${vocab[level.word[i]]}`;
      names[k].push(name);
      out.set(name, level.count[i]);
    }
  });
  return out;
}

/** Literal count of every n-gram with one <s> and one </s> per sentence. */
function literalCounts(sentences: string[][], order: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const sentence of sentences) {
    const tokens = ['<s>', ...sentence, '</s>'];
    for (let i = 0; i < tokens.length; i++) {
      for (let n = 1; n <= order && i + n <= tokens.length; n++) {
        const key = tokens.slice(i, i + n).join(' ');
        out.set(key, (out.get(key) ?? 0) + 1);
      }
    }
  }
  return out;
}

describe('counting', () => {
  it('stores the exact raw count of every n-gram, with sentence markers, never across sentences', () => {
    const model = train(['the cat sat', 'the cat', 'cat the'], {
      maxPatternLength: 3,
      embeddingDim: 0,
      splitSentences: false,
    });
    const counts = ngrams(model.vocab, model.toFile(0).counts);
    expect(Object.fromEntries([...counts].filter(([, c]) => c > 0))).toEqual({
      '<s>': 3,
      '</s>': 3,
      the: 3,
      cat: 3,
      sat: 1,
      '<s> the': 2,
      '<s> cat': 1,
      'the cat': 2,
      'cat sat': 1,
      'sat </s>': 1,
      'cat </s>': 1,
      'cat the': 1,
      'the </s>': 1,
      '<s> the cat': 2,
      '<s> cat the': 1,
      'the cat sat': 1,
      'cat sat </s>': 1,
      'the cat </s>': 1,
      'cat the </s>': 1,
    });
    expect(counts.get('<unk>')).toBe(0);
  });

  it('ranks word ids by descending frequency, ties by the word, reserved ids first', () => {
    const model = train(['b a c a b a'], { maxPatternLength: 2, embeddingDim: 0 });
    expect(model.vocab).toEqual(['<unk>', '<s>', '</s>', 'a', 'b', 'c']);
  });

  it('lays levels out sorted by (parent, word), as the trie layout requires', () => {
    const sentences = randomSentences(5, 200, 20, 12);
    const model = train(lines(sentences), { maxPatternLength: 4, embeddingDim: 0, splitSentences: false });
    const { levels } = model.toFile(0).counts;
    for (let k = 1; k < levels.length; k++) {
      for (let i = 1; i < levels[k].word.length; i++) {
        const before = levels[k].parent[i - 1] * 1e6 + levels[k].word[i - 1];
        expect(levels[k].parent[i] * 1e6 + levels[k].word[i]).toBeGreaterThan(before);
      }
    }
    const expected = literalCounts(sentences, 4);
    const stored = ngrams(model.vocab, { levels });
    for (const [key, count] of expected) expect(stored.get(key)).toBe(count);
    expect([...stored.values()].filter((c) => c > 0).length).toBe(expected.size);
  });

  it('counts the same trie with word ids of 16 bits and past them (vocabularies around 65,535 words)', () => {
    const tokens = Int32Array.from([1, 3, 4, 3, 2, 1, 3, 5, 4, 2, 1, 4, 2, 1, 5, 3, 3, 2]);
    const small = countWindows([corpusWindows(tokens.slice(), 4, 2)], 4, 6);
    for (const vocabularySize of [65_535, 65_536, 70_000]) {
      // Ids 3–5 become the vocabulary's last three: the same order, so the same trie shape.
      const wide = (id: number) => (id < 3 ? id : id + vocabularySize - 6);
      const trie = countWindows([corpusWindows(tokens.map(wide), 4, 2)], 4, vocabularySize);
      expect(trie.levels[0].count[vocabularySize - 1]).toBe(small.levels[0].count[5]);
      for (let k = 1; k < 4; k++) {
        expect([vocabularySize, k, [...trie.levels[k].word]]).toEqual([
          vocabularySize,
          k,
          [...small.levels[k].word].map(wide),
        ]);
        expect([...trie.levels[k].parent]).toEqual(
          k === 1 ? [...small.levels[1].parent].map(wide) : [...small.levels[k].parent],
        );
        expect([...trie.levels[k].count]).toEqual([...small.levels[k].count]);
      }
    }
  });

  it('turns a trie back into weighted windows that count to the same trie', () => {
    const tokens = Int32Array.from([1, 3, 4, 3, 2, 1, 3, 4, 2, 1, 4, 2]);
    const trie = countWindows([corpusWindows(tokens.slice(), 3, 2)], 3, 5);
    const again = countWindows([trieWindows(trie.levels)], 3, 5);
    for (let k = 0; k < 3; k++) {
      expect([...again.levels[k].parent]).toEqual([...trie.levels[k].parent]);
      expect([...again.levels[k].word]).toEqual([...trie.levels[k].word]);
      expect([...again.levels[k].count]).toEqual([...trie.levels[k].count]);
    }
  });
});
