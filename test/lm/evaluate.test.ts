import { describe, expect, it } from 'vitest';
import { train } from '../../src/lm/index.js';

const model = train(['a b', 'a b', 'b a'], { maxPatternLength: 2, embeddingDim: 0, splitSentences: false });

describe('evaluation (like KenLM query)', () => {
  it('scores each line as a sentence through </s>, OOVs as <unk>', () => {
    const evaluation = model.score('a b\nb zebra');
    // p(a|<s>) p(b|a) p(</s>|b) = (23/48)³; then p(b|<s>) = 15/48, p(<unk>|b) = 0.5·1/8, p(</s>|<unk>) = 7/24.
    const oovLog = Math.log10(0.5 / 8);
    const total = 3 * Math.log10(23 / 48) + Math.log10(15 / 48) + oovLog + Math.log10(7 / 24);
    expect(evaluation.sentences).toBe(2);
    expect(evaluation.words).toBe(4);
    expect(evaluation.oov).toBe(1);
    expect(evaluation.log10Prob).toBeCloseTo(total, 12);
    expect(evaluation.perplexity).toBeCloseTo(10 ** (-total / 6), 10);
    expect(evaluation.perplexityExcludingOov).toBeCloseTo(10 ** (-(total - oovLog) / 5), 10);
    // 3 + 7 characters plus one line break each.
    expect(evaluation.bitsPerCharacter).toBeCloseTo((-total * Math.log2(10)) / 12, 10);
  });

  it('skips lines without tokens and handles no text at all', () => {
    expect(model.score('\n\na b\n').sentences).toBe(1);
    const empty = model.score('');
    expect(empty.sentences).toBe(0);
    expect(Number.isNaN(empty.perplexity)).toBe(true);
  });
});
