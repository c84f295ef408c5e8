// One owner of the database: the bot's manager, channel learning and command registration share
// the manager's one SQLite connection (no second connection of their own).
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { defaultManagerConfig, ModelManager } from '../../src/manager/index.js';
import { dataPaths } from '../../src/store/index.js';
import { startTestBot, type TestBot } from './harness.js';

const SERVER_MANAGER = (1n << 5n) | (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 31n);
const PROC_FDS = '/proc/self/fd';

/** This process's open descriptors of `file` (Linux: /proc/self/fd). */
function openDescriptors(file: string): number {
  let count = 0;
  for (const fd of readdirSync(PROC_FDS)) {
    try {
      if (readlinkSync(join(PROC_FDS, fd)) === file) count++;
    } catch {
      // A descriptor closed while listing.
    }
  }
  return count;
}

let t: TestBot | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test.skipIf(!existsSync(PROC_FDS))(
  'a bot that learns from channels holds its database open as the manager alone does, and keeps messages through it',
  async () => {
    // The manager alone: its SQLite connection and the descriptor its database guard keeps.
    const alone = mkdtempSync(join(tmpdir(), 'ultra-one-connection-'));
    dirs.push(alone);
    const manager = await ModelManager.open(defaultManagerConfig(alone));
    const managerAlone = openDescriptors(dataPaths({ dataDir: alone }).database);
    await manager.close();
    expect(managerAlone).toBeGreaterThan(0);

    t = await startTestBot({
      serverOptions: { guilds: 1, privilegedIntents: ['MessageContent'] },
      env: { LEARN_FROM_CHANNELS: 'true' },
    });
    const guildId = t.server.guilds[0].id;
    const [general] = t.server.channelsOf(guildId);
    const listen = t.server.invoke({
      guildId,
      commandName: 'listen',
      subcommand: 'add',
      options: { channel: general.id },
      memberPermissions: SERVER_MANAGER,
    });
    await listen.settled();
    t.server.postMessage({
      channelId: general.id,
      content: 'kept through the one connection',
      author: { id: '1300000000000000001', username: 'ana' },
    });
    const learning = t.bot.learning!;
    await t.server.waitFor(() => learning.counts(guildId).messages === 1);
    // Registered at start (the meta table), listening and keeping messages: still one connection.
    expect(openDescriptors(dataPaths(t.config).database)).toBe(managerAlone);
  },
);
