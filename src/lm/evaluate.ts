// Evaluation, computed like KenLM's `query`: every sentence is scored from <s> through </s>
// (</s> counted as a word of the perplexity), words outside the vocabulary are scored as <unk>
// and counted as OOV. Perplexity excluding OOV drops both their log-probability and their count.
// Bits per character divide the total information by the characters (code points) of the scored
// lines, plus one per line for the line break that </s> stands for.

import { countCharacters, lineSentences } from './corpus.js';
import { newStepResult, sentenceStart, type Scorer } from './query.js';
import { BOS_ID, EOS_ID, UNK_ID, type Evaluation } from './types.js';
import type { WordLookup } from './vocab.js';

export interface EvaluateOptions {
  /** Split lines at sentence punctuation, as training did when its `splitSentences` was on. */
  splitSentences: boolean;
}

export function evaluate(
  scorer: Scorer,
  wordIds: WordLookup,
  lines: Iterable<string>,
  options: EvaluateOptions,
): Evaluation {
  const scratch = newStepResult();
  let sentences = 0;
  let words = 0;
  let oov = 0;
  let log10Prob = 0;
  let oovLog10Prob = 0;
  let characters = 0;
  for (const line of lines) {
    const lineSentencesTokens = lineSentences(line, options.splitSentences);
    if (lineSentencesTokens.length === 0) continue;
    characters += countCharacters(line) + 1;
    for (const tokens of lineSentencesTokens) {
      sentences++;
      let state = sentenceStart(scorer);
      for (const token of tokens) {
        const id = wordIds.get(token);
        const known = id !== undefined && id !== BOS_ID && id !== UNK_ID;
        const word = known ? (id as number) : UNK_ID;
        scorer.step(state, word, scratch);
        const logProb = Math.log10(scratch.probability);
        log10Prob += logProb;
        if (!known) {
          oov++;
          oovLog10Prob += logProb;
        }
        words++;
        state = scratch.state;
      }
      scorer.step(state, EOS_ID, scratch);
      log10Prob += Math.log10(scratch.probability);
    }
  }
  const predicted = words + sentences;
  return {
    sentences,
    words,
    oov,
    log10Prob,
    perplexity: predicted > 0 ? Math.pow(10, -log10Prob / predicted) : NaN,
    perplexityExcludingOov: predicted - oov > 0 ? Math.pow(10, -(log10Prob - oovLog10Prob) / (predicted - oov)) : NaN,
    bitsPerCharacter: characters > 0 ? (-log10Prob * Math.LOG2E * Math.LN10) / characters : NaN,
  };
}
