import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findChild, ROOT } from '../../src/lm/graph.js';
import { spellingSimilarity } from '../../src/lm/generate.js';
import { decode, encode, tokenize, train, type Model } from '../../src/lm/index.js';
import { CANDIDATES, MIN_WORDS } from '../../src/lm/sample-natural.js';
import { BOS_ID, EOS_ID } from '../../src/lm/types.js';
import { lines, randomSentences } from './corpus-fixtures.js';

// A small story text in the shape users upload: sentences of 6–14 words, sharing phrases.
const stories = [
  'Once upon a time a little fox lived in the green forest near the river.',
  'The little fox liked to run along the river in the morning.',
  'One morning the fox found a shiny stone under an old tree.',
  'The old tree told the fox a story about the stars.',
  'In the evening the stars came out over the green forest.',
  'A clever owl lived in the old tree and watched the river.',
  'The owl told the little fox to keep the shiny stone safe.',
  'The fox hid the stone under the roots of the old tree.',
  'Every night the owl sang a song about the stars and the river.',
  'The river ran past the forest and into the blue sea.',
  'A small boat sailed on the blue sea in the morning.',
  'The fox and the owl watched the boat from the hill.',
  'Once the boat came back, the fox ran down to the river.',
  'The owl flew over the forest to find the little boat.',
];
const storyModel = train(stories, { maxPatternLength: 4, embeddingDim: 16 });
const isWord = (token: string) => /[\p{L}\p{N}]/u.test(token);

/**
 * The longest run of tokens of `text` (with <s>, and </s> when it ended) every window of the
 * model's order in which is a stored n-gram: an implementation independent of the sampler's,
 * walking the trie from the root for every window.
 */
function longestCoveredRun(model: Model, tokens: string[], ended: boolean): number {
  const ids = [BOS_ID, ...tokens.map((token) => model.wordIds.get(token) as number)];
  if (ended) ids.push(EOS_ID);
  const order = model.graph.order;
  const stored = (from: number, to: number) => {
    let node = ROOT;
    for (let i = from; i < to; i++) {
      node = findChild(model.graph, node, ids[i]);
      if (node < 0) return false;
    }
    return true;
  };
  let longest = 1;
  let run = 1;
  for (let t = 1; t < ids.length; t++) {
    const length = Math.min(order, t + 1);
    if (stored(t + 1 - length, t + 1)) {
      run = run >= length - 1 ? run + 1 : length;
    } else {
      let found = 1;
      for (let l = length - 1; l >= 1; l--) {
        if (stored(t + 1 - l, t + 1)) {
          found = l;
          break;
        }
      }
      run = found;
    }
    longest = Math.max(longest, run);
  }
  return longest;
}

