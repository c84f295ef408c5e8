// Generation: a walk over the pattern graph. From the current state (the node of the longest
// stored suffix of the text so far) only the nodes on its suffix chain are consulted.
//
// Two samplers share this entry point, the prompt handling and the result:
// - 'natural' (the default, what every front end shows): sentences a reader wants, drawn from the
//   observed continuations of the longest context with real evidence, several candidates per call,
//   the best returned (sample-natural.ts);
// - 'exact': plain sampling from the interpolated Kneser-Ney distribution, for evaluation
//   (`ultra generate --exact`; sample-exact.ts).

import type { QueryGraph } from './query-graph.js';
import type { ContinuationRanking } from './ranking.js';
import type { RecentPhrases } from './recent.js';
import { CandidateSampler } from './sample-candidates.js';
import { mixtureDraw, sampleMixture } from './sample-exact.js';
import { DEFAULT_MAX_COPY_RUN, generateNatural } from './sample-natural.js';
import { newStepResult, sentenceStart } from './query.js';
import { hashString, seededRandom } from './random.js';
import { detokenize, tokenize } from './tokenizer.js';
import { BOS_ID, EOS_ID, UNK_ID, type GenerateOptions, type GenerateResult } from './types.js';
import type { WordLookup } from './vocab.js';
import type { WordList } from './words.js';

const DEFAULT_MAX_LENGTH = 40;
const MAX_MAX_LENGTH = 1000;
/**
 * Temperature of the natural sampler when none is given (the exact sampler's is 1). It applies to
 * observed continuations only, so above 1 it spreads the draws over them (distinct-2 0.78 → 0.81
 * on 200 KB of chat) at a small cost in fluency, with no salad: bench:generation.
 */
const NATURAL_TEMPERATURE = 1.2;
/**
 * An unknown prompt word is read as one of its NEIGHBOURS nearest embedding neighbours only when
 * they are also spelled alike: the share of letter trigrams they have in common (Dice) reaches
 * this. The cosine alone cannot tell: a subword estimate built from one shared trigram scores ~1.0
 * against an unrelated word (Pikachu → church 1.000, realy → Italy 0.995, while gardens → garden
 * 0.998); spelling separates them (0.22, 0.33 against 0.89). Otherwise the word is skipped.
 */
const SUBSTITUTION_MIN_SPELLING = 0.5;
const NEIGHBOURS = 10;

/** What generation needs from the model. */
export interface GenerationSource {
  /** The query graph (query-graph.ts): what every front end's generation reads. */
  query: QueryGraph;
  words: WordList;
  wordIds: WordLookup;
  /** Unit vector of a known or unknown word; null without embeddings. */
  vectorOf(word: string): Float32Array | null;
  rowVector(id: number): Float32Array | null;
  /** The k known words (not reserved) nearest to a vector, best first, with their cosine; empty without embeddings. */
  nearestWords(vector: Float32Array, k: number): { id: number; score: number }[];
  /** Continuations ranked by probability (built lazily, kept by the model). */
  ranking(): ContinuationRanking;
}

export interface Settings {
  sampling: 'natural' | 'exact';
  /** Natural sampling: longest covered run allowed (Infinity: anti-copy off). */
  maxCopyRun: number;
  maxLength: number;
  temperature: number;
  minLength: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  steer: number;
  /** What the model wrote lately (natural sampling): its pairs are drawn less, the text returned is added. */
  recent: RecentPhrases | null;
}

function settingsOf(options: GenerateOptions): Settings {
  const finiteOr = (value: number | undefined, fallback: number): number =>
    value !== undefined && Number.isFinite(value) ? value : fallback;
  const sampling = options.sampling === 'exact' ? 'exact' : 'natural';
  return {
    sampling,
    maxCopyRun:
      options.maxCopyRun === 0
        ? Number.POSITIVE_INFINITY
        : Math.max(1, Math.floor(finiteOr(options.maxCopyRun, DEFAULT_MAX_COPY_RUN))),
    maxLength: Math.max(1, Math.min(MAX_MAX_LENGTH, Math.floor(finiteOr(options.maxLength, DEFAULT_MAX_LENGTH)))),
    temperature: Math.max(0.01, finiteOr(options.temperature, sampling === 'exact' ? 1 : NATURAL_TEMPERATURE)),
    minLength: Math.max(0, Math.floor(finiteOr(options.minLength, 1))),
    topK: Math.max(0, Math.floor(finiteOr(options.topK, 0))),
    topP: Math.min(1, Math.max(0.01, finiteOr(options.topP, 1))),
    repetitionPenalty: Math.max(1, finiteOr(options.repetitionPenalty, 1)),
    steer: Math.min(1, Math.max(0, finiteOr(options.steer, 0))),
    recent: options.recent ?? null,
  };
}

/** The prompt as the model reads it: ids of its known words, substitutes, and what was substituted. */
export interface ReadPrompt {
  tokens: string[];
  /**
   * Ids the model steps through: known words, close substitutes, <unk> for other unknown words after the first known
   * one.
   */
  ids: number[];
  substitutions: { from: string; to: string }[];
}

