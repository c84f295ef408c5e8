// Terminal text: how wide a string shows, wrapping to a width, and turning the Discord markdown
// that commands write (bold, code, escapes, timestamps) into plain text a terminal shows as is.

// Control sequences take no columns; they are skipped when measuring coloured text.
const ANSI_SEQUENCE = /\x1b\[[0-9;?]*[A-Za-z]/g;

function stripAnsi(text: string): string {
  return text.replace(ANSI_SEQUENCE, '');
}

function isZeroWidth(code: number): boolean {
  return (
    (code >= 0x0300 && code <= 0x036f) || // combining diacritics (a decomposed "é")
    (code >= 0x200b && code <= 0x200f) || // zero-width space, joiners, direction marks
    (code >= 0xfe00 && code <= 0xfe0f) || // variation selectors (emoji presentation)
    code === 0x2060 ||
    code === 0xfeff
  );
}

// Symbols below U+3000 that terminals draw in two columns (East_Asian_Width W): the emoji-style
// ones commands use as markers (✅ ❌ ⭐ ⏳ …).
const WIDE_SYMBOLS = new Set([
  0x231a, 0x231b, 0x23e9, 0x23ea, 0x23eb, 0x23ec, 0x23f0, 0x23f3, 0x25fd, 0x25fe, 0x2614, 0x2615, 0x267f, 0x2693,
  0x26a1, 0x26aa, 0x26ab, 0x26bd, 0x26be, 0x26c4, 0x26c5, 0x26ce, 0x26d4, 0x26ea, 0x26f2, 0x26f3, 0x26f5, 0x26fa,
  0x26fd, 0x2705, 0x270a, 0x270b, 0x2728, 0x274c, 0x274e, 0x2753, 0x2754, 0x2755, 0x2757, 0x2795, 0x2796, 0x2797,
  0x27b0, 0x27bf, 0x2b1b, 0x2b1c, 0x2b50, 0x2b55,
]);

// Terminals draw East Asian wide letters and most emoji in two columns. An approximation of
// Unicode's East_Asian_Width table, enough that tables with CJK or emoji stay aligned.
function isWide(code: number): boolean {
  return (
    WIDE_SYMBOLS.has(code) ||
    (code >= 0x2648 && code <= 0x2653) || // zodiac
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0x303e) ||
    (code >= 0x3041 && code <= 0x33ff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xa000 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f004 && code <= 0x1f0cf) ||
    (code >= 0x1f18e && code <= 0x1f19a) ||
    (code >= 0x1f200 && code <= 0x1f64f) ||
    (code >= 0x1f680 && code <= 0x1f6ff) ||
    (code >= 0x1f7e0 && code <= 0x1f7eb) ||
    (code >= 0x1f90c && code <= 0x1f9ff) ||
    (code >= 0x1fa70 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Columns the text occupies in a terminal (ANSI colours ignored). */
export function displayWidth(text: string): number {
  let width = 0;
  let previous = 0;
  for (const character of stripAnsi(text)) {
    const code = character.codePointAt(0)!;
    // VARIATION SELECTOR-16 asks for the emoji presentation of the symbol before it, which
    // terminals draw in two columns: "⚠️" is U+26A0 (narrow alone) + U+FE0F. Without this, table
    // rows holding it were one column off.
    if (code === EMOJI_PRESENTATION && previous === 1) {
      width += 1;
      previous = 2;
      continue;
    }
    if (code < 0x20 || (code >= 0x7f && code < 0xa0) || isZeroWidth(code)) {
      previous = 0;
      continue;
    }
    previous = isWide(code) ? 2 : 1;
    width += previous;
  }
  return width;
}

const EMOJI_PRESENTATION = 0xfe0f;

/** Pads with spaces on the right up to `width` columns. */
export function padEnd(text: string, width: number): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? text + ' '.repeat(missing) : text;
}

/** Cuts a single line to at most `width` columns, ending it with "…" when something was cut. */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  for (const character of text) {
    if (displayWidth(out + character) > width - 1) break;
    out += character;
  }
  return `${out}…`;
}

/**
 * Wraps plain text (no ANSI) to lines of at most `width` columns, at spaces when it can and
 * inside a word only when the word alone is wider than the line. A list written `a · b · c` wraps
 * between its items, so "validation 0" stays on one line. Existing newlines are kept.
 */
export function wrapText(text: string, width: number): string[] {
  const limit = Math.max(1, width);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    // A line that fits is kept exactly, runs of spaces included (aligned columns, "[1] A  [2] B").
    if (displayWidth(paragraph) <= limit) lines.push(paragraph);
    else if (paragraph.includes(LIST_SEPARATOR)) lines.push(...wrapList(paragraph, limit));
    else lines.push(...wrapWords(paragraph, limit));
  }
  return lines;
}

const LIST_SEPARATOR = ' · ';

/** A `a · b · c` list wider than the line: whole items per line, the dot ending the line. */
function wrapList(paragraph: string, limit: number): string[] {
  const items = paragraph.split(LIST_SEPARATOR);
  const lines: string[] = [];
  let line = '';
  items.forEach((text, i) => {
    const item = i < items.length - 1 ? `${text} ·` : text;
    const candidate = line === '' ? item : `${line} ${item}`;
    if (displayWidth(candidate) <= limit) {
      line = candidate;
      return;
    }
    if (line !== '') lines.push(line);
    // An item wider than a whole line wraps at its own spaces.
    const pieces = displayWidth(item) <= limit ? [item] : wrapWords(item, limit);
    lines.push(...pieces.slice(0, -1));
    line = pieces[pieces.length - 1];
  });
  lines.push(line);
  return lines;
}

