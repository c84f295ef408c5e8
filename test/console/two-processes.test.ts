// Two real console processes (`npm start`'s entry, src/main.ts through tsx) on one data folder
// and one server (--guild), as the README offers (issue 19): trainings never run at once on the
// server, each sees the other's training in /status, /save never stores the other's model, and
// concurrent save/delete/load end in ordinary replies with an intact database.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticSentences } from '../lm/codec-fixtures.js';
import { ConsoleProcess } from './console-process.js';
import { tempDir } from './harness.js';

const WAIT_MS = 20_000;
const dir = tempDir('ultra-two-');
const dataDir = join(dir.path, 'data');
const databasePath = join(dataDir, 'ultraefficient.sqlite');

function query<T>(sql: string, ...params: unknown[]): T | undefined {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).get(...params) as T | undefined;
  } finally {
    db.close();
  }
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const INTERNAL = /Something went wrong/;
const bigFile = join(dir.path, 'big.txt');
const smallFile = join(dir.path, 'small.txt');
const consoles: ConsoleProcess[] = [];
let nextGuild = 1;

/** A server of its own for one test (so the tests pass alone and in any order), and two consoles on it. */
function pair(): { GUILD: string; a: ConsoleProcess; b: ConsoleProcess } {
  const GUILD = String(500000000000000000n + BigInt(nextGuild++));
  const a = new ConsoleProcess({ guildId: GUILD, dataDir });
  const b = new ConsoleProcess({ guildId: GUILD, dataDir });
  consoles.push(a, b);
  return { GUILD, a, b };
}

beforeAll(() => {
  // ~1 MB: a training of a second or so, held still below by stopping its process.
  writeFileSync(
    bigFile,
    syntheticSentences(30_000, 5_000, 3)
      .map((words) => words.join(' '))
      .join('\n') + '\n',
  );
  writeFileSync(smallFile, 'the cat sat on the mat\nthe dog sat on the rug\na bird sang in the tree\n');
});

afterAll(async () => {
  for (const console_ of consoles) console_.child.kill('SIGCONT');
  await Promise.all(consoles.map((console_) => console_.end()));
  dir.remove();
});

describe('two console processes on one data folder and one server', () => {
  it('refuses a second training across processes and shows the running one in the other’s /status', async () => {
    const { GUILD, a, b } = pair();
    const done = a.send(`/train file1:${bigFile}`, /Training finished|✖/);
    await until(() => {
      try {
        return (
          query<{ n: number }>(`SELECT count(*) AS n FROM jobs WHERE guild_id = ? AND state = 'running'`, GUILD)?.n ===
          1
        );
      } catch {
        return false;
      }
    });
    // Stopped (not dead): its lease stays live, so the check below cannot race its end.
    a.child.kill('SIGSTOP');
    try {
      const refused = await b.send(`/train file1:${smallFile}`, /already running|Training finished|✖/);
      expect(refused).toMatch(/A training is already running on this server \(\d+%/);
      const status = await b.send('/status', /Version/);
      expect(status).not.toContain('none running');
      expect(status).toMatch(/started by/);
    } finally {
      a.child.kill('SIGCONT');
    }
    expect(await done).toContain('Training finished');
    expect(b.out + a.out).not.toMatch(INTERNAL);
  });

  it('/save never stores the other process’s model', async () => {
    const { GUILD, a, b } = pair();
    expect(await a.send(`/train file1:${smallFile}`, /Training finished|✖/)).toContain('Training finished');
    // B trains after A: its training replaces A's unsaved model (B is asked, and answers 1).
    const asked = await b.send(`/train file1:${smallFile}`, /Replace the unsaved model\?|✖/);
    expect(asked).toContain('Replace the unsaved model?');
    await b.send('1', /Training finished|✖/);
    const bDraft = query<{ c: string }>('SELECT draft_checksum AS c FROM guild_state WHERE guild_id = ?', GUILD)?.c;
    const refused = await a.send('/save name:fromA', /Model saved|✖/);
    expect(refused).toContain('no longer the one trained here');
    expect(query('SELECT 1 FROM models WHERE guild_id = ? AND name = ?', GUILD, 'fromA')).toBeUndefined();
    const saved = await b.send('/save name:fromB', /Model saved|✖/);
    expect(saved).toContain('Model saved');
    expect(
      query<{ c: string }>('SELECT checksum AS c FROM models WHERE guild_id = ? AND name = ?', GUILD, 'fromB')?.c,
    ).toBe(bDraft);
  });

  it('20 rounds of concurrent save, delete and load: ordinary replies only, database intact', async () => {
    const { a, b } = pair();
    expect(await b.send(`/train file1:${smallFile}`, /Training finished|✖/)).toContain('Training finished');
    const reply = /Model saved|Loaded (m|keep) v|Deleted \*{0,2}m|✖|Delete m\?|Replace the unsaved model\?/;
    const step = async (process: ConsoleProcess, line: string) => {
      let seen = await process.send(line, reply);
      // A confirmation (delete, or replacing an unsaved model) is answered with its first button.
      if (/Delete m\?|Replace the unsaved model\?/.test(seen))
        // After a confirmation the answer replaces the question: a model the other process deleted
        // meanwhile is reported there as plain text ("no model called m").
        seen = await process.send('1', /Model saved|Loaded (m|keep) v|Deleted \*{0,2}m|✖|Nothing|no model called|busy/);
      return seen;
    };
    const replies: string[] = [];
    const rounds = async (process: ConsoleProcess, lines: string[]) => {
      for (let round = 0; round < 20; round++) for (const line of lines) replies.push(await step(process, line));
    };
    // Loading `keep` gives each process a working model again after the other deleted `m`.
    expect(await b.send('/save name:keep', /Model saved|✖/)).toContain('Model saved');
    await Promise.all([
      rounds(a, ['/load name:keep', '/save name:m', '/load name:m', '/delete name:m']),
      rounds(b, ['/load name:keep', '/delete name:m', '/save name:m', '/load name:m']),
    ]);
    expect(replies).toHaveLength(160);
    const count = (pattern: RegExp) => replies.filter((text) => pattern.test(text)).length;
    // The races happened: saves, loads and deletes each succeeded some of the time.
    expect(count(/Model saved/)).toBeGreaterThan(0);
    expect(count(/Deleted \*{0,2}m/)).toBeGreaterThan(0);
    expect(count(/Loaded m v/)).toBeGreaterThan(0);
    for (const text of replies) expect(text).not.toMatch(INTERNAL);
    expect(a.out + b.out).not.toMatch(INTERNAL);
    const db = new Database(databasePath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  }, 120_000);
});
