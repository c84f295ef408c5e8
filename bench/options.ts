// Numeric flags of the benchmark scripts (`--runs 20`). The last occurrence wins, so
// `npm run bench:x -- --runs 20` overrides a default written into package.json's script; a value
// that is not a whole number ≥ minimum stops the script instead of running a surprising count.
export function benchOption(argv: readonly string[], name: string, fallback: number, minimum = 0): number {
  const index = argv.lastIndexOf(`--${name}`);
  if (index < 0) return fallback;
  const text = argv[index + 1];
  const value = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || value < minimum) {
    throw new Error(
      `--${name} expects a whole number of at least ${minimum}; got ${text === undefined ? 'nothing' : `"${text}"`}`,
    );
  }
  return value;
}
