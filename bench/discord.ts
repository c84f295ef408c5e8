// npm run bench:discord — the local Discord's own latency: from dispatching INTERACTION_CREATE
// to the recorded first response of a trivial command (a discord.js bot replying "pong"), over
// 2,000 interactions from 200 guilds. This is the floor the bot's real commands are compared with.
// `--quick` runs 200 interactions.
import { Events, type Client } from 'discord.js';
import { performance } from 'node:perf_hooks';
import { loginClient } from '../test/discord/harness.js';
import { startDiscordServer } from '../test/discord/server.js';

const quick = process.argv.includes('--quick');
const interactions = quick ? 200 : 2000;
const guildCount = 200;
const warmup = 100;

interface Scenario {
  label: string;
  shards: number;
  inFlight: number;
}

const scenarios: Scenario[] = [
  { label: '1 shard, one at a time', shards: 1, inFlight: 1 },
  { label: '1 shard, 50 in flight', shards: 1, inFlight: 50 },
  { label: '4 shards, 50 in flight', shards: 4, inFlight: 50 },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function run(scenario: Scenario) {
  const server = await startDiscordServer({ guilds: guildCount, shardsRecommended: scenario.shards });
  let client: Client | undefined;
  try {
    client = await loginClient(server, { shards: 'auto' });
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.reply('pong');
    });
    const guilds = server.guilds;
    const roundTrip = async (i: number) =>
      (await server.invoke({ guildId: guilds[i % guilds.length].id, commandName: 'ping' }).firstResponse()).elapsedMs;

    for (let i = 0; i < warmup; i += 1) await roundTrip(i);
    server.clearRecordings();

    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < interactions) latencies.push(await roundTrip(next++));
    };
    await Promise.all(Array.from({ length: scenario.inFlight }, worker));
    const seconds = (performance.now() - started) / 1000;
    server.assertNoViolations();

    const sorted = latencies.sort((a, b) => a - b);
    return {
      label: scenario.label,
      count: sorted.length,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1],
      perSecond: sorted.length / seconds,
    };
  } finally {
    await client?.destroy();
    await server.close();
  }
}

const rows = [];
for (const scenario of scenarios) {
  process.stderr.write(`running ${scenario.label}…\n`);
  rows.push(await run(scenario));
}

console.log(
  `\nRound trip dispatch → first response (trivial /ping, discord.js ${(await import('discord.js')).version}), ${interactions} interactions from ${guildCount} guilds; node ${process.version}\n`,
);
const header = ['scenario', 'interactions', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'interactions/s'];
const table = rows.map((row) => [
  row.label,
  String(row.count),
  row.p50.toFixed(2),
  row.p90.toFixed(2),
  row.p99.toFixed(2),
  row.max.toFixed(2),
  row.perSecond.toFixed(0),
]);
const widths = header.map((title, i) => Math.max(title.length, ...table.map((cells) => cells[i].length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
for (const cells of table) console.log(line(cells));
