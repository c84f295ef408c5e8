import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { pack, unpack } from 'msgpackr';

describe('native dependencies', () => {
  it('opens an in-memory SQLite database', () => {
    const db = new Database(':memory:');
    expect(db.prepare('select 1 + 1 as two').get()).toEqual({ two: 2 });
    db.close();
  });
  it('round-trips a value through msgpackr', () => {
    expect(unpack(pack({ a: [1, 2, 3] }))).toEqual({ a: [1, 2, 3] });
  });
});