function readPrompt(source: GenerationSource, prompt: string | undefined): ReadPrompt {
  const tokens = prompt !== undefined ? tokenize(prompt) : [];
  const substitutions: { from: string; to: string }[] = [];
  const ids: number[] = [];
  const usable = (id: number | undefined): id is number =>
    id !== undefined && id !== UNK_ID && id !== BOS_ID && id !== EOS_ID;
  for (const token of tokens) {
    let id = source.wordIds.get(token);
    if (!usable(id)) {
      // A case variant is the same word ("Hello" for "hello"): read as it, and not reported.
      const lower = token.toLowerCase();
      id = source.wordIds.get(lower);
      if (!usable(id)) id = source.wordIds.get(lower.charAt(0).toUpperCase() + lower.slice(1));
    }
    if (!usable(id)) {
      const vector = source.vectorOf(token);
      const neighbours = vector !== null ? source.nearestWords(vector, NEIGHBOURS) : [];
      const close = neighbours.find(
        (neighbour) => spellingSimilarity(token, source.words.word(neighbour.id)) >= SUBSTITUTION_MIN_SPELLING,
      );
      if (close === undefined) {
        // Leading unknown words are skipped, so the known part starts the sentence; a later one
        // is read as <unk>, which restarts the context mid-sentence.
        if (ids.length > 0) ids.push(UNK_ID);
        continue;
      }
      id = close.id;
      substitutions.push({ from: token, to: source.words.word(id) });
    }
    ids.push(id);
  }
  return { tokens, ids, substitutions };
}

/** Dice coefficient of the lower-cased letter trigrams of two words (0 when either has none). */
export function spellingSimilarity(a: string, b: string): number {
  const trigrams = (word: string): Set<string> => {
    const lower = word.toLowerCase();
    const set = new Set<string>();
    for (let i = 0; i + 3 <= lower.length; i++) set.add(lower.slice(i, i + 3));
    return set;
  };
  const x = trigrams(a);
  const y = trigrams(b);
  if (x.size === 0 || y.size === 0) return 0;
  let shared = 0;
  for (const t of x) if (y.has(t)) shared++;
  return (2 * shared) / (x.size + y.size);
}

export function generate(source: GenerationSource, options: GenerateOptions = {}): GenerateResult {
  const started = options.now?.() ?? 0;
  const settings = settingsOf(options);
  const prompt = readPrompt(source, options.prompt);
  // The prompt is part of the seed, so two prompts with one seed do not share a continuation
  // (as they did when all their words were unknown).
  const seed = options.seed ?? Math.floor(Math.random() * 4294967296);
  const random = seededRandom(prompt.tokens.length > 0 ? hashString(prompt.tokens.join(' '), seed) : seed);
  const walk =
    settings.sampling === 'natural'
      ? generateNatural(source, settings, prompt, random)
      : generateExact(source, settings, prompt, random);
  const text = detokenize([...prompt.tokens, ...walk.words]);
  const ms = options.now !== undefined ? options.now() - started : 0;
  return {
    text,
    tokens: walk.words.length,
    drawnTokens: walk.drawnTokens,
    activatedPatterns: walk.activated,
    activatedPerToken: walk.words.length > 0 ? walk.activated / walk.words.length : walk.activated,
    ms,
    substitutions: prompt.substitutions,
    stop: walk.stop,
  };
}

/** What a sampler returns: the generated words, why it stopped, and the context nodes it consulted. */
export interface Walk {
  words: string[];
  /** Tokens of every candidate walk drawn (the returned one's included). */
  drawnTokens: number;
  stop: 'end' | 'length';
  activated: number;
}

function generateExact(
  source: GenerationSource,
  settings: Settings,
  prompt: ReadPrompt,
  random: ReturnType<typeof seededRandom>,
): Walk {
  const graph = source.query;
  const scratch = newStepResult();
  let state = sentenceStart(graph);
  for (const id of prompt.ids) state = graph.step(state, id, scratch).state;

  const explicit =
    settings.temperature !== 1 ||
    settings.topK > 0 ||
    settings.topP < 1 ||
    settings.repetitionPenalty > 1 ||
    settings.steer > 0;
  const sampler = explicit ? new CandidateSampler(source, settings, prompt.ids, prompt.tokens) : null;

  const minLength = Math.min(settings.maxLength, settings.minLength);
  const words: string[] = [];
  const activation = { count: 0 };
  let stop: 'end' | 'length' = 'length';
  for (let position = 0; position < settings.maxLength; position++) {
    // A text is never empty; minLength 0 lets `</s>` follow the prompt at once (the exact distribution).
    const allowEnd = position >= minLength && prompt.tokens.length + position > 0;
    const word =
      sampler !== null
        ? sampler.sample(state, random, allowEnd, activation)
        : sampleMixture(graph, state, random, allowEnd, activation);
    if (word === EOS_ID) {
      stop = 'end';
      break;
    }
    words.push(source.words.word(word));
    if (sampler !== null) {
      sampler.saw(word);
      state = graph.step(state, word, scratch).state;
    } else {
      state = mixtureDraw.state;
    }
  }
  return { words, drawnTokens: words.length, stop, activated: activation.count };
}
