import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { crc32 } from '../../src/lm/codec.js';
import { IMAGE_FRAME_BYTES } from '../../src/lm/image/layout.js';
import {
  decodeImage,
  EMBEDDINGS_LATER_BYTES,
  encode,
  encodeImage,
  imageEmbeddingsPlace,
  imageSummary,
  imageVocabularyPlace,
  ModelFormatError,
  train,
} from '../../src/lm/index.js';
import type { ModelManager } from '../../src/manager/index.js';
import { ModelImages } from '../../src/manager/model-images.js';
import { WorkerPool } from '../../src/manager/worker-pool.js';
import { ModelFiles, ModelImageFiles, sha256 } from '../../src/store/index.js';
import { ana, CORPORA, corpusSource, makeDirs, openManager, rejection, TINY, WORDS, type TestDirs } from './helpers.js';

const GUILD = '300000000000000001';
const lines = Array.from({ length: 300 }, (_, i) => `the ${i % 7} cat sat on mat ${i % 11} and slept ${i % 3}`);
const model = train(lines, { maxPatternLength: 3, embeddingDim: 4 });
const modelBytes = encode(model, 0);
const checksum = sha256(modelBytes);

describe('model images on disk (ModelImages)', () => {
  const dirsList: TestDirs[] = [];
  const pool = new WorkerPool(1);
  afterAll(async () => {
    await pool.close();
    for (const dirs of dirsList) dirs.cleanup();
  });

  function setUp(offThreadBytes = Number.POSITIVE_INFINITY) {
    const dirs = makeDirs('ultra-images-');
    dirsList.push(dirs);
    const store = new ModelImageFiles(new ModelFiles(dirs.modelsDir));
    const images = new ModelImages(store, pool, offThreadBytes);
    let reads = 0;
    const file = {
      read: async () => {
        reads++;
        return modelBytes;
      },
    };
    return { dirs, store, images, file, path: store.pathOf(GUILD, checksum), reads: () => reads };
  }

  it('builds a missing image from the model file, writes it named by the checksum, then loads from it', async () => {
    const { images, file, path } = setUp();
    const first = await images.load(GUILD, checksum, file);
    expect(existsSync(path)).toBe(true);
    expect(path.endsWith(join('.images', GUILD, `${checksum}.uli`))).toBe(true);
    expect(imageSummary(readFileSync(path))).toMatchObject({ source: checksum, patterns: model.stats.patterns });
    expect([images.rebuilds, images.imageLoads]).toEqual([1, 0]);
    const second = await images.load(GUILD, checksum, file);
    expect([images.rebuilds, images.imageLoads]).toEqual([1, 1]);
    for (const seed of [1, 2, 3]) {
      expect(first.generate({ seed }).text).toBe(model.generate({ seed }).text);
      expect(second.generate({ seed }).text).toBe(model.generate({ seed }).text);
    }
  });

  it('rebuilds a damaged, truncated, old-layout (1 or 2) or foreign image and writes the good one over it', async () => {
    const { images, file, path } = setUp();
    await images.load(GUILD, checksum, file);
    const good = readFileSync(path);
    // Buffer#slice is a view: copies are made with Buffer.from.
    const oldLayout = Buffer.from(good);
    oldLayout[8] = 0; // layout version 0: the frame's checksum no longer matches either
    const damaged = Buffer.from(good);
    damaged[damaged.length - 3] ^= 0x40;
    // A layout-1 image as the previous version wrote it: a valid frame and header, layout 1.
    const layoutOne = Buffer.from(good);
    layoutOne.writeUInt32LE(1, 8);
    const headerEnd = IMAGE_FRAME_BYTES + layoutOne.readUInt32LE(12);
    layoutOne.writeUInt32LE(
      crc32(layoutOne.subarray(IMAGE_FRAME_BYTES, headerEnd), crc32(layoutOne.subarray(8, 20))),
      20,
    );
    // A layout-2 image likewise (16-bit running shares and stored suffix links, before layout 3).
    const layoutTwo = Buffer.from(layoutOne);
    layoutTwo.writeUInt32LE(2, 8);
    layoutTwo.writeUInt32LE(
      crc32(layoutTwo.subarray(IMAGE_FRAME_BYTES, headerEnd), crc32(layoutTwo.subarray(8, 20))),
      20,
    );
    for (const bad of [
      damaged,
      layoutOne,
      layoutTwo,
      good.subarray(0, good.length >> 1),
      oldLayout,
      encodeImage(model, 'another file'),
      new Uint8Array(0),
    ]) {
      writeFileSync(path, bad);
      const before = images.rebuilds;
      const loaded = await images.load(GUILD, checksum, file);
      expect(images.rebuilds).toBe(before + 1);
      expect(readFileSync(path).equals(good)).toBe(true);
      expect(loaded.score(lines.slice(0, 20)).log10Prob).toBe(decodeImage(good).score(lines.slice(0, 20)).log10Prob);
    }
  });

  it('builds the image of a large model file in the worker, the same image as on this thread', async () => {
    const { images, file, path } = setUp(0);
    await images.load(GUILD, checksum, file);
    expect(readFileSync(path).equals(encodeImage(model, checksum))).toBe(true);
  });

  it('reads the model file on every load, so a damaged one is reported even when its image is intact', async () => {
    const { images, file, reads } = setUp();
    await images.load(GUILD, checksum, file);
    const refusal = new UserError('MODEL_CORRUPT', { name: 'm', version: 1, detail: 'checksum' });
    await expect(images.load(GUILD, checksum, { read: async () => Promise.reject(refusal) })).rejects.toBe(refusal);
    expect(reads()).toBe(1);
  });

  it('with a streamed check, verifies the model file on every load and reads it only to rebuild the image', async () => {
    const { images, file, reads, path } = setUp();
    let verifies = 0;
    const streamed = { ...file, verify: async () => void verifies++ };
    await images.load(GUILD, checksum, streamed);
    expect([verifies, reads(), images.rebuilds]).toEqual([1, 1, 1]);
    const loaded = await images.load(GUILD, checksum, streamed);
    expect([verifies, reads(), images.imageLoads]).toEqual([2, 1, 1]);
    expect(loaded.generate({ seed: 4 }).text).toBe(model.generate({ seed: 4 }).text);
    const refusal = new UserError('MODEL_CORRUPT', { name: 'm', version: 1, detail: 'checksum' });
    await expect(images.load(GUILD, checksum, { ...file, verify: async () => Promise.reject(refusal) })).rejects.toBe(
      refusal,
    );
    writeFileSync(path, 'damaged');
    await images.load(GUILD, checksum, streamed);
    expect([verifies, reads(), images.rebuilds]).toEqual([3, 2, 2]);
  });

  it('reads the image but for its vocabulary text, which the model holds as one string (the buffer keeps its bytes there)', async () => {
    const { images, store } = setUp();
    // A vocabulary whose text runs well past the 16 KB the store reads first for the header.
    const many = train(
      Array.from({ length: 6000 }, (_, i) => `word${i} and word${(i * 7) % 6000} then`),
      { maxPatternLength: 2, embeddingDim: 0 },
    );
    const manyBytes = encode(many, 0);
    const manyChecksum = sha256(manyBytes);
    const file = { read: async () => manyBytes };
    await images.load(GUILD, manyChecksum, file);
    const path = store.pathOf(GUILD, manyChecksum);
    const image = new Uint8Array(readFileSync(path));
    const place = imageVocabularyPlace(image, image.length);
    if (place === null) throw new Error('no vocabulary text');
    expect(place.offset + place.bytes).toBeGreaterThan(16 * 1024 + 10_000);
    const spare = new ArrayBuffer(image.length);
    new Uint8Array(spare).fill(0xee);
    const loaded = await images.load(GUILD, manyChecksum, { ...file, bufferFor: () => spare });
    const held = new Uint8Array(spare);
    // Past the first 16 KB, read for the header, the vocabulary's place was never written.
    const unread = held.subarray(Math.max(place.offset, 16 * 1024), place.offset + place.bytes);
    expect(unread.every((byte) => byte === 0xee)).toBe(true);
    expect(held.subarray(place.offset + place.bytes)).toEqual(image.subarray(place.offset + place.bytes));
    expect(loaded.vocab).toEqual(many.vocab);
    for (const seed of [1, 2, 3]) expect(loaded.generate({ seed }).text).toBe(many.generate({ seed }).text);
    // A damaged vocabulary text is read whole, refused, and the image rebuilt.
    const damaged = image.slice();
    damaged[place.offset + place.bytes - 1] ^= 0x20;
    writeFileSync(path, damaged);
    const rebuilds = images.rebuilds;
    expect((await images.load(GUILD, manyChecksum, file)).vocab).toEqual(many.vocab);
    expect(images.rebuilds).toBe(rebuilds + 1);
    expect(new Uint8Array(readFileSync(path))).toEqual(image);
  });

  it('leaves the embeddings unread until first use, reads them then from the file kept open (even deleted), checked', async () => {
    const dirs = makeDirs('ultra-images-');
    dirsList.push(dirs);
    const store = new ModelImageFiles(new ModelFiles(dirs.modelsDir));
    // Embeddings of any size read on first use (the product's threshold is 64 KB), in an image well past the 16 KB
    // the store reads first for the header.
    const images = new ModelImages(store, pool, Number.POSITIVE_INFINITY, 0);
    const model = train(
      Array.from({ length: 2000 }, (_, i) => `word${i} and the cat word${(i * 7) % 2000} then`),
      { maxPatternLength: 2, embeddingDim: 8 },
    );
    const modelBytes = encode(model, 0);
    const checksum = sha256(modelBytes);
    const file = { read: async () => modelBytes };
    await images.load(GUILD, checksum, file);
    const path = store.pathOf(GUILD, checksum);
    const image = new Uint8Array(readFileSync(path));
    const place = imageEmbeddingsPlace(image, image.length, 0);
    if (place === null) throw new Error('no embeddings');
    expect(place.offset).toBeGreaterThan(16 * 1024);
    const spare = new ArrayBuffer(image.length);
    const held = new Uint8Array(spare);
    const uses = (loaded: typeof model) => [
      JSON.stringify(loaded.similar('cat', 3)),
      loaded.generate({ seed: 5, prompt: 'zebra cat' }).text,
      loaded.generate({ seed: 6, prompt: 'the cat', steer: 0.7 }).text,
    ];
    const whole = decodeImage(image, { source: checksum });

    held.fill(0xee);
    const loaded = await images.load(GUILD, checksum, { ...file, bufferFor: () => spare });
    // Counted from the start (the buffer holds their place): as a model of the whole image counts.
    expect(loaded.memoryBytes()).toBe(whole.memoryBytes());
    for (const seed of [1, 2, 3]) expect(loaded.generate({ seed }).text).toBe(whole.generate({ seed }).text);
    expect(held.subarray(place.offset, place.offset + place.bytes).every((byte) => byte === 0xee)).toBe(true);
    rmSync(path);
    expect(uses(loaded)).toEqual(uses(whole));
    expect(held.subarray(place.offset)).toEqual(image.subarray(place.offset));
    expect(loaded.memoryBytes()).toBe(whole.memoryBytes());

    // Damaged after the load: the first use throws ModelFormatError (every use does), generation without them goes on.
    writeFileSync(path, image);
    const damaged = image.slice();
    damaged[place.offset + 1] ^= 0x08;
    const spoilt = await images.load(GUILD, checksum, file);
    writeFileSync(`${path}.new`, damaged);
    renameSync(`${path}.new`, path);
    const later = await images.load(GUILD, checksum, file);
    expect(later.generate({ seed: 2 }).text).toBe(model.generate({ seed: 2 }).text);
    expect(() => later.similar('cat')).toThrow(ModelFormatError);
    expect(() => later.generate({ seed: 1, prompt: 'zebra' })).toThrow(/embeddingValues is damaged/);
    // Loaded before the damage: the file it holds open is the one it read (a rename replaces files).
    expect(uses(spoilt)).toEqual(uses(whole));

    // Let go (evicted, its buffers reused): a first use throws instead of reading into them.
    writeFileSync(path, image);
    const released = await images.load(GUILD, checksum, file);
    images.release(released);
    expect(() => released.similar('cat')).toThrow(/image embeddings cannot be read/);
  });

  it('reads small embeddings with the rest, holding no file open', async () => {
    const { images, store, file } = setUp();
    await images.load(GUILD, checksum, file);
    const image = new Uint8Array(readFileSync(store.pathOf(GUILD, checksum)));
    const place = imageEmbeddingsPlace(image, image.length, 0);
    expect(place?.bytes).toBeLessThan(64 * 1024);
    const spare = new ArrayBuffer(image.length);
    await images.load(GUILD, checksum, { ...file, bufferFor: () => spare });
    expect(new Uint8Array(spare).subarray(place?.offset ?? 0)).toEqual(image.subarray(place?.offset ?? 0));
  });

  it('reads the image into a spare buffer when one is given, and counts that whole buffer', async () => {
    const { images, file, path } = setUp();
    await images.load(GUILD, checksum, file);
    const size = readFileSync(path).length;
    const spare = new ArrayBuffer(size + 100);
    let asked = 0;
    const loaded = await images.load(GUILD, checksum, {
      ...file,
      bufferFor: (bytes) => {
        asked = bytes;
        return spare;
      },
    });
    expect(asked).toBe(size);
    expect(loaded.query.suffix.data.buffer).toBe(spare);
    expect(loaded.memoryBytes()).toBe(size + 100);
    expect(loaded.generate({ seed: 4 }).text).toBe(model.generate({ seed: 4 }).text);
  });

  it('sweeps the images of model files that are gone, and temp files, leaving others alone', async () => {
    const { store, dirs } = setUp();
    const other = 'b'.repeat(64);
    await store.write(GUILD, checksum, new Uint8Array(8));
    await store.write(GUILD, other, new Uint8Array(8));
    const dir = store.dirOf(GUILD);
    writeFileSync(join(dir, '.tmp-0123'), 'x');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(await store.sweep(GUILD, new Set([checksum]))).toEqual(['.tmp-0123', `${other}.uli`]);
    expect(readdirSync(dir).sort()).toEqual([`${checksum}.uli`, 'notes.txt']);
    expect(() => store.pathOf(GUILD, '../../x')).toThrow();
    expect(() => store.pathOf('../x', checksum)).toThrow();
    expect(dir.startsWith(join(dirs.modelsDir, '.images'))).toBe(true);
  });
});

