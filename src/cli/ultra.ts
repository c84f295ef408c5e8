// `ultra` — train, inspect, score and sample pattern models from the shell. It is also the
// tool the benchmarks drive. Every failure gets one line on stderr and exit code 2.
import { accessSync, constants, readFileSync, writeFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { decodeText, detectFormat, extractLines } from '../ingest/index.js';
import { UserError } from '../errors.js';
import {
  decode,
  decodeImage,
  encodeApart,
  encodeImage,
  ModelFormatError,
  RecentPhrases,
  tokenize,
  sharedArrays,
  trainWithEmbeddingsApart,
  TrainingInputError,
  type GenerateResult,
  type Model,
  type TrainProgress,
} from '../lm/index.js';
import { type ImageFile, imagePathFor, modelSource, modelSourceOfFile, readImageFile } from './image-file.js';
import { compiledWorkerEntry, TrainingApart } from './training-apart.js';

/** A mistake in what the user typed or gave us: one line, exit code 2. */
class CliError extends Error {}

type Values = Record<string, string | boolean | undefined>;

function parse(args: string[], options: ParseArgsConfig['options']): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { json: { type: 'boolean' }, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Values, positionals };
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

function numberOption(
  values: Values,
  name: string,
  { integer = false, min = -Infinity, max = Infinity } = {},
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (
    typeof raw !== 'string' ||
    raw.trim() === '' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < min ||
    value > max
  ) {
    const range = `${min === -Infinity ? '' : min}…${max === Infinity ? '' : max}`;
    throw new CliError(`--${name} must be ${integer ? 'an integer' : 'a number'} in ${range}, got "${String(raw)}"`);
  }
  return value;
}

function readTrainingLines(path: string): string[] {
  let bytes: Buffer;
  try {
    if (!statSync(path).isFile()) throw new CliError(`${path}: not a file`);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const format = detectFormat(path) ?? 'txt';
  const { text } = decodeText(path, bytes);
  const lines = extractLines(path, text, format);
  if (lines.length === 0) throw new CliError(`${path}: the file has no text`);
  return lines;
}

/**
 * A model to read from (generate, info, similar): from its image beside it when that image is of
 * these very bytes (see image-file.ts), else decoded from the model file. `exact` (eval): always
 * the model file, whose probabilities are the exact ones.
 */
function readModel(path: string, exact = false): Model {
  return openModel(path, exact).model;
}

/**
 * `use` of the model at `path` (readModel). An image's embeddings are read on first use (image-file.ts): found damaged
 * or unreadable then, `use` runs again, from the start, on the model file's model, as when a load finds its image
 * damaged (the same texts: generation reads the image's numbers either way).
 */
function withModel<T>(path: string, use: (model: Model) => T): T {
  const { model, fromImage } = openModel(path, false);
  try {
    return use(model);
  } catch (error) {
    if (!fromImage || !(error instanceof ModelFormatError)) throw error;
    return use(openModel(path, true).model);
  }
}

/** readModel, also saying whether the model came from its image. */
function openModel(path: string, exact: boolean): { model: Model; fromImage: boolean } {
  const cannotRead = (error: unknown) =>
    new CliError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  if (!exact) {
    // The model file is hashed a chunk at a time, so this process never holds it beside its image.
    let source: string;
    try {
      source = modelSourceOfFile(path);
    } catch (error) {
      throw cannotRead(error);
    }
    const image = readImageBeside(path, source);
    if (image !== null) return { model: image, fromImage: true };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw cannotRead(error);
  }
  try {
    return { model: decode(bytes, { counts: false }), fromImage: false };
  } catch (error) {
    if (error instanceof ModelFormatError)
      throw new CliError(`${path}: not a usable model file (${error.kind}: ${error.message})`);
    // The decoder checks what it reads; anything else it throws still means a damaged file.
    throw new CliError(`${path}: not a usable model file (${oneLine(error)})`);
  }
}

/**
 * The model of the image beside `path`, or null when there is none or it is not of the model file whose sha256 is
 * `source` (damaged, old, of another file).
 */
function readImageBeside(path: string, source: string): Model | null {
  let file: ImageFile;
  try {
    file = readImageFile(imagePathFor(path));
  } catch {
    return null;
  }
  try {
    const { vocabularyText, embeddingsLater } = file;
    return decodeImage(file.image, { source, vocabularyText, embeddingsLater });
  } catch {
    file.embeddingsLater?.close();
    return null;
  }
}

/** Fails before a long training, not after it, when MODEL cannot be written where asked. */
function checkWritableOutput(output: string): void {
  const existing = statIfAny(output);
  if (existing?.isDirectory()) throw new CliError(`${output}: is a directory; -o needs a file name`);
  const folder = dirname(resolve(output));
  const folderStats = statIfAny(folder);
  if (!folderStats) throw new CliError(`${output}: cannot write (the folder ${folder} does not exist)`);
  if (!folderStats.isDirectory()) throw new CliError(`${output}: cannot write (${folder} is not a folder)`);
  try {
    accessSync(folder, constants.W_OK);
    if (existing) accessSync(output, constants.W_OK);
  } catch (error) {
    throw new CliError(`${output}: cannot write (${(error as NodeJS.ErrnoException).code ?? oneLine(error)})`);
  }
}

/** The path's stats, or undefined when nothing is there (also when a parent is a file). */
function statIfAny(path: string) {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CliError(`${path}: cannot read (${code ?? oneLine(error)})`);
  }
}

function writeModelFile(output: string, bytes: Uint8Array): void {
  const temp = `${output}.tmp-${process.pid}`;
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, output);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new CliError(`${output}: cannot write (${(error as NodeJS.ErrnoException).code ?? oneLine(error)})`);
  }
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

