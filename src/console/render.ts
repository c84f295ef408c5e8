// Reply → terminal lines. Content as wrapped plain text, each embed as a boxed two-column table
// (field name │ value), buttons and select options as numbered choices the user answers by
// typing the number. Pure: the same reply and width always give the same lines.
import type { Reply, ReplyEmbed, ReplyRow, Tone } from '../commands/context.js';
import { discordMarkdownToPlain, displayWidth, padEnd, truncateToWidth, wrapText } from './text.js';
import { formatBytes } from '../i18n/index.js';

export type Choice =
  | { number: number; kind: 'button'; customId: string; label: string }
  | { number: number; kind: 'select'; customId: string; value: string; label: string };

export interface RenderedMessage {
  lines: string[];
  /** How many of the lines come before the component rows (the message's text). */
  bodyLength: number;
  choices: Choice[];
}

export interface RenderOptions {
  /** Columns available; lines never exceed it. */
  width: number;
  /** ANSI colours (only on a terminal that wants them). */
  color: boolean;
  /** BCP 47 locale for dates and numbers. */
  locale: string;
  nowMs: number;
}

const TONE_COLOR: Record<Tone, string> = { info: '36', success: '32', warning: '33', danger: '31' };

export function paint(text: string, code: string, enabled: boolean): string {
  return enabled && text.length > 0 ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function plain(markdown: string, options: RenderOptions): string {
  return discordMarkdownToPlain(markdown, { locale: options.locale, nowMs: options.nowMs });
}

/** The narrowest a table may get before its columns stop making sense. */
const MIN_BOX_WIDTH = 24;

export function renderEmbed(embed: ReplyEmbed, options: RenderOptions): string[] {
  const width = Math.max(MIN_BOX_WIDTH, options.width);
  const title = embed.title ? plain(embed.title, options).replace(/\n/g, ' ') : '';
  const description = embed.description ? plain(embed.description, options) : '';
  const footer = embed.footer ? plain(embed.footer, options) : '';
  const fields = (embed.fields ?? []).map((field) => ({
    name: plain(field.name, options).replace(/\n/g, ' ').trim(),
    value: plain(field.value, options),
  }));

  // Inner width: the widest natural line, within the terminal.
  const maxInner = width - 4;
  const naturalLines = (text: string): number => Math.max(0, ...text.split('\n').map(displayWidth));
  const nameColumn = Math.min(
    Math.max(0, ...fields.map((field) => displayWidth(field.name))),
    Math.floor((maxInner - 3) / 3),
  );
  const valueNatural = Math.max(0, ...fields.map((field) => naturalLines(field.value)));
  let inner = Math.max(
    title ? displayWidth(title) + 2 : 0,
    naturalLines(description),
    naturalLines(footer),
    fields.length > 0 ? nameColumn + 3 + valueNatural : 0,
    MIN_BOX_WIDTH - 4,
  );
  inner = Math.min(inner, maxInner);
  const valueColumn = inner - 3 - nameColumn;

  const border = (text: string): string => paint(text, TONE_COLOR[embed.tone ?? 'info'], options.color);
  const lines: string[] = [];
  if (title) {
    const shown = truncateToWidth(title, inner - 2);
    lines.push(
      border('╭─ ') +
        paint(shown, '1', options.color) +
        ' ' +
        border('─'.repeat(inner - 1 - displayWidth(shown)) + '╮'),
    );
  } else {
    lines.push(border(`╭${'─'.repeat(inner + 2)}╮`));
  }
  const textRow = (text: string): string => `${border('│')} ${padEnd(text, inner)} ${border('│')}`;
  for (const line of description ? wrapText(description, inner) : []) lines.push(textRow(line));
  if (fields.length > 0) {
    if (title || description) {
      lines.push(border(`├${'─'.repeat(nameColumn + 2)}┬${'─'.repeat(valueColumn + 2)}┤`));
    } else {
      // Nothing above the fields: the top border already splits into the two columns.
      lines[0] = border(`╭${'─'.repeat(nameColumn + 2)}┬${'─'.repeat(valueColumn + 2)}╮`);
    }
    for (const field of fields) {
      const nameLines = wrapText(field.name, nameColumn);
      const valueLines = wrapText(field.value, valueColumn);
      const height = Math.max(nameLines.length, valueLines.length);
      for (let row = 0; row < height; row++) {
        lines.push(
          `${border('│')} ${padEnd(nameLines[row] ?? '', nameColumn)} ${border('│')} ${padEnd(valueLines[row] ?? '', valueColumn)} ${border('│')}`,
        );
      }
    }
    const closing = footer ? ['├', '┴', '┤'] : ['╰', '┴', '╯'];
    lines.push(
      border(`${closing[0]}${'─'.repeat(nameColumn + 2)}${closing[1]}${'─'.repeat(valueColumn + 2)}${closing[2]}`),
    );
    if (!footer) return lines;
  } else if (footer && description) {
    lines.push(border(`├${'─'.repeat(inner + 2)}┤`));
  }
  for (const line of footer ? wrapText(footer, inner) : []) lines.push(textRow(paint(line, '2', options.color)));
  lines.push(border(`╰${'─'.repeat(inner + 2)}╯`));
  return lines;
}

const BUTTON_COLOR: Record<string, string> = { primary: '34', secondary: '37', success: '32', danger: '31' };

function renderRows(rows: ReplyRow[], options: RenderOptions, choices: Choice[]): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    const first = row[0];
    if (!first) continue;
    if (first.kind === 'select') {
      const select = first;
      if (select.placeholder) lines.push(plain(select.placeholder, options));
      for (const option of select.options) {
        const label = plain(option.label, options);
        const description = option.description ? ` — ${plain(option.description, options)}` : '';
        if (select.disabled) {
          lines.push(...wrapText(`  [-] ${label}${description}`, options.width));
          continue;
        }
        const number = choices.length + 1;
        choices.push({ number, kind: 'select', customId: select.id, value: option.value, label });
        const marker = option.default ? ' •' : '';
        lines.push(
          ...wrapText(`  ${paint(`[${number}]`, '1', options.color)} ${label}${marker}${description}`, options.width),
        );
      }
      continue;
    }
    const pieces: string[] = [];
    for (const button of row) {
      if (button.kind !== 'button') continue;
      const label = plain(button.label, options);
      if (button.disabled) {
        pieces.push(paint(`[-] ${label}`, '2', options.color));
        continue;
      }
      const number = choices.length + 1;
      choices.push({ number, kind: 'button', customId: button.id, label });
      pieces.push(paint(`[${number}] ${label}`, BUTTON_COLOR[button.style] ?? '37', options.color));
    }
    // Buttons share a line while they fit, as Discord lays out an action row.
    let line = '';
    for (const piece of pieces) {
      if (line && displayWidth(`${line}  ${piece}`) > options.width) {
        lines.push(line);
        line = piece;
      } else {
        line = line ? `${line}  ${piece}` : piece;
      }
    }
    if (line) lines.push(line);
  }
  return lines;
}

/** The catalogue's locale for a BCP 47 one ("es-ES" → es), for the shared number formats. */
function catalogueLocale(locale: string): 'en' | 'es' {
  return locale.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export function renderReply(reply: Reply, options: RenderOptions): RenderedMessage {
  const lines: string[] = [];
  const choices: Choice[] = [];
  if (reply.content) lines.push(...wrapText(plain(reply.content, options), options.width));
  for (const embed of reply.embeds ?? []) lines.push(...renderEmbed(embed, options));
  for (const file of reply.files ?? [])
    lines.push(`[${file.name}, ${formatBytes(catalogueLocale(options.locale), file.data.byteLength)}]`);
  const bodyLength = lines.length;
  if (reply.components?.length) lines.push(...renderRows(reply.components, options, choices));
  return { lines, bodyLength, choices };
}