describe('the manager loads saved models from their images', () => {
  const dirs = makeDirs('ultra-images-manager-');
  const managers: ModelManager[] = [];
  afterEach(async () => {
    for (const manager of managers.splice(0)) await manager.close();
  });
  afterAll(() => dirs.cleanup());
  let guilds = 0;
  const newGuild = () => `3100000000000000${String(++guilds).padStart(2, '0')}`;
  const open = async () => {
    const manager = await openManager(dirs, { verifyChecksumsAtStartup: false });
    managers.push(manager);
    return manager;
  };
  const imageDir = (g: string) => join(dirs.modelsDir, '.images', g);

  it('writes the image at training, loads from it after a restart, rebuilds it when damaged, and reports a damaged model file', async () => {
    const g = newGuild();
    const first = await open();
    await first.train(g, ana, [corpusSource(dirs, `es-${g}.txt`, CORPORA.es)], TINY, 'new');
    const saved = await first.save(g, ana, 'gatos');
    const modelPath = join(dirs.modelsDir, g, saved.filename);
    const sum = sha256(readFileSync(modelPath));
    const imagePath = join(imageDir(g), `${sum}.uli`);
    expect(readdirSync(imageDir(g))).toEqual([`${sum}.uli`]);
    const image = readFileSync(imagePath);
    // What /models, /status and /compare show as the memory of a loaded model.
    expect(saved.stats.imageBytes).toBe(image.length);
    const expected = (await first.generate(g, { seed: 7 })).text;
    expect(expected.split(' ').every((word) => WORDS.es.has(word))).toBe(true);
    await first.close();
    managers.length = 0;

    const second = await open();
    expect((await second.generate(g, { seed: 7 })).text).toBe(expected);
    expect(readdirSync(join(dirs.modelsDir, g))).toEqual([saved.filename]);
    await second.close();
    managers.length = 0;

    const damaged = Buffer.from(image);
    damaged[damaged.length - 1] ^= 0xff;
    writeFileSync(imagePath, damaged);
    const third = await open();
    expect((await third.generate(g, { seed: 7 })).text).toBe(expected);
    expect(readFileSync(imagePath).equals(image)).toBe(true);
    await third.close();
    managers.length = 0;

    const bytes = readFileSync(modelPath);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(modelPath, bytes);
    const fourth = await open();
    const error = await rejection(fourth.generate(g, { seed: 7 }));
    expect([error.code, error.params]).toEqual(['MODEL_CORRUPT', { name: 'gatos', version: 1, detail: 'checksum' }]);
  });

  it('rebuilds an image whose embeddings are found damaged on first use, and gives the text an intact one gives', async () => {
    const g = newGuild();
    const first = await open();
    // 2,400 words, each seen twice or more: embeddings of 32 × 2,400 bytes and their scales, over 64 KB.
    const words = Array.from({ length: 2400 }, (_, i) => `w${i.toString(36)}`);
    const lines = words.map((word, i) => `${word} ${words[(i + 1) % 2400]} ${words[(i * 7 + 3) % 2400]} .`);
    const params = { maxPatternLength: 2, embeddingDim: 32 };
    await first.train(g, ana, [corpusSource(dirs, `words-${g}.txt`, lines)], params, 'new');
    const saved = await first.save(g, ana, 'palabras');
    const imagePath = join(imageDir(g), `${sha256(readFileSync(join(dirs.modelsDir, g, saved.filename)))}.uli`);
    const image = readFileSync(imagePath);
    const place = imageEmbeddingsPlace(image, image.length, EMBEDDINGS_LATER_BYTES);
    if (place === null) throw new Error('embeddings under the threshold');
    await first.close();
    managers.length = 0;

    const second = await open();
    const prompted = (await second.generate(g, { seed: 3, prompt: 'w1 zebra' })).text;
    const plain = (await second.generate(g, { seed: 4 })).text;
    await second.close();
    managers.length = 0;

    const damaged = Buffer.from(image);
    damaged[place.offset + 50] ^= 0x11;
    writeFileSync(imagePath, damaged);
    const third = await open();
    expect((await third.generate(g, { seed: 4 })).text).toBe(plain);
    // Loaded from the damaged image: its embeddings are not read yet.
    expect(readFileSync(imagePath).equals(damaged)).toBe(true);
    expect((await third.generate(g, { seed: 3, prompt: 'w1 zebra' })).text).toBe(prompted);
    expect(readFileSync(imagePath).equals(image)).toBe(true);
    expect((await third.generate(g, { seed: 3, prompt: 'w1 zebra' })).text).toBe(prompted);
  });

  it('removes the image of a deleted model and of a superseded draft, keeping those still used', async () => {
    const g = newGuild();
    const manager = await open();
    await manager.train(g, ana, [corpusSource(dirs, `es-${g}.txt`, CORPORA.es)], TINY, 'new');
    const spanish = await manager.save(g, ana, 'gatos');
    await manager.train(g, ana, [corpusSource(dirs, `en-${g}.txt`, CORPORA.en)], TINY, 'new');
    await manager.train(g, ana, [corpusSource(dirs, `de-${g}.txt`, CORPORA.de)], TINY, 'new');
    // The saved Spanish model and the German draft; the English draft's image went with it.
    expect(readdirSync(imageDir(g))).toHaveLength(2);
    const spanishImage = `${sha256(readFileSync(join(dirs.modelsDir, g, spanish.filename)))}.uli`;
    expect(readdirSync(imageDir(g))).toContain(spanishImage);
    await manager.delete(g, 'gatos');
    expect(readdirSync(imageDir(g))).toHaveLength(1);
    expect(readdirSync(imageDir(g))).not.toContain(spanishImage);
    const text = (await manager.generate(g, { seed: 1 })).text;
    expect(text.split(' ').every((word) => WORDS.de.has(word))).toBe(true);
  });

  it('removes at startup the images of model files the guild no longer has', async () => {
    const g = newGuild();
    const manager = await open();
    await manager.train(g, ana, [corpusSource(dirs, `es-${g}.txt`, CORPORA.es)], TINY, 'new');
    await manager.train(g, ana, [corpusSource(dirs, `en-${g}.txt`, CORPORA.en)], TINY, 'new');
    expect(readdirSync(imageDir(g))).toHaveLength(1);
    await manager.close();
    // An image whose model file went while no manager ran (a crash between the two removals).
    writeFileSync(join(imageDir(g), `${'c'.repeat(64)}.uli`), 'stale');
    expect(readdirSync(imageDir(g))).toHaveLength(2);
    managers.length = 0;
    const again = await open();
    expect(readdirSync(imageDir(g))).toHaveLength(1);
    const text = (await again.generate(g, { seed: 1 })).text;
    expect(text.split(' ').every((word) => WORDS.en.has(word))).toBe(true);
    expect(again.reconcileReport.ignored).toEqual([]);
  });
});
