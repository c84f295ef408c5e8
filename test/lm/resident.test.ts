// Model.residentBytes, what the manager's cache budget counts: typed arrays plus an estimate of
// the strings and maps a model keeps on the JavaScript heap.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode, encode, train } from '../../src/lm/index.js';
import { syntheticSentences } from './codec-fixtures.js';

const text = syntheticSentences(600, 400, 3)
  .map((words) => words.join(' '))
  .join('\n');

describe('Model.residentBytes', () => {
  it('adds the vocabulary to the typed arrays, then the lookups generation and similar() build', () => {
    const model = decode(encode(train(text, { maxPatternLength: 3, embeddingDim: 8 }, { seed: 1 }), 0));
    const loaded = model.residentBytes();
    expect(loaded).toBeGreaterThan(model.memoryBytes() + 24 * model.vocab.length);
    model.generate({ prompt: 'w1 w2', maxLength: 10, seed: 1 });
    const generated = model.residentBytes();
    expect(generated).toBeGreaterThan(loaded);
    model.similar('unseenword', 3);
    expect(model.residentBytes()).toBeGreaterThan(generated);
    // Asking again builds nothing new.
    const settled = model.residentBytes();
    model.similar('anotherunseenword', 3);
    expect(model.residentBytes() - model.memoryBytes()).toBe(settled - model.memoryBytes());
  });

  it.each(['file', 'image'])(
    'occupies within a tenth of what the copies of a model loaded from its %s occupy, measured in a process of its own',
    (mode) => {
      const script = join(process.cwd(), 'test', 'lm', 'resident-heap.ts');
      const output = execFileSync(join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['--expose-gc', script, mode], {
        encoding: 'utf8',
      });
      type Figures = { measured: number; estimated: number; typedArrays: number };
      const { loaded, generated, subwords } = JSON.parse(output.trim().split('\n').pop()!) as Record<
        'loaded' | 'generated' | 'subwords',
        Figures
      >;
      for (const [state, { measured, estimated, typedArrays }] of Object.entries({ loaded, generated, subwords })) {
        expect(estimated / measured, state).toBeGreaterThan(0.9);
        expect(estimated / measured, state).toBeLessThan(1.1);
        // The estimated part alone, beside the exact typed arrays.
        expect((estimated - typedArrays) / (measured - typedArrays), state).toBeGreaterThan(0.6);
        expect((estimated - typedArrays) / (measured - typedArrays), state).toBeLessThan(1.4);
      }
    },
    30_000,
  );
});