describe('natural generation (the default)', () => {
  it('is deterministic for a seed, never empty, never over maxLength, and keeps the prompt as typed', () => {
    const model = train(lines(randomSentences(21, 400, 60, 12)), {
      maxPatternLength: 4,
      embeddingDim: 8,
      splitSentences: false,
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 60 }),
        fc.option(fc.constantFrom('w1', 'w3 w7', 'w2 zzz', 'Zorblax w5', 'w0 w0 w0'), { nil: undefined }),
        (seed, maxLength, prompt) => {
          const options = { seed, maxLength, prompt };
          const result = model.generate(options);
          expect(model.generate(options)).toEqual(result);
          expect(result.text.trim().length).toBeGreaterThan(0);
          expect(result.tokens).toBeGreaterThanOrEqual(1);
          expect(result.tokens).toBeLessThanOrEqual(maxLength);
          expect(result.stop === 'length').toBe(result.tokens === maxLength && result.stop !== 'end');
          if (prompt !== undefined)
            expect(tokenize(result.text).slice(0, tokenize(prompt).length)).toEqual(tokenize(prompt));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('only produces words of the vocabulary, never markers or <unk>', () => {
    const known = new Set(storyModel.vocab.slice(3));
    for (let seed = 0; seed < 100; seed++) {
      for (const token of tokenize(storyModel.generate({ seed }).text)) expect(known.has(token)).toBe(true);
    }
  });

  it('writes at least MIN_WORDS words before ending, and ends where the text ends sentences', () => {
    for (let seed = 0; seed < 200; seed++) {
      const result = storyModel.generate({ seed });
      const tokens = tokenize(result.text);
      expect(tokens.filter(isWord).length).toBeGreaterThanOrEqual(MIN_WORDS);
      if (result.stop === 'end') expect(tokens[tokens.length - 1]).toBe('.');
    }
  });

  it('never leaves a run of more than maxCopyRun covered tokens, and copies when the rule is off', () => {
    const order = storyModel.graph.order;
    let longestWithRule = 0;
    let copiesWithoutRule = 0;
    const training = new Set(stories.map((line) => tokenize(line).join(' ')));
    for (let seed = 0; seed < 200; seed++) {
      for (const maxCopyRun of [6, 10]) {
        const result = storyModel.generate({ seed, maxCopyRun });
        const run = longestCoveredRun(storyModel, tokenize(result.text), result.stop === 'end');
        expect(run).toBeLessThanOrEqual(Math.max(maxCopyRun, order));
        longestWithRule = Math.max(longestWithRule, run);
        expect(training.has(tokenize(result.text).join(' '))).toBe(false);
      }
      const free = storyModel.generate({ seed, maxCopyRun: 0 });
      if (training.has(tokenize(free.text).join(' '))) copiesWithoutRule++;
    }
    // The rule is what prevents copies: without it, this small text is copied whole.
    expect(copiesWithoutRule).toBeGreaterThan(10);
    expect(longestWithRule).toBeGreaterThanOrEqual(order);
  });

  it('starts a new sentence after a sentence end with a word that starts sentences, not with any word', () => {
    // Every story line is one sentence, so "." is followed only by the end in training: a walk
    // that must leave a copied line at its "." (a short maxCopyRun forces that often) used to go
    // on from the root ("himself. a door.").
    const starters = new Set(stories.map((line) => tokenize(line)[0]));
    let restarts = 0;
    for (let seed = 0; seed < 300; seed++) {
      for (const maxCopyRun of [3, 4, 5]) {
        const tokens = tokenize(storyModel.generate({ seed, maxCopyRun }).text);
        for (let i = 1; i < tokens.length; i++) {
          if (tokens[i - 1] !== '.') continue;
          expect(starters.has(tokens[i])).toBe(true);
          restarts++;
        }
      }
    }
    expect(restarts).toBeGreaterThan(0);
  });

  it('never starts a text with punctuation that joins the word before it, though training lines do', () => {
    // Sentence splits after abbreviations leave lines that start ", …" or ". …" (Brown, chat).
    const split = [
      ...stories,
      ', Dick Stuart and the fox ran down to the river.',
      ', and the owl sang a song about the stars.',
      '. The little boat sailed on the blue sea.',
      '; the old tree told the fox a story.',
      '! The fox found a shiny stone.',
    ];
    const model = train(split, { maxPatternLength: 4, embeddingDim: 0 });
    const joins = new Set([',', '.', ';', '!']);
    const firsts = Array.from({ length: 400 }, (_, seed) => tokenize(model.generate({ seed }).text)[0]);
    expect(firsts.filter((token) => joins.has(token))).toEqual([]);
    // The exact distribution keeps them: <s>'s continuations hold the five lines' marks.
    const exact = Array.from(
      { length: 400 },
      (_, seed) => tokenize(model.generate({ seed, sampling: 'exact', maxLength: 3 }).text)[0],
    );
    expect(exact.some((token) => joins.has(token))).toBe(true);
    // After a prompt the mark joins the prompt: "the fox, and …" may be written.
    const prompted = Array.from({ length: 200 }, (_, seed) => model.generate({ seed, prompt: 'Dick Stuart' }).text);
    expect(prompted.every((text) => text.startsWith('Dick Stuart'))).toBe(true);
  });

  it('does not repeat the previous word unless the training text characteristically does', () => {
    for (let seed = 0; seed < 200; seed++) {
      const tokens = tokenize(storyModel.generate({ seed }).text);
      for (let i = 1; i < tokens.length; i++) expect(tokens[i].toLowerCase()).not.toBe(tokens[i - 1].toLowerCase());
    }
    // "ha ha" is how these lines laugh: the pair is characteristic, so it may be written.
    const laughing = train(
      ['ha ha ha that is funny .', 'ha ha you are right .', 'ha ha ha ha good one .', 'that is so funny ha ha .'],
      { embeddingDim: 0 },
    );
    const texts = Array.from({ length: 50 }, (_, seed) => laughing.generate({ seed, maxCopyRun: 0 }).text);
    expect(texts.some((text) => text.includes('ha ha'))).toBe(true);
  });

  it('gives different continuations to different prompts with one seed', () => {
    const texts = new Set(
      ['The fox', 'The owl', 'A small', 'Every night', 'In the'].map(
        (prompt) => storyModel.generate({ prompt, seed: 3 }).text,
      ),
    );
    expect(texts.size).toBe(5);
  });

  it('reads an unknown prompt word as a close known word only when they are spelled alike', () => {
    const close = storyModel.generate({ prompt: 'The foxes', seed: 1 });
    expect(close.text.startsWith('The foxes')).toBe(true);
    expect(close.substitutions).toEqual([{ from: 'foxes', to: 'fox' }]);
    const unrelated = storyModel.generate({ prompt: 'The Pikachu', seed: 1 });
    expect(unrelated.text.startsWith('The Pikachu')).toBe(true);
    expect(unrelated.substitutions).toEqual([]);
    // A case variant is the same word: read as it, not reported.
    expect(storyModel.generate({ prompt: 'THE OWL', seed: 1 }).substitutions).toEqual([]);
    expect(spellingSimilarity('gardens', 'garden')).toBeCloseTo(8 / 9, 12);
    expect(spellingSimilarity('Pikachu', 'church')).toBeCloseTo(2 / 9, 12);
  });

  it('keeps its text through a save and load, and with a model that keeps no raw counts', () => {
    const loaded = decode(encode(storyModel, 0));
    const generateOnly = decode(encode(storyModel, 0), { counts: false });
    for (let seed = 0; seed < 30; seed++) {
      const expected = storyModel.generate({ seed, prompt: seed % 2 === 0 ? 'The fox' : undefined }).text;
      expect(loaded.generate({ seed, prompt: seed % 2 === 0 ? 'The fox' : undefined }).text).toBe(expected);
      expect(generateOnly.generate({ seed, prompt: seed % 2 === 0 ? 'The fox' : undefined }).text).toBe(expected);
    }
  });

  it('honours temperature, top-k, top-p, repetition penalty and steering on the observed continuations', () => {
    for (const options of [
      { temperature: 0.3 },
      { temperature: 2 },
      { topK: 1 },
      { topP: 0.5 },
      { repetitionPenalty: 2 },
      { steer: 1, prompt: 'the owl' },
    ]) {
      for (let seed = 0; seed < 20; seed++) {
        const result = storyModel.generate({ ...options, seed });
        expect(storyModel.generate({ ...options, seed }).text).toBe(result.text);
        expect(tokenize(result.text).filter(isWord).length).toBeGreaterThanOrEqual(MIN_WORDS);
      }
    }
  });

  it('works for every order, including a unigram model', () => {
    for (const order of [1, 2, 3, 5]) {
      const model = train(stories, { maxPatternLength: order, embeddingDim: 0 });
      for (let seed = 0; seed < 20; seed++) expect(model.generate({ seed }).text.length).toBeGreaterThan(0);
    }
  });

  it('counts the tokens of every walk it drew, the returned one among them (exact sampling draws one)', () => {
    for (let seed = 0; seed < 20; seed++) {
      const natural = storyModel.generate({ seed, maxLength: 40 });
      // Each of the other walks has at least MIN_WORDS words before it may end.
      expect(natural.drawnTokens).toBeGreaterThanOrEqual(natural.tokens + (CANDIDATES - 1) * MIN_WORDS);
      expect(natural.drawnTokens).toBeLessThanOrEqual(CANDIDATES * 40);
      const exact = storyModel.generate({ seed, maxLength: 40, sampling: 'exact' });
      expect(exact.drawnTokens).toBe(exact.tokens);
    }
  });
});
