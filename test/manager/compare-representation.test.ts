// /compare scores with the numbers generation reads (issue 16): the same figures whether a model
// is in the cache (loaded from its image) or decoded from its file for the call.
import { describe, expect, it } from 'vitest';
import { decode, decodeImage, encode, encodeImage, train } from '../../src/lm/index.js';
import { compareModels } from '../../src/manager/compare.js';
import type { SavedModelInfo } from '../../src/manager/types.js';

const lines = Array.from({ length: 200 }, (_, i) => `the ${i % 7} cat sat on mat ${i % 11} and slept ${i % 3}`);
const other = lines.map((line) => line.replace('cat', 'dog'));

function info(name: string, model: ReturnType<typeof train>): SavedModelInfo {
  return {
    name,
    version: 1,
    filename: `${name}.ulm`,
    bytes: 0,
    createdAt: 0,
    createdBy: { id: '1', name: 'ana' },
    stats: model.stats,
    available: true,
    active: false,
  };
}

describe('/compare and the model image', () => {
  it('gives the same scores and texts for cached (image) and decoded models', () => {
    const trained = [train(lines, { maxPatternLength: 3 }), train(other, { maxPatternLength: 3 })] as const;
    const files = trained.map((model) => encode(model, 0));
    const decoded = files.map((bytes) => decode(bytes, { counts: false }));
    const images = trained.map((model) => decodeImage(encodeImage(model, 'x')));
    const infos = [info('a', trained[0]), info('b', trained[1])] as [SavedModelInfo, SavedModelInfo];
    const evaluation = { fileName: 'text.txt', lines: lines.slice(0, 40) };
    const a = compareModels(infos, [decoded[0], decoded[1]], { seed: 3 }, evaluation);
    const b = compareModels(infos, [images[0], images[1]], { seed: 3 }, evaluation);
    const c = compareModels(infos, [decoded[0], images[1]], { seed: 3 }, evaluation);
    for (const other of [b, c]) {
      expect(other.models.map((m) => m.evaluation)).toEqual(a.models.map((m) => m.evaluation));
      expect(other.models.map((m) => m.generation.text)).toEqual(a.models.map((m) => m.generation.text));
      expect(other.better).toBe(a.better);
    }
    expect(a.better).toBe(0);
  });
});
