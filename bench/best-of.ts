/** The fastest of `runs` runs of `action`, in milliseconds: on a shared machine noise only adds time. */
export function bestOf(runs: number, action: () => unknown): number {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    action();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}
