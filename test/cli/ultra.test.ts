import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDINGS_LATER_BYTES, imageEmbeddingsPlace } from '../../src/lm/index.js';

const run = promisify(execFile);
const ultra = join(import.meta.dirname, '../../bin/ultra.js');

async function ultraCli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = run(process.execPath, [ultra, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  } else {
    child.child.stdin?.end();
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('ultra command-line tool', () => {
  let dir: string;
  let corpus: string;
  let model: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ultra-cli-'));
    corpus = join(dir, 'corpus.txt');
    const lines: string[] = [];
    // Distinct lines: the validation split hashes lines, so copies of one line stay together.
    for (let i = 0; i < 60; i++)
      lines.push(`the cat number ${i} sat on the mat .`, `a dog ran to park ${i} and the cat ran too .`);
    writeFileSync(corpus, lines.join('\n'));
    model = join(dir, 'model.ulm');
    const trained = await ultraCli(['train', corpus, '-o', model, '--order', '3', '--validation', '0.1', '--json']);
    expect(trained.code).toBe(0);
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tokenizes one sentence per line, tokens joined by spaces', async () => {
    const result = await ultraCli(['tokenize'], "Hola, ¿qué tal?\nThe cat's hat.\n");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Hola , ¿ qué tal ?\nThe cat's hat .\n");
  });

  it('trains a model file and reports its statistics as JSON', async () => {
    const result = await ultraCli(['info', model, '--json']);
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info.stats.order).toBe(3);
    expect(info.stats.patternsByOrder).toHaveLength(3);
    expect(info.stats.heldOutPerplexity).toBeGreaterThan(1);
    expect(info.bytes).toBeGreaterThan(0);
  });

  it('writes the model image beside the model, reads it when it is of that file, and ignores a damaged or stale one', async () => {
    const image = join(dir, 'model.uli');
    const info = JSON.parse((await ultraCli(['info', model, '--json'])).stdout);
    expect(info.image).toBe(image);
    expect(info.imageBytes).toBe(readFileSync(image).length);
    const generated = JSON.parse((await ultraCli(['generate', model, '--seed', '3', '--json'])).stdout).text;
    const original = readFileSync(image);
    try {
      const damaged = Buffer.from(original);
      damaged[damaged.length - 1] ^= 0xff;
      writeFileSync(image, damaged);
      const withoutImage = JSON.parse((await ultraCli(['info', model, '--json'])).stdout);
      expect([withoutImage.image, withoutImage.imageBytes]).toEqual([null, null]);
      // The model file's own decode gives the same text: the image changes no generated word.
      expect(JSON.parse((await ultraCli(['generate', model, '--seed', '3', '--json'])).stdout).text).toBe(generated);
    } finally {
      writeFileSync(image, original);
    }
  });

  it('scores a file like KenLM query', async () => {
    const result = await ultraCli(['eval', model, corpus, '--json']);
    expect(result.code).toBe(0);
    const evaluation = JSON.parse(result.stdout);
    expect(evaluation.sentences).toBe(120);
    expect(evaluation.oov).toBe(0);
    expect(evaluation.perplexity).toBeGreaterThan(1);
    expect(evaluation.perplexity).toBeLessThan(20);
    // Beside it, the image's (quantized) perplexity: within the 0.5 %.
    expect(Math.abs(evaluation.imagePerplexity / evaluation.perplexity - 1)).toBeLessThan(0.005);
  });

  it('generates the same text for the same seed', async () => {
    const first = await ultraCli(['generate', model, 'the', '--seed', '7', '--json']);
    const second = await ultraCli(['generate', model, 'the', '--seed', '7', '--json']);
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout);
    expect(a.text.length).toBeGreaterThan(0);
    expect(a.text).toBe(JSON.parse(second.stdout).text);
  });

  it('writes --count texts as successive calls, or as separate ones with --independent', async () => {
    const texts = async (args: string[]) =>
      (JSON.parse((await ultraCli(['generate', model, '--json', ...args])).stdout) as { text: string }[]).map(
        (result) => result.text,
      );
    const alone = await Promise.all(
      [7, 8, 9].map(
        async (seed) => JSON.parse((await ultraCli(['generate', model, '--seed', String(seed), '--json'])).stdout).text,
      ),
    );
    expect(await texts(['--seed', '7', '--count', '3', '--independent'])).toEqual(alone);
    // Successive: the first is the call alone; the others avoid its word pairs (the same for the same seed).
    const successive = await texts(['--seed', '7', '--count', '3']);
    expect(successive[0]).toBe(alone[0]);
    expect(await texts(['--seed', '7', '--count', '3'])).toEqual(successive);
  });

  it('lists similar words', async () => {
    const result = await ultraCli(['similar', model, 'cat', '--k', '3', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveLength(3);
  });

  it('reads a large image’s embeddings on first use, and the model file when they are damaged then', async () => {
    // 2,400 words, each seen twice or more: embeddings of 32 × 2,400 bytes and their scales, over EMBEDDINGS_LATER_BYTES.
    const words = Array.from({ length: 2400 }, (_, i) => `w${i.toString(36)}`);
    const lines = words.map((word, i) => `${word} ${words[(i + 1) % 2400]} ${words[(i * 7 + 3) % 2400]} .`);
    const big = join(dir, 'big.ulm');
    writeFileSync(join(dir, 'big.txt'), lines.join('\n'));
    expect((await ultraCli(['train', join(dir, 'big.txt'), '-o', big, '--order', '2'])).code).toBe(0);
    const image = join(dir, 'big.uli');
    const place = imageEmbeddingsPlace(readFileSync(image), readFileSync(image).length, EMBEDDINGS_LATER_BYTES);
    expect(place).not.toBeNull();
    if (place === null) return;
    const answers = async () => [
      (await ultraCli(['generate', big, 'w1 zebra', '--seed', '2', '--steer', '0.5'])).stdout,
      (await ultraCli(['similar', big, 'w1', '--k', '4'])).stdout,
      (await ultraCli(['generate', big, '--seed', '5'])).stdout,
      JSON.parse((await ultraCli(['info', big, '--json'])).stdout).image,
    ];
    const intact = await answers();
    expect(intact[1].trim().split('\n')).toHaveLength(4);
    expect(intact[3]).toBe(image);
    const damaged = readFileSync(image);
    damaged[place.offset + 100] ^= 0x21;
    writeFileSync(image, damaged);
    // The same answers: generation reads the image's numbers from the model file's model too; info reads no embedding.
    expect(await answers()).toEqual(intact);
  });

  it('refuses a missing file with one line and exit code 2', async () => {
    const result = await ultraCli(['train', join(dir, 'missing.txt'), '-o', join(dir, 'x.ulm')]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('missing.txt');
  });

  it('refuses a binary file', async () => {
    const binary = join(dir, 'image.txt');
    writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0, 1, 2, 3]));
    const result = await ultraCli(['train', binary, '-o', join(dir, 'x.ulm')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/binary/);
  });

  it('refuses an empty text', async () => {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '   \n\n');
    const result = await ultraCli(['train', empty, '-o', join(dir, 'x.ulm')]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a bad option value', async () => {
    const result = await ultraCli(['train', corpus, '-o', join(dir, 'x.ulm'), '--order', '9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--order');
  });

  it('refuses a file that is not a model', async () => {
    const result = await ultraCli(['info', corpus]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not a usable model file \(foreign/);
  });
});