function progressBar(stream: NodeJS.WriteStream) {
  let last = -1;
  return (progress: TrainProgress) => {
    const percent = Math.floor(progress.fraction * 100);
    if (percent === last) return;
    last = percent;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${progress.phase}`;
    stream.write(stream.isTTY ? `\r${line}` : `${line}\n`);
  };
}

function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text()}\n`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function cmdTokenize(args: string[]): Promise<void> {
  const { values } = parse(args, {});
  const text = await readStdin();
  const lines = text.split(/\r\n|\n|\r/).filter((line) => line.trim().length > 0);
  const tokenized = lines.map((line) => tokenize(line));
  if (values.json) process.stdout.write(`${JSON.stringify(tokenized)}\n`);
  else process.stdout.write(tokenized.map((tokens) => tokens.join(' ')).join('\n') + (tokenized.length ? '\n' : ''));
}

async function cmdTrain(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    output: { type: 'string', short: 'o' },
    order: { type: 'string' },
    'min-frequency': { type: 'string' },
    'max-patterns': { type: 'string' },
    validation: { type: 'string' },
    'embedding-dim': { type: 'string' },
    'no-split': { type: 'boolean' },
    seed: { type: 'string' },
  });
  if (positionals.length === 0) throw new CliError('train needs at least one FILE');
  const output = values.output;
  if (typeof output !== 'string' || output === '') throw new CliError('train needs -o MODEL');
  const params = {
    maxPatternLength: numberOption(values, 'order', { integer: true, min: 1, max: 8 }),
    minFrequency: numberOption(values, 'min-frequency', { integer: true, min: 1 }),
    maxPatterns: numberOption(values, 'max-patterns', { integer: true, min: 0 }),
    validation: numberOption(values, 'validation', { min: 0, max: 0.5 }),
    embeddingDim: numberOption(values, 'embedding-dim', { integer: true, min: 0, max: 256 }),
    splitSentences: values['no-split'] ? false : undefined,
  };
  const definedParams = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));
  const seed = numberOption(values, 'seed', { integer: true, min: 0 });
  checkWritableOutput(output);
  // Its worker starts now, and loads while the text is read (see training-apart.ts).
  const apart = new TrainingApart(compiledWorkerEntry());
  let model: Model;
  let bytes: Uint8Array;
  let imageBytes: Uint8Array;
  let started: number;
  try {
    const lines = positionals.flatMap(readTrainingLines);
    started = performance.now();
    const trained = trainWithEmbeddingsApart(
      lines,
      definedParams,
      {
        onProgress: values.json ? undefined : progressBar(process.stderr),
        now: () => performance.now(),
        seed,
        // Shared, so the worker computes the image's query graph from them without a copy.
        arrays: sharedArrays,
      },
      apart.start,
    );
    apart.startQueryImage(trained);
    // The n-grams' part of the file is encoded while the worker computes the embeddings, then
    // the image's query graph.
    const finishFile = encodeApart(trained);
    const waited = performance.now();
    const embeddings = await apart.table();
    model = embeddings === null ? trained : trained.withEmbeddings(embeddings);
    // What the embeddings added to the training's time: the wait for them.
    model.provenance.trainingMs += performance.now() - waited;
    bytes = finishFile(model, Date.now());
    writeModelFile(output, bytes);
    imageBytes = encodeImage(model, modelSource(bytes), await apart.queryImagePart());
    writeModelFile(imagePathFor(output), imageBytes);
  } finally {
    void apart.close();
  }
  const seconds = (performance.now() - started) / 1000;
  if (!values.json && process.stderr.isTTY) process.stderr.write('\n');
  const stats = model.stats;
  print(
    Boolean(values.json),
    { output, bytes: bytes.length, image: imagePathFor(output), imageBytes: imageBytes.length, seconds, stats },
    () =>
      [
        `wrote ${output}: ${bytes.length} bytes, ${stats.patterns} patterns (${stats.patternsByOrder.join('/')}), vocabulary ${stats.vocabularySize}, in ${seconds.toFixed(2)} s`,
        `wrote ${imagePathFor(output)}: ${imageBytes.length} bytes (the model image generate loads)`,
        stats.heldOutPerplexity !== null ? `held-out perplexity ${stats.heldOutPerplexity.toFixed(2)}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
  );
}

function cmdEval(args: string[]): void {
  const { values, positionals } = parse(args, {});
  if (positionals.length !== 2) throw new CliError('eval needs MODEL FILE');
  const model = readModel(positionals[0], true);
  const lines = readTrainingLines(positionals[1]);
  const evaluation = model.score(lines);
  // Beside it, the perplexity of the numbers generation reads (the image's quantized query graph).
  const imagePerplexity = model.score(lines, { probabilities: 'query' }).perplexity;
  print(Boolean(values.json), { ...evaluation, imagePerplexity }, () =>
    [
      `sentences ${evaluation.sentences}  words ${evaluation.words}  OOV ${evaluation.oov}`,
      `log10 prob ${evaluation.log10Prob.toFixed(4)}`,
      `perplexity including OOVs ${evaluation.perplexity.toFixed(4)}`,
      `perplexity excluding OOVs ${evaluation.perplexityExcludingOov.toFixed(4)}`,
      `bits per character ${evaluation.bitsPerCharacter.toFixed(4)}`,
      `perplexity of the image (quantized, what generation reads) ${imagePerplexity.toFixed(4)}`,
    ].join('\n'),
  );
}

function cmdGenerate(args: string[]): void {
  const { values, positionals } = parse(args, {
    exact: { type: 'boolean' },
    'max-length': { type: 'string' },
    'max-copy-run': { type: 'string' },
    temperature: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    'repetition-penalty': { type: 'string' },
    steer: { type: 'string' },
    seed: { type: 'string' },
    count: { type: 'string' },
    independent: { type: 'boolean' },
  });
  if (positionals.length < 1 || positionals.length > 2) throw new CliError('generate needs MODEL [PROMPT]');
  const count = numberOption(values, 'count', { integer: true, min: 1, max: 100_000 }) ?? 1;
  const seed = numberOption(values, 'seed', { integer: true, min: 0 });
  const options = {
    sampling: values.exact === true ? ('exact' as const) : ('natural' as const),
    prompt: positionals[1],
    maxLength: numberOption(values, 'max-length', { integer: true, min: 1, max: 10_000 }),
    maxCopyRun: numberOption(values, 'max-copy-run', { integer: true, min: 0, max: 10_000 }),
    temperature: numberOption(values, 'temperature', { min: 0, max: 10 }),
    topK: numberOption(values, 'top-k', { integer: true, min: 0 }),
    topP: numberOption(values, 'top-p', { min: 0, max: 1 }),
    repetitionPenalty: numberOption(values, 'repetition-penalty', { min: 1, max: 10 }),
    steer: numberOption(values, 'steer', { min: 0, max: 1 }),
    now: () => performance.now(),
  };
  // The texts of one call follow each other as a server's /generate calls do: each avoids what the
  // ones before wrote (src/lm/recent.ts), unless --independent.
  const results = withModel(positionals[0], (model) => {
    const recent = count > 1 && values.independent !== true ? new RecentPhrases() : undefined;
    const texts: GenerateResult[] = [];
    for (let i = 0; i < count; i++)
      texts.push(model.generate({ ...options, recent, seed: seed === undefined ? undefined : seed + i }));
    return texts;
  });
  print(Boolean(values.json), count === 1 ? results[0] : results, () =>
    results.map((result) => result.text).join('\n'),
  );
}

function cmdInfo(args: string[]): void {
  const { values, positionals } = parse(args, {});
  if (positionals.length !== 1) throw new CliError('info needs MODEL');
  const bytes = statSync(positionals[0], { throwIfNoEntry: false })?.size;
  const { model, fromImage } = openModel(positionals[0], false);
  const stats = model.stats;
  // The image counts only when it is of this file (the model was then loaded from it).
  const image = fromImage ? imagePathFor(positionals[0]) : null;
  const imageBytes = image !== null ? (statSync(image, { throwIfNoEntry: false })?.size ?? null) : null;
  print(Boolean(values.json), { file: positionals[0], bytes, image, imageBytes, stats }, () =>
    [
      `file                ${positionals[0]} (${bytes} bytes)`,
      `image               ${image !== null ? `${image} (${imageBytes} bytes)` : 'none (generate decodes the file)'}`,
      `order               ${stats.order}`,
      `vocabulary          ${stats.vocabularySize}`,
      `patterns            ${stats.patterns} (by order: ${stats.patternsByOrder.join(', ')})`,
      `graph               ${stats.graphNodes} nodes, ${stats.graphEdges} edges`,
      `embeddings          ${stats.embeddings} × ${stats.embeddingDim}`,
      `memory              ${(stats.memoryBytes / 1024).toFixed(1)} KB`,
      `corpus              ${stats.corpus.lines} lines, ${stats.corpus.sentences} sentences, ${stats.corpus.tokens} tokens, ${stats.corpus.characters} characters`,
      `parameters          ${JSON.stringify(stats.params)}`,
      `training time       ${stats.trainingMs.toFixed(0)} ms`,
      `held-out perplexity ${stats.heldOutPerplexity === null ? 'n/a' : stats.heldOutPerplexity.toFixed(2)}`,
    ].join('\n'),
  );
}

function cmdSimilar(args: string[]): void {
  const { values, positionals } = parse(args, { k: { type: 'string' } });
  if (positionals.length !== 2) throw new CliError('similar needs MODEL WORD');
  const k = numberOption(values, 'k', { integer: true, min: 1, max: 1000 }) ?? 10;
  const neighbours = withModel(positionals[0], (model) => model.similar(positionals[1], k));
  print(Boolean(values.json), neighbours, () => neighbours.map((n) => `${n.word}\t${n.score.toFixed(4)}`).join('\n'));
}

const COMMANDS: Record<string, (args: string[]) => void | Promise<void>> = {
  tokenize: cmdTokenize,
  train: cmdTrain,
  eval: cmdEval,
  generate: cmdGenerate,
  info: cmdInfo,
  similar: cmdSimilar,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  try {
    if (name === undefined)
      throw new CliError(`a command is needed: ${Object.keys(COMMANDS).join(', ')} (ultra --help shows their options)`);
    if (!command)
      throw new CliError(
        `unknown command "${name}": use ${Object.keys(COMMANDS).join(', ')} (ultra --help shows their options)`,
      );
    await command(args);
    return 0;
  } catch (error) {
    if (error instanceof CliError || error instanceof TrainingInputError) {
      process.stderr.write(`ultra: ${oneLine(error)}\n`);
      return 2;
    }
    if (error instanceof UserError) {
      process.stderr.write(`ultra: ${describeIngestError(error)}\n`);
      return 2;
    }
    // Not the user's doing, but the promise holds: one line, exit 2 (no stack trace).
    process.stderr.write(`ultra: unexpected error: ${oneLine(error)}\n`);
    return 2;
  }
}

/** The CLI speaks English only; the bot localizes the same codes through src/i18n. */
function describeIngestError(error: UserError): string {
  const p = error.params;
  switch (error.code) {
    case 'BINARY_FILE':
      return `${p.name}: looks like a binary file, not text`;
    case 'BAD_ENCODING':
      return `${p.name}: cannot decode the text encoding`;
    case 'EMPTY_FILE':
      return `${p.name}: the file has no text`;
    case 'MALFORMED_FILE':
      return `${p.name}: malformed (${p.reason}${p.detail ? `: ${oneLine(p.detail)}` : ''})`;
    case 'UNSUPPORTED_FILE_TYPE':
      return `${p.name}: not a text file the bot reads (.txt, .md, .csv or .json)`;
    default:
      return `${error.code} ${JSON.stringify(p)}`;
  }
}
