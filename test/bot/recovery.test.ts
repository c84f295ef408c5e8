// Issue 17 through the real bot and the local Discord server: the database deleted under the
// running bot (every write refused, privately, in the user's language, with one operator line
// in the log), the restarted bot's /status telling of the files set aside, and the bot's own
// scheduled snapshot.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { listSnapshots, verifySnapshot } from '../../src/store/index.js';
import { CORPUS_EN, customIds, isEphemeral, seen, startTestBot, visibleText, type TestBot } from './harness.js';

const SERVER_MANAGER = (1n << 5n) | (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 31n);
let bots: TestBot[] = [];

afterEach(async () => {
  for (const bot of bots.splice(0).reverse()) await bot.close();
});

async function run(
  t: TestBot,
  guildId: string,
  commandName: string,
  options: Record<string, unknown> = {},
  locale?: string,
) {
  const handle = t.server.invoke({
    guildId,
    commandName,
    options: options as never,
    memberPermissions: SERVER_MANAGER,
    ...(locale ? { locale } : {}),
  });
  await handle.settled();
  return handle;
}

async function trainAndSave(t: TestBot, guildId: string, name: string): Promise<void> {
  const training = t.server.invoke({
    guildId,
    commandName: 'train',
    options: { file1: t.server.addAttachment('corpus.txt', CORPUS_EN) },
  });
  await training.waitFor((h) => customIds(h.original).includes('train:save'), { timeoutMs: 20_000 });
  expect(visibleText((await run(t, guildId, 'save', { name })).original)).toContain('Model saved');
}

describe('a database deleted under the running bot', () => {
  test('refuses /save and /load privately in English and Spanish, logs one error, and the restarted bot’s /status tells of the files set aside', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const t = await startTestBot({ serverOptions: { guilds: 1 }, bot: { logger } });
    bots.push(t);
    const guildId = t.server.guilds[0].id;
    await trainAndSave(t, guildId, 'alfa');
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(join(t.dir, 'data', `ultraefficient.sqlite${suffix}`), { force: true });

    const save = await run(t, guildId, 'save', { name: 'beta' });
    expect(seen(save)).toMatch(
      /The bot’s database file was removed while the bot was running, so nothing can be saved now.*`npm run recover`/s,
    );
    expect(isEphemeral(save.messages[0])).toBe(true);
    const load = await run(t, guildId, 'load', { name: 'alfa' }, 'es-ES');
    expect(seen(load)).toMatch(/El archivo de la base de datos del bot se borró mientras el bot funcionaba/);
    const status = await run(t, guildId, 'status');
    expect(visibleText(status.original)).toMatch(
      /⚠️ Database\nThe bot’s database file was removed while the bot was running/,
    );
    const errors = lines
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((line) => line.level === 50);
    expect(errors.map((line) => line.msg)).toEqual([
      expect.stringMatching(/^the database file was removed while the bot ran/),
    ]);
    expect(t.server.violations).toEqual([]);

    await t.close({ keepServer: true, keepDir: true });
    bots = [];
    const restarted = await startTestBot({ server: t.server, dir: t.dir });
    // Its close() ends the server and removes the folder both bots used.
    bots.push(restarted);
    const after = await run(restarted, guildId, 'status', {}, 'es-ES');
    expect(visibleText(after.original)).toContain('Archivos apartados');
    expect(visibleText(after.original)).not.toContain('Base de datos');
    expect(visibleText(after.original)).toMatch(
      /Se encontró 1 archivo de modelo de este servidor sin registro.*`npm run recover`/s,
    );
  }, 60_000);
});

describe('the bot’s scheduled snapshots', () => {
  test('the bot takes a complete snapshot by itself into BACKUP_DIR', async () => {
    const t = await startTestBot({
      serverOptions: { guilds: 1 },
      env: { BACKUP_INTERVAL_HOURS: '1' },
      bot: { backups: { firstDelayMs: 0 } },
    });
    bots.push(t);
    const backupDir = join(t.dir, 'backups');
    while ((await listSnapshots(backupDir)).length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const [snapshot] = await listSnapshots(backupDir);
    expect((await verifySnapshot(snapshot.path)).files).toEqual([]);
  }, 30_000);
});
