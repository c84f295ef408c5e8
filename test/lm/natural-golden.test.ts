// The natural sampler's output is pinned: for a fixed model, prompt and seed the text stays the
// same through speed work on sample-natural.ts. Each case hashes the texts of 50 seeds; a
// deliberate change of the output updates these hashes in the same commit, with the reason.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chat, firstBytes, sample } from '../../bench/generation-corpora.js';
import {
  decodeImage,
  encodeImage,
  RecentPhrases,
  train,
  type GenerateOptions,
  type Model,
} from '../../src/lm/index.js';

const SEEDS = 50;

/** The model as the bot serves it: trained with the product's defaults, loaded from its image. */
function served(lines: string[]): Model {
  return decodeImage(encodeImage(train(lines), 'golden'));
}

function textsHash(model: Model, options: GenerateOptions): string {
  const hash = createHash('sha256');
  for (let seed = 0; seed < SEEDS; seed++) hash.update(`${model.generate({ ...options, seed }).text}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * The texts and activated patterns of 50 successive calls sharing one memory of recent texts (a
 * server's /generate without a seed): the path that draws up to 16 walks a call and weighs
 * without kept lists.
 */
function successiveHash(model: Model, options: GenerateOptions): string {
  const recent = new RecentPhrases();
  const hash = createHash('sha256');
  for (let seed = 0; seed < SEEDS; seed++) {
    const result = model.generate({ ...options, seed, recent });
    hash.update(`${result.text}\n${result.activatedPatterns}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Settings that reach every branch of a draw: temperature, nucleus, top-k, penalty, steering. */
const TUNED: GenerateOptions = { temperature: 0.8, topP: 0.9, topK: 20, repetitionPenalty: 1.3, steer: 0.5 };

describe('natural generation is pinned', () => {
  it('on the shipped English sample', () => {
    const model = served(sample('en-stories.txt').pool);
    expect({
      plain: textsHash(model, {}),
      prompt: textsHash(model, { prompt: 'Once upon a time' }),
      tuned: textsHash(model, { ...TUNED, prompt: 'The fox' }),
    }).toEqual({ plain: '664774032b4ede21', prompt: '640b1a4fb5dbcb04', tuned: 'b1b1a8221c0b1674' });
  });

  it('on the shipped Spanish sample', () => {
    const model = served(sample('es-cuentos.txt').pool);
    expect({
      plain: textsHash(model, {}),
      prompt: textsHash(model, { prompt: 'Había una vez' }),
    }).toEqual({ plain: '7fd7e0d0c7447480', prompt: '6e7407f4146a9e4d' });
  });

  it('on 200 KB of chat-like text', () => {
    const model = served(firstBytes(chat().pool, 200_000));
    expect({
      plain: textsHash(model, {}),
      prompt: textsHash(model, { prompt: 'I think that' }),
      long: textsHash(model, { prompt: '"Well', maxLength: 120 }),
      tuned: textsHash(model, { ...TUNED, prompt: 'you know' }),
    }).toEqual({
      // A text no longer starts with a joining mark: the two of 50 that did lose it (", Los Angeles…" →
      // "Los Angeles…", "., Buy…" → "Buy…"), every other text as before.
      plain: 'fea4d8f566852966',
      prompt: '12d0046aeee1f20b',
      long: '4e858ed18576de77',
      tuned: '108902f9735adad7',
    });
  });

  it('for successive calls with a memory of recent texts', () => {
    const stories = served(sample('en-stories.txt').pool);
    const chatModel = served(firstBytes(chat().pool, 200_000));
    expect({
      stories: successiveHash(stories, {}),
      storiesPrompt: successiveHash(stories, { prompt: 'Once upon a time' }),
      chat: successiveHash(chatModel, {}),
      chatPrompt: successiveHash(chatModel, { prompt: 'I think that' }),
    }).toEqual({
      stories: 'bcb26b916cf4d8b0',
      storiesPrompt: '09942e3cc7c05e8d',
      // Texts that started with a joining mark lose it (and the memory records them so).
      chat: 'd69ea3b4a23a826f',
      chatPrompt: '1007b53abb0bc094',
    });
  });
});
