// The bot side of bench:bot, in its own process, as in production: Discord runs on other
// machines, so the local server (which the bench drives) must not share the bot's event loop.
// Sharing it made every burst's new HTTP connections wait for the bot's busy loop to be accepted
// one per turn, a tail the real Discord never adds. Driven over IPC by bench/bot.ts:
//   { type: 'ping', apiBase, token }        a trivial discord.js bot answering /ping (the floor)
//   { type: 'bot', env }                     the real bot (startBot) with this configuration
//   { type: 'train', guildId, path }         the manager trains a guild model from a text file
//   { type: 'cache' }                        the manager's cache figures
// { type: 'listen-batch' }                 one listening batch now (issue 18), answered with the outcomes and kept
// counts
//   { type: 'loop', reset }                  this process's event-loop delay (ms) and CPU time (ms: the
//                                            whole process, and its main thread where Linux tells) since the last reset
//   { type: 'profile', file }                starts a CPU profile of this process; { file: null } stops it
//                                            and writes the .cpuprofile (bench:bot --cpu-prof DIR)
//   { type: 'stop' }                         stop whatever runs and exit
// Each request is answered { id, ok, value | error }.
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Events, type Client } from 'discord.js';
import { pino } from 'pino';
import { startBot, type RunningBot } from '../src/discord/bot.js';
import { parseConfig } from '../src/config/index.js';
import { loginClient } from '../test/discord/harness.js';

type Request =
  | { type: 'ping'; apiBase: string; token: string }
  | { type: 'bot'; env: Record<string, string>; cwd: string }
  | { type: 'train'; guildId: string; path: string }
  | { type: 'cache' }
  | { type: 'listen-batch'; guildIds: string[] }
  | { type: 'loop'; reset: boolean }
  | { type: 'profile'; file: string | null }
  | { type: 'stop' };

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
// A 1 ms timer as in bench:manager (the 10 ms one above reports at least its own interval).
const fineLoopDelay = monitorEventLoopDelay({ resolution: 1 });
fineLoopDelay.enable();
let pingClient: Client | null = null;
let bot: RunningBot | null = null;
let profiler: { session: Session; file: string } | null = null;

/** CPU milliseconds of this process's main thread (Linux: /proc, 10 ms ticks), or null elsewhere. */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the state field.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

let cpuMark = { process: process.cpuUsage(), main: mainThreadCpuMs() };

function post(session: Session, method: string, params: object = {}): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

/** A CPU profile of one phase of the bench (the inspector's sampling profiler, 100 µs interval). */
async function profile(file: string | null): Promise<unknown> {
  if (file !== null) {
    const session = new Session();
    session.connect();
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
    await post(session, 'Profiler.start');
    profiler = { session, file };
    return null;
  }
  if (profiler === null) return null;
  const { session, file: path } = profiler;
  profiler = null;
  const { profile: result } = (await post(session, 'Profiler.stop')) as { profile: unknown };
  session.disconnect();
  writeFileSync(path, JSON.stringify(result));
  return path;
}

async function serve(request: Request): Promise<unknown> {
  switch (request.type) {
    case 'ping': {
      const client = await loginClient(request);
      client.on(Events.InteractionCreate, (interaction) => {
        if (interaction.isChatInputCommand())
          void interaction.reply({ content: 'pong', allowedMentions: { parse: [] } });
      });
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
      await bot.manager.train(
        request.guildId,
        { id: 'bench', name: 'bench' },
        [{ name: 'corpus.txt', size: 0, path: request.path }],
        {},
        'new',
      );
      return null;
    }
    case 'cache':
      if (bot === null) throw new Error('no bot running');
      return bot.manager.cacheStats();
    case 'listen-batch': {
      const learning = bot?.learning;
      if (!learning) throw new Error('no bot with LEARN_FROM_CHANNELS running');
      const outcomes = Object.fromEntries(await learning.runAll());
      return { outcomes, counts: Object.fromEntries(request.guildIds.map((id) => [id, learning.counts(id)])) };
    }
    case 'loop': {
      const used = process.cpuUsage(cpuMark.process);
      const main = mainThreadCpuMs();
      const figures = {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        max: loopDelay.max / 1e6,
        fine: {
          p50: fineLoopDelay.percentile(50) / 1e6,
          p99: fineLoopDelay.percentile(99) / 1e6,
          max: fineLoopDelay.max / 1e6,
        },
        cpuMs: (used.user + used.system) / 1000,
        mainThreadCpuMs: main !== null && cpuMark.main !== null ? main - cpuMark.main : null,
      };
      if (request.reset) {
        loopDelay.reset();
        fineLoopDelay.reset();
        cpuMark = { process: process.cpuUsage(), main };
      }
      return figures;
    }
    case 'profile':
      return profile(request.file);
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
    (error: unknown) =>
      process.send?.({
        id: message.id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});
process.send?.({ id: 0, ok: true, value: 'started' });
