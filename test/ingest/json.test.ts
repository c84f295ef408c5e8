import { describe, expect, it } from 'vitest';
import { extractLines } from '../../src/ingest/index.js';
import { thrownUserError } from './helpers.js';

const json = (value: unknown) =>
  extractLines('data.json', typeof value === 'string' ? value : JSON.stringify(value), 'json');

describe('extractLines: JSON', () => {
  it('reads an array of strings, splitting multi-line strings', () => {
    expect(json(['hola', 'qué\ntal', '  ', 'adiós'])).toEqual(['hola', 'qué', 'tal', 'adiós']);
  });

  it("reads markov-discord's training format", () => {
    expect(json([{ message: 'hola gente' }, { message: 'buenas noches' }])).toEqual(['hola gente', 'buenas noches']);
  });

  it('reads objects with content, message or text, preferring content', () => {
    expect(json([{ content: 'c', text: 't' }, { text: 'solo texto' }, { Message: 'capitalised' }])).toEqual([
      'c',
      'solo texto',
      'capitalised',
    ]);
  });

  it('reads a DiscordChatExporter export, skipping attachment-only messages', () => {
    const exported = {
      guild: { id: '1', name: 'Servidor' },
      channel: { id: '2', name: 'general' },
      messages: [
        { id: '10', type: 'Default', content: '¡Hola a todos!', author: { id: '5', name: 'ana' }, attachments: [] },
        { id: '11', type: 'Default', content: '', author: { id: '6', name: 'luis' }, attachments: [{ url: 'x.png' }] },
        { id: '12', type: 'Default', content: 'línea uno\nlínea dos', author: { id: '5', name: 'ana' } },
      ],
      messageCount: 3,
    };
    expect(json(exported)).toEqual(['¡Hola a todos!', 'línea uno', 'línea dos']);
  });

  it('skips items without text when others have it', () => {
    expect(json([{ message: 'sí' }, { message: 42 }, null, { other: 'x' }])).toEqual(['sí']);
  });

  it('returns no lines for an empty array', () => {
    expect(json([])).toEqual([]);
    expect(json({ messages: [] })).toEqual([]);
  });

  it('refuses invalid JSON with the parser’s position', () => {
    const error = thrownUserError(() => json('[{"message": "hola"'));
    expect(error.code).toBe('MALFORMED_FILE');
    expect(error.params.name).toBe('data.json');
    expect(error.params.reason).toBe('json-syntax');
    expect(typeof error.params.detail).toBe('string');
  });

  it.each([
    [{ users: ['a'] }, 'top level is an object'],
    ['"just a string"', 'top level is a string'],
    [42, 'top level is a number'],
    ['null', 'top level is null'],
  ])('refuses the shape %j', (value, detail) => {
    const error = thrownUserError(() => json(value));
    expect(error.params).toEqual({ name: 'data.json', reason: 'json-shape', detail });
  });

  it('refuses an array in which nothing is text', () => {
    const error = thrownUserError(() => json([1, 2, { id: 3 }]));
    expect(error.params).toEqual({
      name: 'data.json',
      reason: 'json-shape',
      detail: 'none of 3 items is a string or has a content, message or text field (the first is a number)',
    });
  });
});
