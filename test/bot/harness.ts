// Starts the real bot (real manager, real discord.js client) against the local Discord server
// in a temporary data directory, and gives tests a few shortcuts for what users do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startDiscordServer, type DiscordServer, type DiscordServerOptions } from '../discord/server.js';
import { startBot, type BotOptions, type RunningBot } from '../../src/discord/bot.js';
import { parseConfig, type BotConfig } from '../../src/config/index.js';

export interface TestBotOptions {
  server?: DiscordServer;
  serverOptions?: DiscordServerOptions;
  /** Environment variables on top of the test defaults. */
  env?: Record<string, string>;
  /** Reuse a data directory (restart tests). */
  dir?: string;
  bot?: Partial<Omit<BotOptions, 'config'>>;
}

export interface TestBot {
  server: DiscordServer;
  bot: RunningBot;
  config: BotConfig;
  dir: string;
  /** Stops the bot; `keepServer`/`keepDir` for restart tests. */
  close(options?: { keepServer?: boolean; keepDir?: boolean }): Promise<void>;
}

/** Waits scaled down for tests: a 60 s confirmation lasts 600 ms, a 5-minute pager 3 s. */
export const testTimeout = (requestedMs: number) => Math.max(200, Math.round(requestedMs / 100));

export async function startTestBot(options: TestBotOptions = {}): Promise<TestBot> {
  const server = options.server ?? (await startDiscordServer({ guilds: 2, ...options.serverOptions }));
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ultra-bot-'));
  const config = parseConfig(
    {
      DISCORD_TOKEN: server.token,
      DISCORD_API_URL: server.apiBase,
      DATA_DIR: join(dir, 'data'),
      MODELS_DIR: join(dir, 'models'),
      LOG_LEVEL: 'silent',
      GENERATE_COOLDOWN_SECONDS: '0',
      // Scheduled snapshots only where a test asks for them (test/ops/).
      BACKUP_INTERVAL_HOURS: '0',
      ...options.env,
    },
    dir,
  );
  const bot = await startBot({
    config,
    logger: pino({ level: process.env.BOT_TEST_LOG ?? 'silent' }),
    adapter: { componentTimeout: testTimeout },
    manager: { verifyChecksumsAtStartup: false, trainingSeed: 7 },
    shutdownGraceMs: 2_000,
    ...options.bot,
  });
  await bot.ready;
  return {
    server,
    bot,
    config,
    dir,
    async close({ keepServer = false, keepDir = false } = {}) {
      await bot.stop('test');
      if (!keepServer) await server.close();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const CORPUS_EN = [
  'the cat sat on the mat',
  'the dog sat on the log',
  'the cat saw the dog',
  'a dog and a cat met on the mat',
  'the bird sang on the log',
  'the cat and the dog are friends',
  'once upon a time the cat slept',
  'the dog ran to the cat',
].join('\n');

export const CORPUS_ES = [
  'en un lugar de la mancha vivía un hidalgo',
  'el gato duerme en la casa',
  'el perro corre por el campo',
  'la casa del hidalgo es grande',
  'el gato y el perro son amigos',
].join('\n');

import type { InteractionHandle, RequestRecord } from '../discord/server.js';

/** Requests that create or edit a message: each must carry `allowed_mentions: { parse: [] }`. */
export function messageRequests(server: DiscordServer): RequestRecord[] {
  return server.requests.filter((request) => {
    if (request.method !== 'POST' && request.method !== 'PATCH') return false;
    if (request.route === '/interactions/{interaction}/{token}/callback') {
      const type = (request.body as { type?: number } | undefined)?.type;
      return type === 4 || type === 7;
    }
    return (
      request.route === '/webhooks/{application}/{token}' ||
      request.route === '/webhooks/{application}/{token}/messages/{message}' ||
      request.route === '/channels/{channel}/messages'
    );
  });
}

export function mentionsOf(request: RequestRecord): unknown {
  const body = request.body as { data?: { allowed_mentions?: unknown }; allowed_mentions?: unknown } | undefined;
  return request.route?.endsWith('/callback') ? body?.data?.allowed_mentions : body?.allowed_mentions;
}

/** Text a user sees in a message: content, embed titles, descriptions, fields, footers. */
export function visibleText(message: { content: string; embeds: Record<string, unknown>[] } | undefined): string {
  if (!message) return '';
  const parts = [message.content];
  for (const embed of message.embeds) {
    parts.push(String(embed.title ?? ''), String(embed.description ?? ''));
    for (const field of (embed.fields as { name: string; value: string }[] | undefined) ?? [])
      parts.push(field.name, field.value);
    parts.push(String((embed.footer as { text?: string } | undefined)?.text ?? ''));
  }
  return parts.filter(Boolean).join('\n');
}

export const EPHEMERAL = 64;

export function isEphemeral(message: { flags: number } | undefined): boolean {
  return message !== undefined && (message.flags & EPHEMERAL) !== 0;
}

/** What the user ends up seeing of an interaction: every message's text, joined. */
export function seen(handle: InteractionHandle): string {
  return handle.messages.map((message) => visibleText(message)).join('\n');
}

export function customIds(message: { components: unknown[] } | undefined): string[] {
  const ids: string[] = [];
  const walk = (items: unknown[]) => {
    for (const item of items) {
      const component = item as { custom_id?: string; components?: unknown[] };
      if (component.custom_id) ids.push(component.custom_id);
      if (component.components) walk(component.components);
    }
  };
  walk(message?.components ?? []);
  return ids;
}

/** Every slash command the bot registers, sorted: what registration tests expect. */
export const ALL_COMMANDS = [
  'compare',
  'delete',
  'export',
  'forget',
  'generate',
  'import',
  'listen',
  'load',
  'models',
  'privacy',
  'reply',
  'save',
  'status',
  'train',
];
