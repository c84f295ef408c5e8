import { describe, expect, it } from 'vitest';
import { ModelCache } from '../../src/manager/model-cache.js';

describe('ModelCache', () => {
  it('evicts the least recently used entries until a new one fits', () => {
    const cache = new ModelCache<string>(100);
    cache.set('g1/a', 'A', 40);
    cache.set('g1/b', 'B', 40);
    expect(cache.get('g1/a')).toBe('A'); // a is now the most recently used
    cache.set('g2/c', 'C', 40);
    expect([cache.has('g1/a'), cache.has('g1/b'), cache.has('g2/c')]).toEqual([true, false, true]);
    expect([cache.bytes, cache.size, cache.evictions]).toEqual([80, 2, 1]);
  });

  it('does not cache a model larger than the whole budget', () => {
    const cache = new ModelCache<string>(100);
    cache.set('g1/a', 'A', 50);
    expect(cache.set('g1/huge', 'H', 101)).toBe(false);
    expect([cache.has('g1/a'), cache.has('g1/huge'), cache.bytes]).toEqual([true, false, 50]);
  });

  it('replaces an entry under the same key and keeps a renamed entry', () => {
    const cache = new ModelCache<string>(100);
    cache.set('g1/.draft_x.ulm', 'D', 30);
    cache.set('g1/.draft_x.ulm', 'D2', 60);
    expect(cache.bytes).toBe(60);
    cache.rename('g1/.draft_x.ulm', 'g1/saved.ulm');
    expect([cache.get('g1/.draft_x.ulm'), cache.get('g1/saved.ulm'), cache.bytes]).toEqual([undefined, 'D2', 60]);
    cache.delete('g1/saved.ulm');
    expect([cache.size, cache.bytes]).toEqual([0, 0]);
  });

  it('re-accounts a model that grew, evicting the least recently used others (or the model itself past the budget)', () => {
    const cache = new ModelCache<string>(100);
    cache.set('g1/a', 'A', 30);
    cache.set('g2/b', 'B', 30);
    cache.set('g3/c', 'C', 30);
    cache.resize('g3/c', 50); // 110 > 100: the oldest other entry goes
    expect([cache.has('g1/a'), cache.has('g2/b'), cache.has('g3/c'), cache.bytes, cache.evictions]).toEqual([
      false,
      true,
      true,
      80,
      1,
    ]);
    cache.resize('g3/c', 20);
    expect(cache.bytes).toBe(50);
    cache.resize('g2/b', 101);
    expect([cache.has('g2/b'), cache.has('g3/c'), cache.bytes, cache.evictions]).toEqual([false, true, 20, 2]);
    cache.resize('g9/missing', 10);
    expect(cache.bytes).toBe(20);
  });

  it('makes room ahead of a load and tells of every eviction, not of deletions or renames', () => {
    const evicted: string[] = [];
    const cache = new ModelCache<string>(100, (key, model) => evicted.push(`${key}=${model}`));
    cache.set('g1/a', 'A', 30);
    cache.set('g2/b', 'B', 30);
    cache.set('g3/c', 'C', 30);
    cache.makeRoom(50); // 90 + 50 > 100: the two least recently used go
    expect([evicted, cache.bytes, cache.evictions]).toEqual([['g1/a=A', 'g2/b=B'], 30, 2]);
    cache.makeRoom(101); // larger than the budget: set() will not take it, so nothing is evicted for it
    expect(cache.size).toBe(1);
    cache.set('g4/d', 'D', 60);
    cache.resize('g4/d', 80); // the others go
    cache.rename('g4/d', 'g4/e');
    cache.delete('g4/e');
    expect(evicted).toEqual(['g1/a=A', 'g2/b=B', 'g3/c=C']);
  });

  it('keys entries by guild, so two guilds never share one', () => {
    expect(ModelCache.key('g1', 'a.ulm')).not.toBe(ModelCache.key('g2', 'a.ulm'));
  });
});
