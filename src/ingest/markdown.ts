// Markdown → the prose a reader sees. Not a CommonMark parser: a line-by-line pass that removes
// the markup a chat export or a README actually contains, so the model learns sentences rather
// than "**", "](https://" and fenced code. Images and code blocks are dropped outright: neither
// is language the bot should imitate.

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const INDENTED_CODE = /^(?: {4}|\t)/;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*\S/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)\s*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const BLOCKQUOTE = /^\s*(?:>\s?)+/;
const HEADING = /^ {0,3}#{1,6}(?:\s+|$)/;
const CLOSING_HASHES = /(?:^|\s)#+$/;
const LIST_MARKER = /^\s*(?:[-*+]|\d{1,9}[.)])\s+/;
const TASK_BOX = /^\[[ xX]\]\s+/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/;
const UNESCAPED_PIPE = /(?<!\\)\|/;

export function stripMarkdown(markdown: string): string {
  const lines = markdown
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .replace(/<(script|style)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, '')
    .split(/\r\n|\n|\r/);
  const out: string[] = [];
  let fence: { char: string; length: number } | null = null;
  let inIndentedCode = false;
  let previousBlank = true;
  let inList = false;
  let inTable = false;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (fence) {
      const close = FENCE.exec(line);
      if (close && close[1][0] === fence.char && close[1].length >= fence.length && line.trim() === close[1])
        fence = null;
      continue;
    }
    const open = FENCE.exec(line);
    if (open) {
      fence = { char: open[1][0], length: open[1].length };
      continue;
    }
    const blank = line.trim() === '';
    if (blank) {
      previousBlank = true;
      inTable = false;
      continue;
    }
    // An indented block is code only after a blank line and outside a list, where indentation
    // means continuation of the item instead.
    if (INDENTED_CODE.test(line) && (inIndentedCode || (previousBlank && !inList))) {
      inIndentedCode = true;
      continue;
    }
    inIndentedCode = false;
    previousBlank = false;

    if (REFERENCE_DEFINITION.test(line) || SETEXT_UNDERLINE.test(line) || THEMATIC_BREAK.test(line)) continue;
    if (UNESCAPED_PIPE.test(line) && TABLE_SEPARATOR.test(line) && line.includes('-')) {
      inTable = true;
      continue;
    }

    let text = line.replace(BLOCKQUOTE, '');
    if (HEADING.test(text)) text = text.replace(HEADING, '').trimEnd().replace(CLOSING_HASHES, '');
    inList = LIST_MARKER.test(text) || (inList && /^\s/.test(line));
    text = text.replace(LIST_MARKER, '').replace(TASK_BOX, '');

    const next = lines[i + 1] ?? '';
    const tableRow =
      UNESCAPED_PIPE.test(text) &&
      (inTable ||
        text.trimStart().startsWith('|') ||
        (TABLE_SEPARATOR.test(next) && next.includes('-') && UNESCAPED_PIPE.test(next)));
    if (tableRow) {
      for (const cell of text.split(UNESCAPED_PIPE)) {
        const cellText = cell.trim() === '' ? '' : stripInline(cell).trim();
        if (cellText) out.push(cellText);
      }
      continue;
    }
    out.push(stripInline(text));
  }
  return out.join('\n');
}

// Escaped punctuation is parked in the private use area while the markup is removed, so that
// "\*" survives as a literal asterisk instead of opening emphasis.
const ESCAPE_BASE = 0xe000;
const ESCAPED = /\\([!-/:-@[-`{-~])/g;
const PARKED = /[\ue000-\ue07f]/g;

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

// Every pattern stops at the next bracket, parenthesis, angle bracket or white space instead of
// scanning to the end of the line, so a hostile line ("[a[a[a…", "<a<a<a…") costs linear time.
const LINK_TARGET = String.raw`\(\s*[^()\s]*(?:\([^()\s]*\)[^()\s]*)?(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)`;
const IMAGE = new RegExp(String.raw`!\[[^\[\]]*\](?:${LINK_TARGET}|\[[^\[\]]*\])?`, 'g');
const INLINE_LINK = new RegExp(String.raw`\[([^\[\]]*)\]${LINK_TARGET}`, 'g');
const REFERENCE_LINK = /\[([^[\]]+)\]\[[^[\]]*\]/g;
const FOOTNOTE_REFERENCE = /\[\^[^[\]]+\]/g;
const HTML_TAG = /<\/?[A-Za-z][^<>]*>/g;

/** Characters that can start inline markup; a line without any of them is already prose. */
const INLINE_MARKUP = /[\\`![<*_~&]/;

function stripInline(text: string): string {
  if (!INLINE_MARKUP.test(text)) return text.replace(/[ \t]{2,}/g, ' ');
  return (
    text
      .replace(ESCAPED, (_, char: string) => String.fromCharCode(ESCAPE_BASE + char.charCodeAt(0)))
      .replace(/(`+)([^`]+)\1(?!`)/g, '$2')
      .replace(IMAGE, '')
      .replace(FOOTNOTE_REFERENCE, '')
      .replace(INLINE_LINK, '$1')
      .replace(REFERENCE_LINK, '$1')
      .replace(HTML_TAG, '')
      // Emphasis content never crosses its own marker character: that keeps each attempt short,
      // and single markers go first so that "**bold *and* italic**" loses both.
      .replace(/(?<![\p{L}\p{N}*])\*([^\s*](?:[^*]*[^\s*])?)\*(?![\p{L}\p{N}*])/gu, '$1')
      .replace(/(?<![\p{L}\p{N}_])_([^\s_](?:[^_]*[^\s_])?)_(?![\p{L}\p{N}_])/gu, '$1')
      .replace(/\*\*([^\s*](?:[^*]*[^\s*])?)\*\*/g, '$1')
      .replace(/__([^\s_](?:[^_]*[^\s_])?)__/g, '$1')
      .replace(/~~([^\s~](?:[^~]*[^\s~])?)~~/g, '$1')
      .replace(
        /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]+));/gi,
        (entity, decimal?: string, hex?: string, named?: string) => {
          if (named) return NAMED_ENTITIES[named.toLowerCase()] ?? entity;
          const code = decimal ? Number(decimal) : parseInt(hex ?? '', 16);
          return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
        },
      )
      // Removed images and tags leave double spaces behind.
      .replace(/[ \t]{2,}/g, ' ')
      .replace(PARKED, (char) => String.fromCharCode(char.charCodeAt(0) - ESCAPE_BASE))
  );
}
