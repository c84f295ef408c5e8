import { describe, expect, it } from 'vitest';
import { extractLines } from '../../src/ingest/index.js';
import { detectDelimiter, parseCsv } from '../../src/ingest/csv.js';
import { thrownUserError } from './helpers.js';

const csv = (text: string) => extractLines('export.csv', text, 'csv');

describe('parseCsv', () => {
  it('reads RFC 4180 quoting: doubled quotes, delimiters and line breaks inside quotes', () => {
    const text = 'a,"b ""quoted"", with comma","multi\r\nline"\r\nd,e,f';
    expect(parseCsv(text, ',')).toEqual({
      rows: [
        ['a', 'b "quoted", with comma', 'multi\r\nline'],
        ['d', 'e', 'f'],
      ],
      unclosedQuoteLine: 0,
    });
  });

  it('keeps empty fields and a missing trailing newline', () => {
    expect(parseCsv('a,,c\n,,\nx', ',').rows).toEqual([['a', '', 'c'], ['', '', ''], ['x']]);
  });

  it('reads a stray quote inside an unquoted field as a literal', () => {
    expect(parseCsv('he said "hi" there,2', ',').rows).toEqual([['he said "hi" there', '2']]);
  });

  it('reports the line of a quote that never closes', () => {
    expect(parseCsv('a,b\nc,"never\nclosed', ',').unclosedQuoteLine).toBe(2);
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['a,b,c\n1,2,3\n4,5,6', ','],
    ['autor;mensaje\nana;hola, qué tal\nluis;bien, ¿y tú?', ';'],
    ['author\tmessage\nana\thola, qué tal, todo bien\nluis\tbien', '\t'],
  ])('detects the delimiter of %j', (text, delimiter) => {
    expect(detectDelimiter(text)).toBe(delimiter);
  });

  it('falls back to comma for a single column', () => {
    expect(detectDelimiter('hola\nqué tal\nadiós')).toBe(',');
  });
});

describe('extractLines: CSV', () => {
  it('prefers a column named content, message or text, whatever its position and case', () => {
    const text =
      'AuthorID,Author,Date,Content,Attachments\n1,ana,2024-01-01,hola a todos,\n2,luis,2024-01-02,"qué tal, ana",img.png';
    expect(csv(text)).toEqual(['hola a todos', 'qué tal, ana']);
  });

  it('prefers content over message over text', () => {
    expect(csv('text,message,content\nt1,m1,c1')).toEqual(['c1']);
    expect(csv('text,message\nt1,m1')).toEqual(['m1']);
  });

  it('splits a multi-line quoted message into lines', () => {
    expect(csv('user,message\nana,"primera línea\nsegunda línea"\nluis,otra')).toEqual([
      'primera línea',
      'segunda línea',
      'otra',
    ]);
  });

  it('reads semicolon-separated files with commas inside messages', () => {
    expect(csv('usuario;texto\nana;hola, ¿qué tal?\nluis;bien, gracias')).toEqual(['hola, ¿qué tal?', 'bien, gracias']);
  });

  it('reads tab-separated files', () => {
    expect(csv('id\tmessage\n1\tuno dos\n2\ttres cuatro')).toEqual(['uno dos', 'tres cuatro']);
  });

  it('without a known header, takes the longest text column and skips ids, numbers and dates', () => {
    const text =
      'id,fecha,autor,frase\n1,2024-01-01,ana,me gusta mucho este servidor\n2,2024-01-02,luis,a mí también me gusta bastante';
    expect(csv(text)).toEqual(['me gusta mucho este servidor', 'a mí también me gusta bastante']);
  });

  it('keeps two text columns of similar length (question and answer)', () => {
    const text = 'pregunta,respuesta\n¿cómo estás hoy?,muy bien gracias\n¿qué hora es?,son las tres';
    expect(csv(text)).toEqual(['¿cómo estás hoy?', 'muy bien gracias', '¿qué hora es?', 'son las tres']);
  });

  it('keeps the first row when it is data rather than a header', () => {
    const text = '1,hola a todos los del servidor\n2,qué tal estáis esta tarde';
    expect(csv(text)).toEqual(['hola a todos los del servidor', 'qué tal estáis esta tarde']);
  });

  it('reads a single-column file without a header as plain messages', () => {
    expect(csv('hola\nqué tal\n\nadiós')).toEqual(['hola', 'qué tal', 'adiós']);
    expect(csv('hola\n¿qué tal estáis hoy gente?\n"adiós, amigos"')).toEqual([
      'hola',
      '¿qué tal estáis hoy gente?',
      'adiós, amigos',
    ]);
  });

  it('drops the header of a single column named message', () => {
    expect(csv('message\nhola\nadiós')).toEqual(['hola', 'adiós']);
  });

  it('refuses a quote that never closes, naming the line', () => {
    const error = thrownUserError(() => csv('user,message\nana,"hola\nluis,adiós\n'));
    expect(error.code).toBe('MALFORMED_FILE');
    expect(error.params).toEqual({ name: 'export.csv', reason: 'csv-unclosed-quote', detail: 'line 2' });
  });

  it('refuses a file without any text column', () => {
    const error = thrownUserError(() => csv('a,b\n1,2\n3,4.5'));
    expect(error.code).toBe('MALFORMED_FILE');
    expect(error.params).toEqual({ name: 'export.csv', reason: 'csv-no-text-column' });
  });

  it('reads a ragged file with a very wide row in linear time', () => {
    const wide = Array.from({ length: 50_000 }, (_, i) => `c${i}`).join(',');
    const text = `${wide}\n${'una frase con palabras,x\n'.repeat(50_000)}`;
    const started = performance.now();
    expect(csv(text)).toHaveLength(50_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('returns no lines for a header with no rows', () => {
    expect(csv('author,content\n')).toEqual([]);
  });
});
