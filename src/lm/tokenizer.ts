// Tokenizer, detokenizer and sentence splitter of the pattern model.
//
// One regular expression does the tokenizing: measured on Node 20, a `\p{L}\p{M}\p{N}` regex
// runs at 28–83 MB/s where Intl.Segmenter manages ~4 MB/s. Alternatives are tried in order at
// each position, so the multi-character shapes (URLs, Discord markup, emoji sequences) come
// before the plain word and the one-character fallback.
//
// Choices: "..." and "--" are one token each (like …), 12:30 is one token
// like 3.14, and "@everyone" stays two tokens ("@", "everyone"), so generated text can never
// ping a whole server by accident. Discord's <@id> mentions are whole tokens.
//
// Case is kept in the tokens AND in the statistics: "The" and "the" are different vocabulary
// entries, as in KenLM, so perplexities compare directly with `lmplz`/`query` run on the same
// tokens, and generated text keeps natural capitalisation without a truecasing step. Only the
// embedding lookup of a word the model has never seen folds case (see embeddings.ts).
//
// Idempotence (`tokenize(tokenize(x).join(' ')) == tokenize(x)`, so a pre-tokenized file trains
// to the same model) rests on three rules the pattern below keeps:
//   - no token contains whitespace, so joining with spaces never merges tokens;
//   - no alternative looks ahead past the end of what it consumes or behind its first character,
//     so a token matches the same way with a space after it as with its original neighbour;
//   - every character that is dropped (whitespace, controls, format characters such as a lone
//     zero-width joiner, lone surrogates) is dropped wherever it appears outside a token.

/**
 * Schemes and `www.` start a URL; its last character may not be punctuation that usually ends the sentence around it.
 */
const URL_PATTERN = String.raw`(?:https?:\/\/|ftp:\/\/|www\.)[^\s<>"]*[^\s<>".,;:!?'"()\[\]{}«»“”‘’*_~|]`;

/** Discord markup: custom emoji `<:name:id>`/`<a:name:id>`, mentions `<@id>` `<@!id>` `<@&id>` `<#id>`, timestamps. */
const DISCORD_MARKUP_PATTERN = String.raw`<a?:\w{2,32}:\d{1,20}>|<(?:@[!&]?|#)\d{1,20}>|<t:-?\d{1,16}(?::[tTdDfFR])?>`;

/** Discord-style shortcode `:emoji_name:` (also `:+1:`, `:100:`). */
const SHORTCODE_PATTERN = String.raw`:[\w+\-]{2,32}:`;

/**
 * A word: letters, marks and digits, with internal apostrophes, hyphens, underscores and
 * zero-width (non-)joiners (don't, l'eau, bien-être, e-mail, snake_case, Persian ZWNJ words),
 * and, after a digit, internal `.`, `,` or `:` before a digit: 3.14, 1,000, 1.000.000,50 and
 * 12:30 are one token each, because splitting them makes generated numbers look broken.
 */
const WORD_PATTERN = String.raw`[\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:['’\-‐‑_\u200C\u200D][\p{L}\p{M}\p{N}]+|(?<=\p{N})[.,:]\p{N}[\p{L}\p{M}\p{N}]*)*`;

/**
 * Dotted abbreviations keep their periods: U.S., e.g., a.m. (split, they would come back from the
 * detokenizer as "U. S."). Titles with one period (Mr.) split as word + period, which reads back
 * fine.
 */
const DOTTED_ABBREVIATION_PATTERN = String.raw`\p{L}\.(?:\p{L}\.)+`;

/**
 * Emoji: flags (regional-indicator pairs), and pictographs with modifiers, variation selectors, tags and ZWJ chains.
 */
const EMOJI_PATTERN = String.raw`\p{RI}\p{RI}|\p{Extended_Pictographic}[\p{M}\p{EMod}\u{E0020}-\u{E007F}]*(?:\u200D\p{Extended_Pictographic}[\p{M}\p{EMod}\u{E0020}-\u{E007F}]*)*`;

/**
 * Multi-character punctuation kept whole: "..." (the ASCII ellipsis, like …), dash runs "--",
 * and the TeX/Penn-Treebank quotes `` and '' found in corpora such as Brown.
 */
const PUNCTUATION_RUN_PATTERN = String.raw`\.{2,}|-{2,}|\x60\x60|''`;

/** Anything else that is visible is a token of its own, with the combining marks that follow it. */
const OTHER_PATTERN = String.raw`[^\s\p{Cc}\p{Cf}\p{Cs}]\p{M}*`;

const TOKEN = new RegExp(
  [
    URL_PATTERN,
    DOTTED_ABBREVIATION_PATTERN,
    WORD_PATTERN,
    DISCORD_MARKUP_PATTERN,
    SHORTCODE_PATTERN,
    EMOJI_PATTERN,
    PUNCTUATION_RUN_PATTERN,
    OTHER_PATTERN,
  ].join('|'),
  'gu',
);

/** Strings that are pure ASCII are already in NFC; testing for that is cheaper than normalize(). */
const NON_ASCII = /[^\x00-\x7f]/;

/** Splits one line of text into tokens (case kept, NFC-normalized). */
export function tokenize(line: string): string[] {
  const text = NON_ASCII.test(line) ? line.normalize('NFC') : line;
  return text.match(TOKEN) ?? [];
}

// ---------------------------------------------------------------------------------------------
// Detokenizer: joins tokens with single spaces except where typography wants none.

