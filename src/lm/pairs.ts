// Quotes and brackets that pair, as the natural sampler keeps them. A walk that joins pieces of
// several training lines picks up their closing marks without the openings ("the defendants''.",
// "(1978), this") and leaves quotes open at its end: on 20 KB of Brown, 39 % of outputs did
// (5 % of held-out lines), 13.5 % on chat (1.5 %). bench:generation's "unbalanced" column.
//
// The rule: a closing mark is drawn only when it closes the innermost open one, a mark does not
// open inside one of its own kind, and a text that ends with marks still open gets their closers
// appended, innermost first (a mark with no word after it is dropped instead). The straight
// double quote closes itself when it is the innermost open mark and opens otherwise. The single quotes
// (' and ’) are left out: they are apostrophes as often as quotes ("the dogs' bowls").

import type { WordList } from './words.js';

/** How a vocabulary entry pairs: 0 it does not, else an index into OPENERS / CLOSERS. */
const OPENERS = ['(', '[', '{', '“', '«', '``', '"'] as const;
const CLOSERS = [')', ']', '}', '”', '»', "''", '"'] as const;

/** Per vocabulary id: opener kind + 1 (0: not an opener) and closer kind + 1 (0: not a closer). */
export interface PairTable {
  opens: Uint8Array;
  closes: Uint8Array;
}

const tables = new WeakMap<WordList, PairTable>();

const LONGEST_MARK = Math.max(...[...OPENERS, ...CLOSERS].map((mark) => mark.length));

/** The index in `marks` of `text.slice(start, end)`, or −1 (making no string). */
function markAt(marks: readonly string[], text: string, start: number, end: number): number {
  for (let k = 0; k < marks.length; k++)
    if (marks[k].length === end - start && text.startsWith(marks[k], start)) return k;
  return -1;
}

/** Bytes of a vocabulary's pair table, 0 while none was built. */
export function pairTableBytes(vocab: WordList): number {
  const table = tables.get(vocab);
  return table === undefined ? 0 : table.opens.byteLength + table.closes.byteLength;
}

export function pairTableOf(vocab: WordList): PairTable {
  let table = tables.get(vocab);
  if (table === undefined) {
    const opens = new Uint8Array(vocab.length);
    const closes = new Uint8Array(vocab.length);
    vocab.forEachRange((text, start, end, id) => {
      if (end - start > LONGEST_MARK) return;
      const opener = markAt(OPENERS, text, start, end);
      const closer = markAt(CLOSERS, text, start, end);
      if (opener >= 0) opens[id] = opener + 1;
      if (closer >= 0) closes[id] = closer + 1;
    });
    table = { opens, closes };
    tables.set(vocab, table);
  }
  return table;
}

/** The marks open at a point of a walk, innermost last, as kinds (indices into OPENERS). */
export type OpenMarks = number[];

/** Whether `id` may come next: a closing mark must close the innermost open mark, and an opening one not be open already. */
export function pairAllows(table: PairTable, open: OpenMarks, id: number): boolean {
  const closer = table.closes[id];
  if (closer === 0 && table.opens[id] === 0) return true;
  const opener = table.opens[id];
  const innermost = open.length > 0 ? open[open.length - 1] : -1;
  if (closer !== 0 && innermost === closer - 1) return true;
  // A mark opens (the straight quote when it closes nothing) unless one of its kind is open:
  // ``a ``b'''' reads as a slip, not as nesting.
  if (opener !== 0) return !open.includes(opener - 1);
  return false;
}

/** Updates the open marks after `id`. */
export function pairAdvance(table: PairTable, open: OpenMarks, id: number): void {
  const opener = table.opens[id];
  const closer = table.closes[id];
  if (opener === 0 && closer === 0) return;
  const innermost = open.length > 0 ? open[open.length - 1] : -1;
  if (closer !== 0 && innermost === closer - 1) open.pop();
  else if (opener !== 0) open.push(opener - 1);
}

/**
 * Ends a text: a mark with no word after it opens nothing and is dropped from `ids` (a straight
 * quote after "Dios?" closed a quote in the training text; `prohibido " .` would end `"."`), and
 * the closing marks of what is still open are returned, innermost first, for the text to append.
 * `isWord[id]` is 1 for words.
 */
export function closeMarks(table: PairTable, open: OpenMarks, ids: number[], isWord: Uint8Array): string[] {
  while (open.length > 0) {
    const kind = open[open.length - 1];
    let at = ids.length - 1;
    while (at >= 0 && table.opens[ids[at]] - 1 !== kind && isWord[ids[at]] !== 1) at--;
    if (at < 0 || table.opens[ids[at]] - 1 !== kind) break;
    ids.splice(at, 1);
    open.pop();
  }
  return closersOf(open);
}

function closersOf(open: OpenMarks): string[] {
  const closers: string[] = [];
  for (let i = open.length - 1; i >= 0; i--) closers.push(CLOSERS[open[i]]);
  return closers;
}
