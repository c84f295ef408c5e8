// The `ultra` entry point (bin/ultra.js runs it). It answers --help by itself and loads the
// commands (ultra.ts, with the model, the ingest code and msgpackr behind them) only when one is
// asked for: help then costs little more than Node's own start-up (docs/performance.md, bench:cli).
const USAGE = `usage:
  ultra tokenize < text
  ultra train FILE... -o MODEL [--order N] [--min-frequency N] [--max-patterns N] [--validation F] [--no-split] [--embedding-dim N] [--seed N]
  ultra eval MODEL FILE
  ultra generate MODEL [PROMPT] [--exact] [--max-length N] [--max-copy-run N] [--temperature F] [--top-k N] [--top-p F] [--repetition-penalty F] [--steer F] [--seed N] [--count N [--independent]]
  ultra info MODEL
train writes MODEL and its image (MODEL with .uli for .ulm), which generate and similar read when it matches MODEL;
eval scores with MODEL itself (exact probabilities), and gives the image's (quantized) perplexity beside it
  ultra similar MODEL WORD [--k N]
every command takes --json for machine-readable output
generate without flags gives exactly the text /generate gives for the same model, prompt and seed;
--exact samples plainly from the model's distribution (for evaluation);
--count N writes N texts as successive calls (each avoids the word pairs of those before), --independent as separate ones`;

async function run(argv: string[]): Promise<number> {
  const [name] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { main } = await import('./ultra.js');
  return main(argv);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // main() reports every failure itself; this is for a module that could not even load.
    process.stderr.write(
      `ultra: unexpected error: ${String(error instanceof Error ? error.message : error).split('\n')[0]}\n`,
    );
    process.exitCode = 2;
  },
);