/** No space before these (closing punctuation and closing quotes, English and Spanish). */
const ATTACHES_LEFT = new Set([
  '.',
  ',',
  ';',
  ':',
  '!',
  '?',
  ')',
  ']',
  '}',
  '»',
  '›',
  '…',
  '...',
  '%',
  '‰',
  '”',
  '’',
  "''",
]);
/** No space after these (opening punctuation and opening quotes; Spanish ¿ ¡). */
const ATTACHES_RIGHT = new Set(['¿', '¡', '(', '[', '{', '«', '‹', '“', '‘', '``', '„']);

/**
 * Joins tokens into natural text: "Hola , ¿ qué tal ?" → "Hola, ¿qué tal?". Straight double
 * quotes alternate opening/closing; a straight single quote does too, except right after a word
 * ending in s/S with no single quote open, where it is read as a possessive apostrophe (dogs').
 * A space is never dropped where that would glue two tokens into a different token (". . ." stays
 * spaced), so `tokenize(detokenize(tokens))` gives the tokens back.
 */
export function detokenize(tokens: string[]): string {
  let text = '';
  let previous = '';
  let previousAttachesRight = true; // nothing before the first token
  let doubleQuoteOpen = false;
  let singleQuoteOpen = false;
  for (const token of tokens) {
    if (token.length === 0) continue;
    let attachesLeft: boolean;
    let attachesRight: boolean;
    if (token === '"') {
      attachesLeft = doubleQuoteOpen;
      attachesRight = !doubleQuoteOpen;
      doubleQuoteOpen = !doubleQuoteOpen;
    } else if (token === "'") {
      const possessive = !singleQuoteOpen && /[sS]$/.test(previous) && !previousAttachesRight;
      if (possessive) {
        attachesLeft = true;
        attachesRight = false;
      } else {
        attachesLeft = singleQuoteOpen;
        attachesRight = !singleQuoteOpen;
        singleQuoteOpen = !singleQuoteOpen;
      }
    } else {
      attachesLeft = ATTACHES_LEFT.has(token);
      attachesRight = ATTACHES_RIGHT.has(token);
    }
    if (text.length > 0) {
      const omitSpace = (attachesLeft || previousAttachesRight) && !gluesIntoOtherTokens(previous, token);
      if (!omitSpace) text += ' ';
    }
    text += token;
    previous = token;
    previousAttachesRight = attachesRight;
  }
  return text;
}

/** True when writing `left` and `right` without a space would tokenize differently. */
function gluesIntoOtherTokens(left: string, right: string): boolean {
  const tokens = tokenize(left + right);
  return tokens.length !== 2 || tokens[0] !== left || tokens[1] !== right;
}

// ---------------------------------------------------------------------------------------------
// Sentence splitter: long lines (chat messages, paragraphs) become several training sentences.

/**
 * Abbreviations that end in a period without ending the sentence (compared lower-cased, without
 * the final period). English and Spanish titles, Latin shorthands, common business suffixes.
 */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'st',
  'jr',
  'sr',
  'sra',
  'srta',
  'sres',
  'dra',
  'lic',
  'ing',
  'gen',
  'gov',
  'sen',
  'rep',
  'rev',
  'col',
  'capt',
  'lt',
  'sgt',
  'mt',
  'ft',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'cf',
  'al',
  'approx',
  'inc',
  'ltd',
  'co',
  'corp',
  'no',
  'nos',
  'vol',
  'fig',
  'ud',
  'uds',
  'av',
  'avda',
  'pág',
  'p',
  'pp',
  'ed',
  'eds',
  'u.s',
  'u.k',
  'a.m',
  'p.m',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'ene',
  'dic',
  'núm',
  'tel',
  'aprox',
  'depto',
  'dpto',
]);

/**
 * A candidate boundary: sentence-final punctuation (with any closing quotes or brackets after it),
 * whitespace, then something that starts a sentence: an uppercase letter, ¿, ¡ or an opening quote.
 */
const SENTENCE_BOUNDARY = /([.!?…]+)(["'”’»)\]]*)\s+(?=[\p{Lu}\p{Lt}¿¡"'“‘«([])/gu;

/** The word right before a period, dots included (e.g., U.S.). */
const WORD_BEFORE_PERIOD = /([\p{L}.]+)$/u;

/**
 * Splits a line at sentence punctuation (. ! ? … and the Spanish closing ! ?) followed by a space
 * and a sentence start, keeping the punctuation with its sentence. Does not split after common
 * abbreviations (Mr. Dr. Sra. e.g.) or single-letter initials (J. Smith); decimals never match
 * because no space follows their period. Returns trimmed, non-empty sentences.
 */
export function splitSentences(line: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  SENTENCE_BOUNDARY.lastIndex = 0;
  for (let match = SENTENCE_BOUNDARY.exec(line); match !== null; match = SENTENCE_BOUNDARY.exec(line)) {
    const punctuation = match[1];
    const end = match.index + punctuation.length + match[2].length;
    if (punctuation === '.' && match[2].length === 0 && endsWithAbbreviation(line.slice(start, match.index))) continue;
    const sentence = line.slice(start, end).trim();
    if (sentence.length > 0) sentences.push(sentence);
    start = match.index + match[0].length;
  }
  const rest = line.slice(start).trim();
  if (rest.length > 0) sentences.push(rest);
  return sentences;
}

function endsWithAbbreviation(textBeforePeriod: string): boolean {
  const word = WORD_BEFORE_PERIOD.exec(textBeforePeriod)?.[1];
  if (word === undefined) return false;
  if (ABBREVIATIONS.has(word.toLowerCase())) return true;
  // A single letter, or dotted initials such as "J.R", are initials, not sentence ends.
  return /^(?:\p{L}\.)*\p{L}$/u.test(word);
}
