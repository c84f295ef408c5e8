// Terminal text: how wide a string shows, wrapping to a width, and turning the Discord markdown
// that commands write (bold, code, escapes, timestamps) into plain text a terminal shows as is.
// Width is measured by `string-width` (with `strip-ansi` inside it); the wrapping is ours, because
// it keeps what `wrap-ansi` does not: `a · b · c` lists wrapped between items, a line that fits kept
// byte for byte (aligned columns), and the indentation of a wrapped paragraph.
import stringWidth from 'string-width';

/**
 * Columns the text occupies in a terminal (ANSI colours and hyperlinks ignored): `string-width`,
 * which follows Unicode's East_Asian_Width and emoji tables, so CJK, emoji with skin tones or
 * joiners (👍🏽, 👨‍👩‍👧), flags, keycaps and combining marks (Thai, Devanagari, a decomposed "é")
 * measure as terminals draw them.
 */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The user-perceived characters of a text: a cut between two of them never splits an emoji or an accent. */
function graphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (segment) => segment.segment);
}

/** Pads with spaces on the right up to `width` columns. */
export function padEnd(text: string, width: number): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? text + ' '.repeat(missing) : text;
}

/** Cuts a single line to at most `width` columns, ending it with "…" when something was cut. */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  for (const character of graphemes(text)) {
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
      for (const character of graphemes(rest)) {
        if (displayWidth(piece + character) > limit) break;
        piece += character;
      }
      if (piece.length === 0) piece = graphemes(rest)[0]!;
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
