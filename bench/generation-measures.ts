// The measures of generated text that bench:generation reports (and the generation tests use):
// each takes texts, tokenizes them as `ultra tokenize` does, and returns a share or a ratio.
// Words are tokens with a letter or a digit.
import { tokenize } from '../src/lm/index.js';

export type Language = 'en' | 'es';

const WORD = /[\p{L}\p{N}]/u;
/** Punctuation that cannot follow a determiner or a preposition (opening quotes and brackets can). */
const CLOSING_PUNCTUATION = /^[.,;:!?…)\]}»]+$/u;

// Words whose next token is checked. Ambiguous ones (English "that", "her", "to"; Spanish "lo")
// are left out: they end sentences correctly often enough that counting them would measure noise.
const DETERMINERS: Record<Language, ReadonlySet<string>> = {
  en: new Set(['the', 'a', 'an', 'every', 'my', 'your', 'our', 'their']),
  es: new Set([
    'el',
    'la',
    'los',
    'las',
    'un',
    'una',
    'unos',
    'unas',
    'mi',
    'mis',
    'tu',
    'tus',
    'su',
    'sus',
    'nuestro',
    'nuestra',
    'nuestros',
    'nuestras',
    'cada',
  ]),
};
const PREPOSITIONS: Record<Language, ReadonlySet<string>> = {
  en: new Set(['of', 'in', 'on', 'at', 'from', 'with', 'by', 'for', 'into', 'onto', 'upon', 'through', 'about']),
  es: new Set([
    'de',
    'a',
    'en',
    'con',
    'por',
    'para',
    'sin',
    'sobre',
    'entre',
    'hacia',
    'hasta',
    'desde',
    'según',
    'contra',
    'ante',
    'bajo',
    'tras',
    'del',
    'al',
  ]),
};
const CONJUNCTIONS: Record<Language, ReadonlySet<string>> = {
  en: new Set(['and', 'or']),
  es: new Set(['y', 'o', 'e', 'u']),
};

export function wordsOf(tokens: readonly string[]): string[] {
  return tokens.filter((token) => WORD.test(token));
}

/** Same token twice in a row (case-insensitive), punctuation included: "a a", ", ,". */
export function hasImmediateRepeat(tokens: readonly string[]): boolean {
  for (let i = 1; i < tokens.length; i++) if (tokens[i].toLowerCase() === tokens[i - 1].toLowerCase()) return true;
  return false;
}

/**
 * A determiner followed by closing punctuation, another determiner, a preposition, a conjunction
 * or the end of the text; a preposition followed by closing punctuation, a preposition or the end.
 * `cut`: the text was cut at the length limit, so its end is not checked.
 */
export function hasBrokenPair(tokens: readonly string[], language: Language, cut: boolean): boolean {
  const determiners = DETERMINERS[language];
  const prepositions = PREPOSITIONS[language];
  const conjunctions = CONJUNCTIONS[language];
  for (let i = 0; i < tokens.length; i++) {
    const word = tokens[i].toLowerCase();
    const isDeterminer = determiners.has(word);
    const isPreposition = !isDeterminer && prepositions.has(word);
    if (!isDeterminer && !isPreposition) continue;
    if (i + 1 === tokens.length) {
      if (!cut) return true;
      continue;
    }
    const next = tokens[i + 1].toLowerCase();
    if (CLOSING_PUNCTUATION.test(next) || prepositions.has(next)) return true;
    if (isDeterminer && (determiners.has(next) || conjunctions.has(next))) return true;
  }
  return false;
}

/** Distinct token bigrams over all bigrams of all texts (lower-cased). */
export function distinct2(tokenized: readonly (readonly string[])[]): number {
  const { distinct, total } = bigramsOf(tokenized);
  return total === 0 ? 0 : distinct.size / total;
}

/** A bigram as distinct2 and bigramSupply count it: lower-cased, the two tokens joined by NUL. */
function bigramKey(first: string, second: string): string {
  return `${first.toLowerCase()}\u0000${second.toLowerCase()}`;
}

/** The lower-cased token bigrams of texts (within each text), as distinct2 counts them. */
export function bigramsOf(tokenized: readonly (readonly string[])[]): { distinct: Set<string>; total: number } {
  const distinct = new Set<string>();
  let total = 0;
  for (const tokens of tokenized) {
    for (let i = 1; i < tokens.length; i++) {
      distinct.add(bigramKey(tokens[i - 1], tokens[i]));
      total++;
    }
  }
  return { distinct, total };
}

/**
 * What the training text allows. A generator that writes only bigrams seen in training cannot
 * pass distinct-2 = (distinct training bigrams) / (bigrams written): `bound`. Nor can outputs
 * drawn independently of one another (each call with its own seed, as /generate is) reach it:
 * `independent` is the expected distinct-2 of as many bigrams drawn at random by their training
 * frequency (a Markov chain's draws), `uniform` the same drawn uniformly from the distinct ones
 * (the most varied independent draws): D·(1 − e^(−T/D))/T and Σ(1 − e^(−T·f/N))/T for T written
 * bigrams, D distinct training bigrams, f the count of one in N. `unseen`: share of the written
 * bigrams that training never had (new combinations, and the salad of backing off).
 */
