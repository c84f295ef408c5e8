// What new memory costs on this machine, apart from any model: milliseconds to write 100 MB of
// newly allocated typed arrays, with the kernel's 4 KB pages and with transparent huge pages
// (glibc asked for them: GLIBC_TUNABLES=glibc.malloc.hugetlb=1, read only at process start, hence
// one child process per setting). Each child writes 100 MB three times: into a fresh allocation,
// again right after freeing it, and again after the freed memory sat idle for a few seconds (a
// virtual machine's guest may hand idle free memory back to its host, which then faults it in
// anew); and it writes once more, after the same idle time, 100 MB it kept allocated (and written)
// all along, as the bot's cache keeps the buffers of evicted models for the next loads. A model
// load writes its arrays into new memory, so these are the floor under a load in a fresh process:
// see docs/model.md, "Load: where the time goes".
//   npx tsx bench/memory.ts [IDLE_SECONDS]
import { spawnSync } from 'node:child_process';

const idleSeconds = Number(process.argv[2] ?? 5);
const MB = 100;

// The child: plain JavaScript, so it runs without a loader.
const child = `
const write = () => {
  const array = new Float64Array(${MB} * 1e6 / 8);
  const t = performance.now();
  array.fill(1);
  const ms = performance.now() - t;
  const again = performance.now();
  array.fill(2);
  return [ms, performance.now() - again];
};
const kept = new Float64Array(${MB} * 1e6 / 8);
kept.fill(3);
const [fresh, rewrite] = write();
globalThis.gc();
const [reused] = write();
globalThis.gc();
setTimeout(() => {
  const [idle] = write();
  const t = performance.now();
  kept.fill(4);
  const keptIdle = performance.now() - t;
  console.log(JSON.stringify({ fresh, rewrite, reused, idle, keptIdle }));
}, ${idleSeconds * 1000});
`;

interface Figures {
  fresh: number;
  rewrite: number;
  reused: number;
  idle: number;
  keptIdle: number;
}

function measure(env: Record<string, string>): Figures {
  const run = spawnSync(process.execPath, ['--expose-gc', '-e', child], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`child failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Figures;
}

const settings: [string, Record<string, string>][] = [
  ['4 KB pages (default)', { GLIBC_TUNABLES: '' }],
  ['transparent huge pages (glibc.malloc.hugetlb=1)', { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' }],
];
const ms = (value: number) => value.toFixed(1);
console.log(
  `Writing ${MB} MB of newly allocated typed arrays, ms (three processes per setting; the rewrite column writes the same array a second time)`,
);
console.log(
  `| pages | fresh | rewrite, pages already mapped | right after freeing ${MB} MB | after ${idleSeconds} s idle | kept allocated, after ${idleSeconds} s idle |`,
);
console.log('|---|---|---|---|---|---|');
for (const [label, env] of settings) {
  for (let run = 0; run < 3; run++) {
    const f = measure(env);
    console.log(
      `| ${label} | ${ms(f.fresh)} | ${ms(f.rewrite)} | ${ms(f.reused)} | ${ms(f.idle)} | ${ms(f.keptIdle)} |`,
    );
  }
}
