import { describe, expect, it } from 'vitest';
import { errorTree, invalidFormBody } from './errors.js';
import {
  isEmptyMessage,
  validateAutocompleteChoices,
  validateCommandList,
  validateMessage,
  validateModal,
} from './rules.js';
import { shardOf, snowflakeAt, SnowflakeGenerator, timestampOf } from './snowflake.js';

const rules = (issues: { rule: string }[]) => issues.map((issue) => issue.rule);
const create = { creating: true, uploadedFiles: 0 };
const row = (...customIds: string[]) => ({
  type: 1,
  components: customIds.map((id) => ({ type: 2, style: 1, label: id.slice(0, 10) || 'x', custom_id: id })),
});

describe('snowflakes', () => {
  it('puts the timestamp in the top bits and reads it back', () => {
    const id = snowflakeAt(Date.UTC(2024, 0, 1), 5);
    expect(timestampOf(id)).toBe(Date.UTC(2024, 0, 1));
    expect(id).toMatch(/^\d{17,19}$/);
    expect(BigInt(id) & 4095n).toBe(5n);
  });

  it('assigns guilds to shards by (id >> 22) % shard count', () => {
    const base = Date.UTC(2020, 0, 1);
    const first = shardOf(snowflakeAt(base), 4);
    expect([0, 1, 2, 3, 4].map((i) => shardOf(snowflakeAt(base + i), 4))).toEqual(
      [0, 1, 2, 3, 4].map((i) => (first + i) % 4),
    );
    expect(shardOf('81384788765712384', 1)).toBe(0);
    // 81384788765712384 >> 22 = 19403645698: shard 0 of 2, 1 of 3, 2 of 4.
    expect([2, 3, 4].map((n) => shardOf('81384788765712384', n))).toEqual([0, 1, 2]);
  });

  it('generates unique increasing ids within one millisecond', () => {
    const generator = new SnowflakeGenerator(() => 1_700_000_000_000);
    const ids = Array.from({ length: 5000 }, () => BigInt(generator.next()));
    expect(new Set(ids).size).toBe(5000);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
  });
});

describe('message limits', () => {
  it('accepts 2000 characters of content and refuses 2001', () => {
    expect(validateMessage({ content: 'x'.repeat(2000) }, [], create)).toEqual([]);
    expect(validateMessage({ content: 'x'.repeat(2001) }, ['data'], create)).toEqual([
      {
        path: ['data', 'content'],
        rule: 'CONTENT_TOO_LONG',
        code: 'BASE_TYPE_MAX_LENGTH',
        message: 'Must be 2000 or fewer in length.',
      },
    ]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(validateMessage({ content: '😀'.repeat(2000) }, [], create)).toEqual([]);
  });

  it('enforces embed title, description, field and total limits', () => {
    expect(rules(validateMessage({ embeds: [{ title: 't'.repeat(257) }] }, [], create))).toEqual([
      'EMBED_TITLE_TOO_LONG',
    ]);
    expect(rules(validateMessage({ embeds: [{ description: 'd'.repeat(4097) }] }, [], create))).toEqual([
      'EMBED_DESCRIPTION_TOO_LONG',
    ]);
    const fields = Array.from({ length: 26 }, (_, i) => ({ name: `f${i}`, value: 'v' }));
    expect(rules(validateMessage({ embeds: [{ fields }] }, [], create))).toEqual(['EMBED_TOO_MANY_FIELDS']);
    expect(
      rules(validateMessage({ embeds: [{ fields: [{ name: 'n', value: 'v'.repeat(1025) }] }] }, [], create)),
    ).toEqual(['EMBED_FIELD_TOO_LONG']);
    // 4096 + 256 + 2 × 1000 = 6352 > 6000, although every single field is within its own limit.
    const big = [
      { title: 't'.repeat(256), description: 'd'.repeat(4096) },
      { description: 'd'.repeat(1000), fields: [{ name: 'n', value: 'v'.repeat(1000) }] },
    ];
    expect(rules(validateMessage({ embeds: big }, [], create))).toEqual(['EMBEDS_TOO_LARGE']);
    expect(rules(validateMessage({ embeds: Array.from({ length: 11 }, () => ({ title: 'x' })) }, [], create))).toEqual([
      'TOO_MANY_EMBEDS',
    ]);
  });

  it('allows five action rows and refuses six', () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => row(`b${i}`));
    expect(validateMessage({ components: rows(5) }, [], create)).toEqual([]);
    expect(rules(validateMessage({ components: rows(6) }, [], create))).toEqual(['TOO_MANY_ACTION_ROWS']);
  });

  it('refuses custom ids over 100 characters, duplicates, and crowded rows', () => {
    expect(validateMessage({ components: [row('c'.repeat(100))] }, [], create)).toEqual([]);
    const issues = validateMessage({ components: [row('c'.repeat(101))] }, ['data'], create);
    expect(issues).toEqual([
      {
        path: ['data', 'components', 0, 'components', 0, 'custom_id'],
        rule: 'CUSTOM_ID_LENGTH',
        code: 'BASE_TYPE_BAD_LENGTH',
        message: 'Must be between 1 and 100 in length.',
      },
    ]);
    expect(rules(validateMessage({ components: [row('a', 'a')] }, [], create))).toEqual(['DUPLICATE_CUSTOM_ID']);
    expect(rules(validateMessage({ components: [row('a', 'b', 'c', 'd', 'e', 'f')] }, [], create))).toEqual([
      'INVALID_ACTION_ROW',
    ]);
    expect(
      rules(validateMessage({ components: [{ type: 2, style: 1, custom_id: 'x', label: 'x' }] }, [], create)),
    ).toEqual(['INVALID_ACTION_ROW']);
  });

  it('does not ask link buttons for a custom id', () => {
    const link = { type: 1, components: [{ type: 2, style: 5, label: 'docs', url: 'https://example.invalid' }] };
    expect(validateMessage({ components: [link] }, [], create)).toEqual([]);
  });

  it('calls a message with nothing to show empty', () => {
    expect(isEmptyMessage({}, 0)).toBe(true);
    expect(isEmptyMessage({ content: '' }, 0)).toBe(true);
    expect(isEmptyMessage({ content: '' }, 1)).toBe(false);
    expect(isEmptyMessage({ embeds: [{ title: 'x' }] }, 0)).toBe(false);
  });
});

