// Issue 19: `npm run bench:crash -- --runs 20` runs 20 (the script fixed --runs 1000 and the first won).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benchOption } from '../../bench/options.js';

describe('benchmark flags', () => {
  it('the last --runs wins, so one given after `npm run … --` overrides the script', () => {
    expect(benchOption(['--runs', '1000', '--runs', '20'], 'runs', 5, 1)).toBe(20);
    expect(benchOption(['--lanes', '1'], 'runs', 1000, 1)).toBe(1000);
  });

  it('refuses a value that is not a whole number at least the minimum', () => {
    expect(() => benchOption(['--runs', 'many'], 'runs', 1000, 1)).toThrow(
      '--runs expects a whole number of at least 1; got "many"',
    );
    expect(() => benchOption(['--runs', '0'], 'runs', 1000, 1)).toThrow('got "0"');
    expect(() => benchOption(['--runs'], 'runs', 1000, 1)).toThrow('got nothing');
  });

  it('package.json runs bench:crash without a fixed --runs (its default, 1000, lives in the script)', () => {
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
    expect(scripts['bench:crash']).toBe('tsx bench/crash-safety.ts');
  });
});
