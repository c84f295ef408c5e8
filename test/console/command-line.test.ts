import { describe, expect, it } from 'vitest';
import { parseCommandLine, scanCommandLine } from '../../src/console/command-line.js';
import { UserError } from '../../src/errors.js';
import { definitions } from './fixtures.js';

const commands = definitions();

function parse(line: string) {
  return parseCommandLine(line, commands).options;
}

function failure(line: string): { code: string; params: Record<string, unknown> } {
  try {
    parseCommandLine(line, commands);
  } catch (error) {
    if (error instanceof UserError) return { code: error.code, params: error.params };
    throw error;
  }
  throw new Error(`parsed: ${line}`);
}

describe('parseCommandLine', () => {
  it('reads a quoted value and an integer as Discord shows the invocation', () => {
    expect(parse('/generate prompt:"En un lugar" max_length:40')).toEqual({ prompt: 'En un lugar', max_length: 40 });
  });

  it('lets an unquoted value run across spaces until the next option name', () => {
    expect(parse('/generate prompt:En un lugar de la Mancha max_length:40')).toEqual({
      prompt: 'En un lugar de la Mancha',
      max_length: 40,
    });
  });

  it('keeps a word with a colon in an unquoted value when it is not an option name', () => {
    expect(parse('/generate prompt:nota: hola hora:12 seed:3')).toEqual({ prompt: 'nota: hola hora:12', seed: 3 });
  });

  it('takes single quotes, typographic quotes and escaped quotes inside quotes', () => {
    expect(parse('/generate prompt:\'dijo "hola"\'')).toEqual({ prompt: 'dijo "hola"' });
    expect(parse('/generate prompt:“Había una vez”')).toEqual({ prompt: 'Había una vez' });
    expect(parse('/generate prompt:"un \\"poema\\" y \\\\ barra"')).toEqual({ prompt: 'un "poema" y \\ barra' });
  });

  it('keeps backslashes literal outside quotes except before a quote, space or backslash', () => {
    expect(parse('/generate prompt:C:\\textos\\a.txt')).toEqual({ prompt: 'C:\\textos\\a.txt' });
    expect(parse('/generate prompt:dos\\ palabras seed:1')).toEqual({ prompt: 'dos palabras', seed: 1 });
  });

  it('lets a quoted value hold an option-looking text', () => {
    expect(parse('/generate prompt:"seed:4 max_length:2"')).toEqual({ prompt: 'seed:4 max_length:2' });
  });

  it('accepts localized command and option names and returns registered names', () => {
    expect(parseCommandLine('/generar inicio:hola', commands)).toMatchObject({
      command: { definition: { name: 'generate' } },
      options: { prompt: 'hola' },
    });
  });

  it('matches option names case-insensitively', () => {
    expect(parse('/generate Max_Length:5')).toEqual({ max_length: 5 });
  });

  it('turns attachments into paths to look up', () => {
    expect(parse('/train file1:./mi texto.txt mode:new')).toEqual({
      file1: { attachmentPath: './mi texto.txt' },
      mode: 'new',
    });
  });

  it('accepts a choice by value, by name and by localized name', () => {
    expect(parse('/train file1:a.txt mode:append')).toMatchObject({ mode: 'append' });
    expect(parse('/train file1:a.txt mode:"New model"')).toMatchObject({ mode: 'new' });
    expect(parse('/train file1:a.txt mode:"modelo nuevo"')).toMatchObject({ mode: 'new' });
  });

  it('reads booleans in both languages', () => {
    expect(parse('/train file1:a split:true')).toMatchObject({ split: true });
    expect(parse('/train file1:a split:sí')).toMatchObject({ split: true });
    expect(parse('/train file1:a split:no')).toMatchObject({ split: false });
  });

  it('reads numbers with a decimal point or a decimal comma', () => {
    expect(parse('/generate temperature:0.8')).toEqual({ temperature: 0.8 });
    expect(parse('/generate temperature:1,5')).toEqual({ temperature: 1.5 });
  });

  it('refuses an unknown command', () => {
    expect(failure('/generat prompt:x')).toEqual({ code: 'UNKNOWN_COMMAND', params: { name: 'generat' } });
  });

  it('refuses a line that is not a command', () => {
    expect(failure('hola')).toMatchObject({
      code: 'BAD_COMMAND_LINE',
      params: { reason: 'not-a-command', text: 'hola' },
    });
  });

  it('refuses an unknown option and lists the known ones', () => {
    expect(failure('/generate prompt:"x" lenght:4')).toEqual({
      code: 'BAD_COMMAND_LINE',
      params: {
        reason: 'unknown-option',
        option: 'lenght',
        command: 'generate',
        known: ['prompt', 'max_length', 'temperature', 'seed'],
      },
    });
  });

  it('refuses a missing required option', () => {
    expect(failure('/train mode:new')).toEqual({
      code: 'BAD_COMMAND_LINE',
      params: { reason: 'missing-option', command: 'train', options: ['file1'] },
    });
  });

  it('refuses a word that is not name:value', () => {
    expect(failure('/generate hola')).toMatchObject({ params: { reason: 'expected-option', word: 'hola' } });
    expect(failure('/generate prompt:"a" b')).toMatchObject({ params: { reason: 'expected-option', word: 'b' } });
  });

  it('refuses an option given twice', () => {
    expect(failure('/generate seed:1 seed:2')).toMatchObject({
      params: { reason: 'duplicate-option', option: 'seed' },
    });
  });

  it('refuses an unclosed quote and text glued to a closing quote', () => {
    expect(failure('/generate prompt:"abc')).toMatchObject({ params: { reason: 'unclosed-quote', option: 'prompt' } });
    expect(failure('/generate prompt:"abc"def')).toMatchObject({
      params: { reason: 'text-after-quote', option: 'prompt' },
    });
  });

  it('refuses an empty value', () => {
    expect(failure('/generate prompt:""')).toMatchObject({ params: { reason: 'empty-value', option: 'prompt' } });
  });

  it('refuses integers that are not whole or out of range', () => {
    expect(failure('/generate max_length:4.5')).toMatchObject({ params: { reason: 'not-an-integer', value: '4.5' } });
    expect(failure('/generate max_length:cuarenta')).toMatchObject({ params: { reason: 'not-an-integer' } });
    expect(failure('/generate max_length:0')).toMatchObject({ params: { reason: 'too-small', min: 1, value: '0' } });
    expect(failure('/generate max_length:201')).toMatchObject({
      params: { reason: 'too-large', max: 200, value: '201' },
    });
    expect(failure('/generate seed:99999999999999999999')).toMatchObject({ params: { reason: 'not-an-integer' } });
  });

  it('refuses numbers that are not numbers or out of range', () => {
    expect(failure('/generate temperature:caliente')).toMatchObject({ params: { reason: 'not-a-number' } });
    expect(failure('/generate temperature:Infinity')).toMatchObject({ params: { reason: 'not-a-number' } });
    expect(failure('/generate temperature:5')).toMatchObject({ params: { reason: 'too-large', max: 2 } });
  });

  it('refuses a value outside the choices', () => {
    expect(failure('/train file1:a mode:replace')).toEqual({
      code: 'BAD_COMMAND_LINE',
      params: { reason: 'not-a-choice', option: 'mode', value: 'replace', choices: ['new', 'append'] },
    });
  });

  it('refuses a bad boolean', () => {
    expect(failure('/train file1:a split:maybe')).toMatchObject({
      params: { reason: 'not-a-boolean', value: 'maybe' },
    });
  });

  it('checks string lengths in characters, as Discord does', () => {
    expect(failure(`/generate prompt:${'x'.repeat(201)}`)).toMatchObject({ params: { reason: 'too-long', max: 200 } });
    expect(parse(`/generate prompt:${'ñ'.repeat(200)}`)).toEqual({ prompt: 'ñ'.repeat(200) });
  });
});

describe('scanCommandLine', () => {
  it('reports where each value starts, for completion', () => {
    expect(scanCommandLine('/load name:"mi modelo"', (name) => name === 'name')).toEqual({
      commandName: 'load',
      segments: [{ typedName: 'name', start: 6, valueStart: 11, value: 'mi modelo', quoted: true }],
    });
  });
});