/** One paragraph wider than the line, wrapped at spaces (keeping its indentation). */
function wrapWords(paragraph: string, limit: number): string[] {
  const lines: string[] = [];
  const indent = /^\s*/.exec(paragraph)![0];
  const words = paragraph
    .slice(indent.length)
    .split(/ +/)
    .filter((word) => word.length > 0);
  if (words.length === 0) return [''];
  let line = indent;
  let lineHasWord = false;
  for (const word of words) {
    const candidate = lineHasWord ? `${line} ${word}` : line + word;
    if (displayWidth(candidate) <= limit) {
      line = candidate;
      lineHasWord = true;
      continue;
    }
    if (lineHasWord) lines.push(line);
    line = '';
    lineHasWord = false;
    // A word wider than a whole line (a long URL or path) is cut into line-sized pieces.
    let rest = word;
    while (displayWidth(rest) > limit) {
      let piece = '';
      for (const character of rest) {
        if (displayWidth(piece + character) > limit) break;
        piece += character;
      }
      if (piece.length === 0) piece = [...rest][0]!;
      lines.push(piece);
      rest = rest.slice(piece.length);
    }
    line = rest;
    lineHasWord = rest.length > 0;
  }
  lines.push(line);
  return lines;
}

function formatTimestamp(seconds: number, style: string, locale: string, nowMs: number): string {
  const date = new Date(seconds * 1000);
  if (style === 'R') {
    const deltaSeconds = Math.round((date.getTime() - nowMs) / 1000);
    const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    const units: [Intl.RelativeTimeFormatUnit, number][] = [
      ['day', 86_400],
      ['hour', 3_600],
      ['minute', 60],
    ];
    for (const [unit, size] of units) {
      if (Math.abs(deltaSeconds) >= size) return format.format(Math.round(deltaSeconds / size), unit);
    }
    return format.format(deltaSeconds, 'second');
  }
  const options: Intl.DateTimeFormatOptions =
    style === 't'
      ? { timeStyle: 'short' }
      : style === 'T'
        ? { timeStyle: 'medium' }
        : style === 'd'
          ? { dateStyle: 'short' }
          : style === 'D'
            ? { dateStyle: 'long' }
            : style === 'F'
              ? { dateStyle: 'full', timeStyle: 'short' }
              : { dateStyle: 'long', timeStyle: 'short' };
  return new Intl.DateTimeFormat(locale, options).format(date);
}

export interface PlainTextOptions {
  /** BCP 47 locale for dates in Discord timestamps. */
  locale: string;
  /** Reference time for relative timestamps ("in 3 minutes"). */
  nowMs: number;
}

// Characters a Discord message escapes with a backslash so they show literally.
const ESCAPABLE = new Set([
  '\\',
  '*',
  '_',
  '~',
  '`',
  '|',
  '>',
  '#',
  '-',
  '[',
  ']',
  '(',
  ')',
  '<',
  ':',
  '.',
  '+',
  '=',
  '!',
  '{',
  '}',
]);

/**
 * Discord markdown → what a person would read in the Discord client, as plain text: markers
 * (**, __, ~~, ||, backticks, code fences, headings) dropped, backslash escapes resolved,
 * timestamps written out, links as "text (url)", mentions as names.
 * Single `*` and `_` are left alone: commands escape user text, and a lone underscore in a
 * model name such as `mi_modelo` must not vanish.
 */
export function discordMarkdownToPlain(markdown: string, options: PlainTextOptions): string {
  const lines = markdown.split('\n');
  const out: string[] = [];
  for (const rawLine of lines) {
    // Code fences: the marker line disappears (with its language tag), the code stays.
    if (/^\s*```/.test(rawLine)) {
      const after = rawLine.replace(/^\s*```[A-Za-z0-9_+-]*\s*/, '');
      const before = after.replace(/```\s*$/, '');
      if (before.length > 0) out.push(before);
      continue;
    }
    let line = rawLine
      .replace(/^-# /, '')
      .replace(/^#{1,3} /, '')
      .replace(/^>>> ?/, '')
      .replace(/^> /, '');
    line = line.replace(/<t:(-?\d+)(?::([tTdDfFR]))?>/g, (_match, seconds: string, style: string | undefined) =>
      formatTimestamp(Number(seconds), style ?? 'f', options.locale, options.nowMs),
    );
    line = line.replace(/<a?:([A-Za-z0-9_]+):\d+>/g, ':$1:');
    line = line
      .replace(/<@!?(\d+)>/g, '@$1')
      .replace(/<#(\d+)>/g, '#$1')
      .replace(/<@&(\d+)>/g, '@&$1');
    line = line.replace(/\[([^\]\n]+)\]\(<?(https?:[^)\s>]+)>?\)/g, '$1 ($2)');
    let plain = '';
    for (let index = 0; index < line.length; index++) {
      const character = line[index]!;
      const next = line[index + 1];
      if (character === '\\' && next !== undefined && ESCAPABLE.has(next)) {
        plain += next;
        index++;
        continue;
      }
      const pair = character + (next ?? '');
      if (pair === '**' || pair === '__' || pair === '~~' || pair === '||') {
        index++;
        continue;
      }
      if (character === '`') continue;
      plain += character;
    }
    out.push(plain);
  }
  return out.join('\n');
}
