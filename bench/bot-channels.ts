import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startDiscordServer } from '../test/discord/server.js';
import { BotProcess } from './bot-process-client.js';

const RATE_PER_SECOND = 50;
const TARGET_P99_MS = 20;
const SERVER_MANAGER = (1n << 5n) | (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 31n);
const WORDS = 'the a cat dog sat ran on to mat log and then slept sang bird tree house river small big red'.split(' ');

function sentence(i: number): string {
  const length = 5 + (i % 9);
  return Array.from({ length }, (_, k) => WORDS[(i * 7 + k * 13 + ((i >> 3) % 5)) % WORDS.length]).join(' ');
}

export async function runChannelsBench(quick: boolean): Promise<void> {
  const HISTORY = quick ? 5_000 : 20_000;
  const MIN_SECONDS = quick ? 6 : 15;
  const server = await startDiscordServer({
    guilds: [
      { name: 'history', channels: [{ name: 'archive' }] },
      { name: 'live', channels: [{ name: 'chat' }] },
    ],
    privilegedIntents: ['MessageContent'],
  });
  const [historyGuild, liveGuild] = server.guilds;
  const archive = server.channelsOf(historyGuild.id)[0].id;
  const chat = server.channelsOf(liveGuild.id)[0].id;
  server.seedHistory(
    archive,
    Array.from({ length: HISTORY }, (_, i) => ({
      content: sentence(i),
      author: { id: String(1300000000000000000n + BigInt(i % 40)), username: `m${i % 40}` },
    })),
  );
  const dir = mkdtempSync(join(tmpdir(), 'ultra-bench-channels-'));
  const bots = new BotProcess();
  await bots.started;
  try {
    await bots.call({
      type: 'bot',
      cwd: dir,
      env: {
        DISCORD_TOKEN: server.token,
        DISCORD_API_URL: server.apiBase,
        DATA_DIR: join(dir, 'data'),
        MODELS_DIR: join(dir, 'models'),
        LOG_LEVEL: 'warn',
        LEARN_FROM_CHANNELS: 'true',
        MAX_TRAINING_BYTES: '20MB',
        MAX_CONCURRENT_TRAININGS: '2',
      },
    });
    const listen = server.invoke({
      guildId: liveGuild.id,
      commandName: 'listen',
      subcommand: 'add',
      options: { channel: chat },
      memberPermissions: SERVER_MANAGER,
    });
    await listen.settled();
    // Warm-up: a few messages and a first batch, so the measured window holds no first-use costs only.
    for (let i = 0; i < 50; i += 1)
      server.postMessage({
        channelId: chat,
        content: sentence(100_000 + i),
        author: { id: '1400000000000000001', username: 'warm' },
      });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await bots.call({ type: 'listen-batch', guildIds: [liveGuild.id] });
    await bots.call({ type: 'loop', reset: true });

    const started = performance.now();
    let posted = 0;
    const poster = setInterval(() => {
      // Catch up by the clock, so a late timer still posts 50 a second on average.
      const due = Math.floor(((performance.now() - started) / 1000) * RATE_PER_SECOND);
      while (posted < due) {
        server.postMessage({
          channelId: chat,
          content: sentence(posted),
          author: { id: String(1400000000000000000n + BigInt(posted % 25)), username: `u${posted % 25}` },
        });
        posted += 1;
      }
    }, 20);
    const training = server.invoke({
      guildId: historyGuild.id,
      commandName: 'train',
      options: { channel: archive, limit: HISTORY },
      memberPermissions: SERVER_MANAGER,
    });
    const firstResponse = await training.firstResponse();
    await training.waitFor(
      (h) => (h.original?.embeds[0] as { title?: string } | undefined)?.title === 'Training finished',
      { timeoutMs: 600_000 },
    );
    const trainedSeconds = (performance.now() - started) / 1000;
    const batches: unknown[] = [];
    while ((performance.now() - started) / 1000 < MIN_SECONDS) {
      batches.push(await bots.call({ type: 'listen-batch', guildIds: [liveGuild.id] }));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    batches.push(await bots.call({ type: 'listen-batch', guildIds: [liveGuild.id] }));
    clearInterval(poster);
    const seconds = (performance.now() - started) / 1000;
    const { fine: loop, cpuMs } = await bots.call<{ fine: { p50: number; p99: number; max: number }; cpuMs: number }>({
      type: 'loop',
      reset: false,
    });
    const last = batches[batches.length - 1] as { counts: Record<string, { messages: number; untrained: number }> };
    const historyRequests = server.requests.filter(
      (request) => request.method === 'GET' && request.path === `/channels/${archive}/messages`,
    ).length;
    const description = (training.original?.embeds[0] as { description?: string } | undefined)?.description ?? '';
    console.log(
      `bench:bot channels${quick ? ' (quick)' : ''}: ${seconds.toFixed(1)} s, ${posted} messages posted to a listened channel (${(posted / seconds).toFixed(1)}/s), ${batches.length} listening batches`,
    );
    console.log(
      `  /train channel: ${HISTORY} messages in ${historyRequests} history requests, first response ${firstResponse.elapsedMs.toFixed(1)} ms, finished after ${trainedSeconds.toFixed(1)} s — ${description.split('.')[0]}`,
    );
    console.log(
      `  listened server: ${last.counts[liveGuild.id].messages} messages kept, ${last.counts[liveGuild.id].untrained} waiting`,
    );
    console.log(
      `  bot event-loop delay (1 ms timer): p50 ${loop.p50.toFixed(1)} ms, p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(1)} ms (target p99 ≤ ${TARGET_P99_MS} ms: ${loop.p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}); bot CPU ${(cpuMs / 1000).toFixed(1)} s`,
    );
    console.log(`  violations: ${server.violations.length}`);
    if (loop.p99 > TARGET_P99_MS || server.violations.length > 0) process.exitCode = 1;
  } finally {
    await bots.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
