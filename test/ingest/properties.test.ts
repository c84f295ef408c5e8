import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { decodeText, extractLines } from '../../src/ingest/index.js';
import { parseCsv } from '../../src/ingest/csv.js';
import { utf16be, utf16le, utf8 } from './helpers.js';

// Printable text: no C0/C1 controls (which may make a file binary) and no lone surrogates.
const printable = fc
  .string({ unit: 'grapheme', maxLength: 60 })
  .map((text) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' '));

describe('ingestion properties', () => {
  it('decodes any printable text back unchanged from UTF-8, UTF-16 LE and UTF-16 BE', () => {
    fc.assert(
      fc.property(printable, (text) => {
        expect(decodeText('p.txt', utf8(text)).text).toBe(text);
        expect(decodeText('p.txt', utf8(text, true)).text).toBe(text);
        expect(decodeText('p.txt', utf16le(text)).text).toBe(text);
        expect(decodeText('p.txt', utf16be(text)).text).toBe(text);
      }),
      { seed: 20241201, numRuns: 300 },
    );
  });

  it('parses back any table written with RFC 4180 quoting', () => {
    const cell = fc.string({ maxLength: 12 }).map((text) => text.replace(/\r(?!\n)/g, '\n'));
    const quote = (value: string) =>
      /[",\r\n]/.test(value) || value === '' ? `"${value.replace(/"/g, '""')}"` : value;
    const table = fc
      .integer({ min: 1, max: 4 })
      .chain((width) =>
        fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 }),
      );
    fc.assert(
      fc.property(table, (rows) => {
        const text = rows.map((row) => row.map(quote).join(',')).join('\r\n');
        expect(parseCsv(text, ',')).toEqual({ rows, unclosedQuoteLine: 0 });
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('never throws anything but a UserError, and never returns an empty or untrimmed line', () => {
    const formats = fc.constantFrom('txt' as const, 'md' as const, 'csv' as const, 'json' as const, 'log' as const);
    const markupy = fc.array(
      fc.constantFrom(
        '#',
        '*',
        '_',
        '`',
        '```',
        '[',
        ']',
        '(',
        ')',
        '!',
        '|',
        '-',
        '>',
        '<b>',
        '"',
        ',',
        ';',
        '\n',
        '\r\n',
        ' ',
        'hola',
        '{"messages":[',
        '"content":',
      ),
      {
        maxLength: 40,
      },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          printable,
          markupy.map((parts) => parts.join('')),
        ),
        formats,
        (text, format) => {
          let lines: string[] = [];
          try {
            lines = extractLines('x', text, format);
          } catch (error) {
            expect(error).toBeInstanceOf(UserError);
            return;
          }
          for (const line of lines) {
            expect(line).not.toBe('');
            expect(line).toBe(line.trim());
            expect(line).not.toMatch(/[\r\n]/);
          }
        },
      ),
      { seed: 99, numRuns: 500 },
    );
  });
});
