// Decoded text → training lines: the format-specific extraction, then one rule for every format
// (split on any line break, trim, drop empty lines) so that a message means the same thing
// whichever file it came from.
import { cleanText, type CleanMode } from './clean.js';
import { extractCsvMessages } from './csv.js';
import { extractJsonMessages } from './json.js';
import { stripMarkdown } from './markdown.js';
import type { TextFormat } from './types.js';

/** `clean` (see clean.ts) applies to each message of a CSV or JSON export, else to the whole text. */
export function extractLines(name: string, text: string, format: TextFormat, clean: CleanMode = 'off'): string[] {
  const cleaned = (message: string) => splitLines(cleanText(message, clean));
  switch (format) {
    case 'txt':
    case 'log':
      return cleaned(text);
    case 'md':
      return splitLines(stripMarkdown(cleanText(text, clean)));
    case 'csv':
      return extractCsvMessages(name, text).flatMap(cleaned);
    case 'json':
      return extractJsonMessages(name, text).flatMap(cleaned);
  }
}

function splitLines(text: string): string[] {
  // Splitting on a regular expression is the slowest step of a plain-text ingest; normalising
  // the rare \r first and then splitting on a plain "\n" is several times faster.
  const normalised = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const end = normalised.indexOf('\n', start);
    const stop = end === -1 ? normalised.length : end;
    if (stop > start) {
      // Most lines begin and end with a visible ASCII character: nothing to trim, no new string.
      const first = normalised.charCodeAt(start);
      const last = normalised.charCodeAt(stop - 1);
      const line =
        first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f
          ? normalised.slice(start, stop)
          : normalised.slice(start, stop).trim();
      if (line !== '') lines.push(line);
    }
    if (end === -1) return lines;
    start = end + 1;
  }
}