export function bigramSupply(
  trainingLines: readonly string[],
  texts: readonly string[],
): { bound: number; independent: number; uniform: number; unseen: number; trainingDistinct: number } {
  const counts = new Map<string, number>();
  let trainingTotal = 0;
  for (const line of trainingLines) {
    const tokens = tokenize(line);
    for (let i = 1; i < tokens.length; i++) {
      const key = bigramKey(tokens[i - 1], tokens[i]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      trainingTotal++;
    }
  }
  let written = 0;
  let unseen = 0;
  for (const text of texts) {
    const tokens = tokenize(text);
    for (let i = 1; i < tokens.length; i++) {
      written++;
      if (!counts.has(bigramKey(tokens[i - 1], tokens[i]))) unseen++;
    }
  }
  const distinct = counts.size;
  let expected = 0;
  for (const count of counts.values()) expected += 1 - Math.exp((-written * count) / trainingTotal);
  return {
    bound: written === 0 ? 1 : Math.min(1, distinct / written),
    independent: written === 0 ? 1 : expected / written,
    uniform: written === 0 ? 1 : (distinct * (1 - Math.exp(-written / distinct))) / written,
    unseen: written === 0 ? 0 : unseen / written,
    trainingDistinct: distinct,
  };
}

/** The text as tokens joined by one space: how outputs and training lines are compared. */
export function normalized(text: string): string {
  return tokenize(text).join(' ');
}

export interface TextMeasures {
  count: number;
  /** Shares (0–1) of the texts. */
  empty: number;
  underFourWords: number;
  immediateRepeat: number;
  brokenPair: number;
  /** Ending with . ! ? … (possibly followed by closing quotes or brackets). */
  sentenceEnd: number;
  copied: number;
  distinct2: number;
  meanWords: number;
  /** A closing quote or bracket with no opener, or (unless cut at the length limit) an opener never closed. */
  unbalanced: number;
  /** Starting with punctuation that joins the word before it (", Los Angeles…"). */
  markStart: number;
}

const JOINING_MARK = /^[.,;:!?%‰]$/u;

const SENTENCE_END = /[.!?…]["'”’»)\]]*$/u;

/** Quotes and brackets that pair (the straight double quote pairs with itself); ' and ’ are left out (apostrophes). */
const CLOSER_OF: ReadonlyMap<string, string> = new Map([
  ['(', ')'],
  ['[', ']'],
  ['{', '}'],
  ['“', '”'],
  ['«', '»'],
  ['``', "''"],
  ['"', '"'],
]);
const CLOSERS: ReadonlySet<string> = new Set(CLOSER_OF.values());

/** Whether the quotes and brackets of a text pair up (an opener left open at a cut is allowed). */
export function isUnbalanced(tokens: readonly string[], cut: boolean): boolean {
  const open: string[] = [];
  for (const token of tokens) {
    if (token === '"' && open[open.length - 1] === '"') open.pop();
    else if (CLOSER_OF.has(token)) open.push(token);
    else if (CLOSERS.has(token)) {
      if (open.length === 0 || CLOSER_OF.get(open[open.length - 1]) !== token) return true;
      open.pop();
    }
  }
  return open.length > 0 && !cut;
}

/**
 * Measures of a set of texts. `cut[i]`: text i stopped at the length limit. `copies`: normalized
 * training lines and sentences; a text equal to one of them counts as copied.
 */
export function measureTexts(
  texts: readonly string[],
  language: Language,
  cut: readonly boolean[],
  copies: ReadonlySet<string> | null,
): TextMeasures {
  const tokenized = texts.map((text) => tokenize(text));
  let empty = 0;
  let short = 0;
  let repeat = 0;
  let broken = 0;
  let ended = 0;
  let copied = 0;
  let words = 0;
  let unbalanced = 0;
  let markStart = 0;
  tokenized.forEach((tokens, i) => {
    const count = wordsOf(tokens).length;
    words += count;
    if (tokens.length === 0) empty++;
    if (count < 4) short++;
    if (hasImmediateRepeat(tokens)) repeat++;
    if (hasBrokenPair(tokens, language, cut[i] ?? false)) broken++;
    if (SENTENCE_END.test(texts[i].trim())) ended++;
    if (copies?.has(tokens.join(' '))) copied++;
    if (isUnbalanced(tokens, cut[i] ?? false)) unbalanced++;
    if (tokens.length > 0 && JOINING_MARK.test(tokens[0])) markStart++;
  });
  const n = Math.max(1, texts.length);
  return {
    count: texts.length,
    empty: empty / n,
    underFourWords: short / n,
    immediateRepeat: repeat / n,
    brokenPair: broken / n,
    sentenceEnd: ended / n,
    copied: copies === null ? Number.NaN : copied / n,
    distinct2: distinct2(tokenized),
    meanWords: words / n,
    unbalanced: unbalanced / n,
    markStart: markStart / n,
  };
}
