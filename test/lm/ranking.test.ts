// ranking.ts: the unigram head the natural sampler draws the root from, selected without ordering
// every word, in exactly the order of the whole ranking; scratch made only for the sampler that reads it.
import { describe, expect, it } from 'vitest';
import { sample } from '../../bench/generation-corpora.js';
import { decodeImage, encodeImage, train } from '../../src/lm/index.js';
import { ContinuationRanking } from '../../src/lm/ranking.js';

describe('ContinuationRanking', () => {
  it('takes the unigram head in the whole order’s order, ties by ascending id, before and after that order exists', () => {
    // Words seen once each tie in probability; a few frequent words lead.
    const lines = [
      'the cat saw the dog and the bird',
      'a b c d e f g h i j k l m n o p q r s t u v w x y z',
      'the dog ran and the cat sat',
    ];
    for (const model of [train(lines, { maxPatternLength: 3 }), decodeImage(encodeImage(train(lines), 'x'))]) {
      const size = model.query.vocabularySize;
      for (const count of [0, 1, 2, 5, 17, size - 3, size, size + 10]) {
        const early = new ContinuationRanking(model.query);
        const head = Array.from(early.topUnigramHead(count));
        const whole = Array.from(early.topUnigrams());
        expect(head).toEqual(whole.slice(0, count));
        // From the whole order once it exists.
        expect(Array.from(early.topUnigramHead(count + 1))).toEqual(whole.slice(0, count + 1));
      }
    }
  });

  it('matches the whole order on a real vocabulary', () => {
    const model = decodeImage(encodeImage(train(sample('en-stories.txt').pool), 'x'));
    const head = new ContinuationRanking(model.query).topUnigramHead(256);
    expect(head.length).toBe(256);
    expect(Array.from(head)).toEqual(Array.from(new ContinuationRanking(model.query).topUnigrams().subarray(0, 256)));
  });

  it('holds the explicit-score sampler’s per-word scratch only once that sampler asks for it', () => {
    const model = train(sample('en-stories.txt').pool);
    const ranking = new ContinuationRanking(model.query);
    const before = ranking.byteLength;
    expect(ranking.ownerStamp.length).toBe(model.query.vocabularySize);
    expect(ranking.ownerDepth.length).toBe(model.query.vocabularySize);
    expect(ranking.byteLength - before).toBe(5 * model.query.vocabularySize);
  });
});
