// Issue 19: "already has 25 saved models, the most allowed" while /models showed 6 — the limit
// counts versions; the message says so, lists the versions per model and points to deleting old
// versions. And count-bearing messages agree in number ("1 saved version", "Se borrará 1 versión").
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { describeError, translate } from '../../src/i18n/index.js';
import { versionsPerModel } from '../../src/manager/quota-detail.js';
import type { ModelRow } from '../../src/store/catalog.js';

function rows(spec: Record<string, number>): ModelRow[] {
  return Object.entries(spec).flatMap(([name, versions]) =>
    Array.from(
      { length: versions },
      (_, v) => ({ name, nameKey: name.toLowerCase(), version: v + 1 }) as unknown as ModelRow,
    ),
  );
}

describe('the saved-models quota message', () => {
  it('lists the models holding the most versions first, five at most', () => {
    expect(versionsPerModel(rows({ a: 1, stories: 14, poems: 5, b: 1, c: 2, d: 1, e: 1 }))).toEqual({
      names: ['stories', 'poems', 'c', 'a', 'b'],
      versionCounts: ['14', '5', '2', '1', '1'],
      moreModels: 2,
    });
  });

  it('says the limit counts versions, with the count per model, in English and Spanish', () => {
    const error = new UserError('QUOTA_MODELS', {
      limit: 25,
      ...versionsPerModel(rows({ stories: 20, poems: 4, jokes: 1 })),
    });
    expect(describeError('en', error)).toBe(
      'This server already has 25 saved versions, the most allowed (every version of a model counts): stories 20 versions, poems 4 versions and jokes 1 version. ' +
        'Delete old versions with `/delete name:… version:…` (or a whole model with `/delete name:…`) first.',
    );
    expect(describeError('es', error)).toBe(
      'Este servidor ya tiene 25 versiones guardadas, el máximo permitido (cuenta cada versión de cada modelo): stories 20 versiones, poems 4 versiones y jokes 1 versión. ' +
        'Borra primero versiones antiguas con `/borrar nombre:… version:…` (o un modelo entero con `/borrar nombre:…`).',
    );
    expect(
      describeError('en', new UserError('QUOTA_MODELS', { limit: 1, ...versionsPerModel(rows({ solo: 1 })) })),
    ).toMatch(/^This server already has 1 saved version, /);
  });
});

describe('plural forms of count-bearing messages', () => {
  it('agree with a count of one and of many', () => {
    expect(translate('es', 'delete.confirm.body', { count: 1, size: '2 KB' })).toMatch(
      /^Se borrará 1 versión \(2 KB\)/,
    );
    expect(translate('es', 'delete.confirm.body', { count: 3, size: '2 KB' })).toMatch(
      /^Se borrarán 3 versiones \(2 KB\)/,
    );
    expect(translate('es', 'delete.confirm.body', { version: 2, size: '2 KB' })).toMatch(
      /^Se borrará la versión 2 \(2 KB\)/,
    );
    expect(translate('en', 'stats.corpusValue', { lines: 1, tokens: 1 })).toBe('1 line · 1 word');
    expect(translate('es', 'stats.corpusValue', { lines: 2, tokens: 1 })).toBe('2 líneas · 1 palabra');
    expect(translate('en', 'stats.graphValue', { nodes: 1, edges: 2 })).toBe('1 node · 2 edges');
    expect(translate('es', 'status.limitsValue', { files: 1, attachment: '1 MB', training: '2 MB' })).toBe(
      '1 archivo · 1 MB por archivo · 2 MB en total',
    );
  });
});
