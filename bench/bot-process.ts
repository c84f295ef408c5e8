// The bot side of bench:bot, in its own process, as in production: Discord runs on other
// machines, so the local server (which the bench drives) must not share the bot's event loop.
// Sharing it made every burst's new HTTP connections wait for the bot's busy loop to be accepted
// one per turn, a tail the real Discord never adds. Driven over IPC by bench/bot.ts:
//   { type: 'ping', apiBase, token }        a trivial discord.js bot answering /ping (the floor)
//   { type: 'bot', env }                     the real bot (startBot) with this configuration
//   { type: 'train', guildId, path }         the manager trains a guild model from a text file
//   { type: 'cache' }                        the manager's cache figures
//   { type: 'loop', reset }                  this process's event-loop delay (ms) since the last reset
//   { type: 'stop' }                         stop whatever runs and exit
// Each request is answered { id, ok, value | error }.
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { pino } from 'pino';
import { startBot, type RunningBot } from '../src/discord/bot.js';
import { parseConfig } from '../src/discord/config.js';

type Request =
  | { type: 'ping'; apiBase: string; token: string }
  | { type: 'bot'; env: Record<string, string>; cwd: string }
  | { type: 'train'; guildId: string; path: string }
  | { type: 'cache' }
  | { type: 'loop'; reset: boolean }
  | { type: 'stop' };

const READY_EVENT: string = (Events as Record<string, string>).ClientReady ?? 'ready';

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let pingClient: Client | null = null;
let bot: RunningBot | null = null;

async function serve(request: Request): Promise<unknown> {
  switch (request.type) {
    case 'ping': {
      const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: request.apiBase } });
      client.on(Events.InteractionCreate, (interaction) => {
        if (interaction.isChatInputCommand()) void interaction.reply({ content: 'pong', allowedMentions: { parse: [] } });
      });
      const ready = once(client, READY_EVENT);
      await client.login(request.token);
      await ready;
      pingClient = client;
      return null;
    }
    case 'bot': {
      await pingClient?.destroy();
      pingClient = null;
      bot = await startBot({ config: parseConfig(request.env, request.cwd), logger: pino({ level: 'warn' }) });
      await bot.ready;
      return null;
    }
    case 'train': {
      if (bot === null) throw new Error('no bot running');
      await bot.manager.train(request.guildId, { id: 'bench', name: 'bench' }, [{ name: 'corpus.txt', size: 0, path: request.path }], {}, 'new');
      return null;
    }
    case 'cache':
      if (bot === null) throw new Error('no bot running');
      return bot.manager.cacheStats();
    case 'loop': {
      const figures = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
      if (request.reset) loopDelay.reset();
      return figures;
    }
    case 'stop':
      await pingClient?.destroy();
      await bot?.stop('bench done').catch(() => undefined);
      setImmediate(() => process.exit(0));
      return null;
  }
}

process.on('message', (message: { id: number; request: Request }) => {
  serve(message.request).then(
    (value) => process.send?.({ id: message.id, ok: true, value }),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
});
process.send?.({ id: 0, ok: true, value: 'started' });