describe('interaction responses', () => {
  it('allows 25 autocomplete choices and refuses 26', () => {
    const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, value: `v${i}` }));
    expect(validateAutocompleteChoices({ choices: choices(25) }, ['data'])).toEqual([]);
    expect(rules(validateAutocompleteChoices({ choices: choices(26) }, ['data']))).toEqual(['TOO_MANY_CHOICES']);
    expect(rules(validateAutocompleteChoices({ choices: [{ name: '', value: 'x' }] }, ['data']))).toEqual([
      'CHOICE_INVALID',
    ]);
  });

  it('checks a modal title, its fields and their custom ids', () => {
    const field = (id: string) => ({ type: 1, components: [{ type: 4, custom_id: id, label: 'Label', style: 1 }] });
    expect(validateModal({ custom_id: 'm', title: 'Title', components: [field('a')] }, ['data'])).toEqual([]);
    expect(rules(validateModal({ custom_id: 'm', title: 't'.repeat(46), components: [field('a')] }, ['data']))).toEqual(
      ['MODAL_INVALID'],
    );
    expect(
      rules(validateModal({ custom_id: 'm', title: 'T', components: [field('a'), field('a')] }, ['data'])),
    ).toEqual(['DUPLICATE_CUSTOM_ID']);
    expect(rules(validateModal({ custom_id: 'm', title: 'T', components: [] }, ['data']))).toEqual(['MODAL_INVALID']);
  });
});

