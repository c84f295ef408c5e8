// The bot (against the local Discord server) and a real console process with --guild on the same
// data folder and server at once (issue 19): one training at a time across both, each shows the
// other's training in /status, /save never stores the other's model, concurrent save/delete/load
// end in ordinary replies and the database stays intact.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConsoleProcess } from '../console/console-process.js';
import { syntheticSentences } from '../lm/codec-fixtures.js';
import { CORPUS_EN, customIds, startTestBot, visibleText, type TestBot } from './harness.js';

const WAIT_MS = 20_000;
const SERVER_MANAGER = (1n << 5n) | (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 31n);
const INTERNAL = /Something went wrong/;
let t: TestBot;
let databasePath: string;
let bigFile: string;
let smallFile: string;
/** Each test has its own server and console, so the tests pass alone and in any order. */
const TESTS = 4;
let nextGuild = 0;
const consoles: ConsoleProcess[] = [];

beforeAll(async () => {
  t = await startTestBot({
    env: { MAX_ATTACHMENT_BYTES: '4MB', MAX_TRAINING_BYTES: '4MB' },
    serverOptions: { guilds: TESTS },
  });
  databasePath = join(t.config.dataDir, 'ultraefficient.sqlite');
  bigFile = join(t.dir, 'big.txt');
  writeFileSync(
    bigFile,
    syntheticSentences(30_000, 5_000, 3)
      .map((words) => words.join(' '))
      .join('\n') + '\n',
  );
  smallFile = join(t.dir, 'small.txt');
  writeFileSync(smallFile, CORPUS_EN);
});

afterAll(async () => {
  for (const console_ of consoles) {
    console_.child.kill('SIGCONT');
    await console_.end();
  }
  await t?.close();
});

/** A server of its own for one test, and a console with --guild on it. */
function fresh(): { guildId: string; console_: ConsoleProcess } {
  const guildId = t.server.guilds[nextGuild++].id;
  const console_ = new ConsoleProcess({ guildId, dataDir: t.config.dataDir, modelsDir: t.config.modelsDir });
  consoles.push(console_);
  return { guildId, console_ };
}

function query<T>(sql: string, ...params: unknown[]): T | undefined {
  const db = new Database(databasePath, { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T | undefined;
  } finally {
    db.close();
  }
}

async function run(guildId: string, commandName: string, options: Record<string, string | number> = {}) {
  const handle = t.server.invoke({ guildId, commandName, options, memberPermissions: SERVER_MANAGER });
  await handle.settled();
  return handle;
}

/** /train of the English corpus by a server manager, as the bot receives it. */
function invokeTrain(guildId: string) {
  const file = t.server.addAttachment('corpus.txt', CORPUS_EN);
  return t.server.invoke({
    guildId,
    commandName: 'train',
    options: { file1: file },
    memberPermissions: SERVER_MANAGER,
  });
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the bot and a console with --guild on one data folder', () => {
  test('a console training refuses the bot’s /train and shows in the bot’s /status', async () => {
    const { guildId, console_ } = fresh();
    const done = console_.send(`/train file1:${bigFile}`, /Training finished|✖/);
    await until(() => {
      try {
        return (
          query<{ n: number }>(`SELECT count(*) AS n FROM jobs WHERE guild_id = ? AND state = 'running'`, guildId)
            ?.n === 1
        );
      } catch {
        return false;
      }
    });
    console_.child.kill('SIGSTOP');
    try {
      const refused = invokeTrain(guildId);
      await refused.settled();
      expect(visibleText(refused.original)).toMatch(/A training is already running on this server \(\d+%/);
      const status = await run(guildId, 'status');
      expect(visibleText(status.original)).not.toContain('none running');
      expect(visibleText(status.original)).toContain('started by');
    } finally {
      console_.child.kill('SIGCONT');
    }
    expect(await done).toContain('Training finished');
  }, 60_000);

  test('the bot’s training replaces the console’s; the console’s /save refuses, the bot saves its own', async () => {
    const { guildId, console_ } = fresh();
    expect(await console_.send(`/train file1:${smallFile}`, /Training finished|✖/)).toContain('Training finished');
    const asked = invokeTrain(guildId);
    await asked.settled();
    expect(visibleText(asked.original)).toContain('Replace the unsaved model?');
    asked.click('train:replace');
    await asked.waitFor((h) => customIds(h.original).includes('train:save'), { timeoutMs: WAIT_MS });
    const botDraft = query<{ c: string }>('SELECT draft_checksum AS c FROM guild_state WHERE guild_id = ?', guildId)?.c;
    const refused = await console_.send('/save name:fromConsole', /Model saved|✖/);
    expect(refused).toContain('no longer the one trained here');
    const press = asked.click('train:save');
    await press.firstResponse();
    const submitted = press.submitModal({ name: 'fromBot' });
    await submitted.settled();
    await asked.waitFor((h) => customIds(h.original).length === 0, { timeoutMs: WAIT_MS });
    expect(visibleText(asked.original)).toContain('Model saved');
    expect(
      query<{ c: string }>('SELECT checksum AS c FROM models WHERE guild_id = ? AND name = ?', guildId, 'fromBot')?.c,
    ).toBe(botDraft);
  }, 60_000);

  test('20 rounds of concurrent save, delete and load between the bot and the console: ordinary replies, intact database', async () => {
    const { guildId, console_ } = fresh();
    const trained = invokeTrain(guildId);
    await trained.waitFor((h) => customIds(h.original).includes('train:save'), { timeoutMs: WAIT_MS });
    expect(visibleText((await run(guildId, 'save', { name: 'keep' })).original)).toContain('Model saved');
    const botReplies: string[] = [];
    const consoleReplies: string[] = [];
    const bot = async () => {
      for (let round = 0; round < 20; round++) {
        for (const [command, name] of [
          ['load', 'keep'],
          ['save', 'm'],
          ['load', 'm'],
        ] as const) {
          botReplies.push(visibleText((await run(guildId, command, { name })).original));
        }
      }
    };
    const consoleSide = async () => {
      for (let round = 0; round < 20; round++) {
        let seen = await console_.send('/delete name:m', /Delete m\?|✖/);
        if (seen.includes('Delete m?')) seen = await console_.send('1', /Deleted|no model called|✖|busy/);
        consoleReplies.push(seen);
      }
    };
    await Promise.all([bot(), consoleSide()]);
    expect(botReplies).toHaveLength(60);
    for (const text of [...botReplies, ...consoleReplies]) expect(text).not.toMatch(INTERNAL);
    expect(console_.out).not.toMatch(INTERNAL);
    expect(botReplies.filter((text) => text.includes('Model saved')).length).toBeGreaterThan(0);
    const db = new Database(databasePath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  }, 120_000);

  test('a console killed during its training: the bot’s /status says the training was interrupted, and /train works at once', async () => {
    const { guildId, console_ } = fresh();
    void console_.send(`/train file1:${bigFile}`, /Training finished|✖/).catch(() => undefined);
    await until(
      () =>
        query<{ n: number }>(`SELECT count(*) AS n FROM jobs WHERE guild_id = ? AND state = 'running'`, guildId)?.n ===
        1,
    );
    console_.child.kill('SIGKILL');
    await console_.end();
    const status = await run(guildId, 'status');
    expect(visibleText(status.original)).toContain('Interrupted training');
    expect(visibleText(status.original)).toContain('none running');
    const trained = invokeTrain(guildId);
    await trained.settled();
    const first = visibleText(trained.original);
    expect(first).not.toContain('already running');
    expect(first).not.toMatch(INTERNAL);
  }, 60_000);
});