describe('command definitions', () => {
  const ok = {
    name: 'train',
    description: 'Train a model',
    options: [{ type: 11, name: 'file', description: 'Text file', required: true }],
  };

  it('accepts a valid list', () => {
    expect(validateCommandList([ok, { type: 3, name: 'Quote this' }])).toEqual([]);
  });

  it('refuses bad names and descriptions', () => {
    expect(rules(validateCommandList([{ ...ok, name: 'Train' }]))).toEqual(['COMMAND_NAME_INVALID']);
    expect(rules(validateCommandList([{ ...ok, name: 'x'.repeat(33) }]))).toEqual(['COMMAND_NAME_INVALID']);
    expect(rules(validateCommandList([{ ...ok, name: 'has space' }]))).toEqual(['COMMAND_NAME_INVALID']);
    expect(rules(validateCommandList([{ ...ok, description: '' }]))).toEqual(['COMMAND_DESCRIPTION_INVALID']);
    expect(rules(validateCommandList([{ ...ok, description: 'd'.repeat(101) }]))).toEqual([
      'COMMAND_DESCRIPTION_INVALID',
    ]);
    expect(rules(validateCommandList([{ type: 2, name: 'Profile', description: 'not allowed' }]))).toEqual([
      'COMMAND_DESCRIPTION_INVALID',
    ]);
  });

  it('refuses more than 25 options and a required option after an optional one', () => {
    const options = Array.from({ length: 26 }, (_, i) => ({ type: 3, name: `o${i}`, description: 'd' }));
    expect(rules(validateCommandList([{ ...ok, options }]))).toEqual(['TOO_MANY_OPTIONS']);
    const misordered = [
      { type: 3, name: 'a', description: 'd' },
      { type: 3, name: 'b', description: 'd', required: true },
    ];
    const issues = validateCommandList([{ ...ok, options: misordered }]);
    expect(issues).toEqual([
      {
        path: [0, 'options', 1, 'required'],
        rule: 'REQUIRED_AFTER_OPTIONAL',
        code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        message: 'Required options must be placed before non-required options',
      },
    ]);
  });

  it('refuses more than 25 choices, and choices with autocomplete', () => {
    const choices = Array.from({ length: 26 }, (_, i) => ({ name: `c${i}`, value: i }));
    expect(
      rules(validateCommandList([{ ...ok, options: [{ type: 4, name: 'n', description: 'd', choices }] }])),
    ).toEqual(['TOO_MANY_CHOICES']);
    const both = { type: 3, name: 'n', description: 'd', autocomplete: true, choices: [{ name: 'a', value: 'a' }] };
    expect(rules(validateCommandList([{ ...ok, options: [both] }]))).toEqual(['OPTION_INVALID']);
  });

  it('checks localizations: known locales, and the same length and name rules', () => {
    expect(
      validateCommandList([
        {
          ...ok,
          name_localizations: { 'es-ES': 'entrenar' },
          description_localizations: { 'es-ES': 'Entrena un modelo' },
        },
      ]),
    ).toEqual([]);
    expect(rules(validateCommandList([{ ...ok, name_localizations: { es: 'entrenar' } }]))).toEqual(['INVALID_LOCALE']);
    expect(rules(validateCommandList([{ ...ok, name_localizations: { 'es-ES': 'Entrenar' } }]))).toEqual([
      'COMMAND_NAME_INVALID',
    ]);
    expect(rules(validateCommandList([{ ...ok, description_localizations: { 'es-ES': 'd'.repeat(101) } }]))).toEqual([
      'COMMAND_DESCRIPTION_INVALID',
    ]);
  });

  it('refuses duplicate names and subcommands mixed with plain options', () => {
    expect(rules(validateCommandList([ok, ok]))).toEqual(['DUPLICATE_NAME']);
    const mixed = [
      { type: 1, name: 'sub', description: 'd' },
      { type: 3, name: 'plain', description: 'd' },
    ];
    expect(rules(validateCommandList([{ ...ok, options: mixed }]))).toEqual(['OPTION_INVALID']);
  });

  it('refuses a command over 4000 characters in total', () => {
    const options = Array.from({ length: 25 }, (_, i) => ({
      type: 3,
      name: `o${i}`,
      description: 'd'.repeat(100),
      choices: Array.from({ length: 25 }, (_, j) => ({ name: `${'n'.repeat(90)}${j}`, value: `v${j}` })),
    }));
    expect(rules(validateCommandList([{ ...ok, options }]))).toEqual(['COMMAND_TOO_LARGE']);
  });
});

describe('error bodies', () => {
  it('nests issues the way Discord does', () => {
    const issues = validateMessage(
      { content: 'x'.repeat(2001), embeds: [{ title: 't'.repeat(257) }] },
      ['data'],
      create,
    );
    expect(errorTree(issues)).toEqual({
      data: {
        content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
        embeds: {
          0: { title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 256 or fewer in length.' }] } },
        },
      },
    });
    const error = invalidFormBody(issues);
    expect(error.status).toBe(400);
    expect(error.body.code).toBe(50035);
    expect(error.body.message).toBe('Invalid Form Body');
    expect(error.rule).toBe('CONTENT_TOO_LONG');
  });
});
