import { describe, expect, it } from 'vitest';
import { extractLines } from '../../src/ingest/index.js';

describe('extractLines: plain text and logs', () => {
  it('splits on every kind of line break, trims and drops empty lines', () => {
    const text = '  hola  \r\nqué tal\n\n\t\nbien\rgracias\r\n';
    expect(extractLines('a.txt', text, 'txt')).toEqual(['hola', 'qué tal', 'bien', 'gracias']);
  });

  it('keeps a text without any line break as one line', () => {
    expect(extractLines('a.txt', 'solo una línea', 'txt')).toEqual(['solo una línea']);
  });

  it('trims Unicode spaces (no-break, ideographic, byte-order mark) at both ends', () => {
    expect(extractLines('a.txt', '\u00a0hola\u3000\n\ufeffadiós\u00a0', 'txt')).toEqual(['hola', 'adiós']);
  });

  it('returns no lines for whitespace only', () => {
    expect(extractLines('a.txt', ' \n\t\r\n \u00a0 ', 'txt')).toEqual([]);
  });

  it('reads a log file like a text file', () => {
    expect(extractLines('app.log', '[12:00] server up\n[12:01] user joined\n', 'log')).toEqual([
      '[12:00] server up',
      '[12:01] user joined',
    ]);
  });
});

describe('extractLines: Markdown', () => {
  const md = (text: string) => extractLines('notes.md', text, 'md');

  it('strips heading markers, including closing hashes and setext underlines', () => {
    expect(md('# Título\n## Sección ##\nOtro título\n===========\nSub\n---')).toEqual([
      'Título',
      'Sección',
      'Otro título',
      'Sub',
    ]);
  });

  it('strips emphasis, strong, strikethrough and inline code marks', () => {
    expect(md('Esto es **muy** _importante_, *de verdad* y ~~no~~ `código`.')).toEqual([
      'Esto es muy importante, de verdad y no código.',
    ]);
  });

  it('leaves underscores inside words and lone asterisks alone', () => {
    expect(md('use snake_case_names and 2 * 3 * 4')).toEqual(['use snake_case_names and 2 * 3 * 4']);
  });

  it('keeps link text, drops the target, and drops images entirely', () => {
    expect(
      md('Mira [la guía](https://example.com/a_(b)) y ![un gato](cat.png) [ref][1].\n\n[1]: https://example.com'),
    ).toEqual(['Mira la guía y ref.']);
  });

  it('drops fenced code blocks (``` and ~~~) and indented code after a blank line', () => {
    const text = 'antes\n```ts\nconst x = 1;\n```\nentre\n~~~\ncode\n~~~\n\n    indented code\n    more code\ndespués';
    expect(md(text)).toEqual(['antes', 'entre', 'después']);
  });

  it('drops an unclosed fence to the end of the file', () => {
    expect(md('texto\n```\nnever closed\nstill code')).toEqual(['texto']);
  });

  it('strips list markers, task boxes and blockquotes', () => {
    const text = '- uno\n* dos\n+ tres\n1. cuatro\n2) cinco\n- [x] hecho\n- [ ] pendiente\n> cita\n> > anidada';
    expect(md(text)).toEqual(['uno', 'dos', 'tres', 'cuatro', 'cinco', 'hecho', 'pendiente', 'cita', 'anidada']);
  });

  it('keeps an indented continuation of a list item as text', () => {
    expect(md('- item\n    continuation of the item')).toEqual(['item', 'continuation of the item']);
  });

  it('turns table rows into their cell text and drops the separator row', () => {
    const text = '| Nombre | Frase |\n|:------|------:|\n| Ana | hola **mundo** |\n| Luis | qué tal |';
    expect(md(text)).toEqual(['Nombre', 'Frase', 'Ana', 'hola mundo', 'Luis', 'qué tal']);
  });

  it('reads a table without outer pipes', () => {
    expect(md('a | b\n--|--\nc | d')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('removes HTML tags and comments, keeping the text, and decodes entities', () => {
    const text =
      '<div align="center"><b>Hola</b> &amp; adiós &lt;3</div>\n<!-- a\ncomment -->\n<script>alert(1)</script>fin';
    expect(md(text)).toEqual(['Hola & adiós <3', 'fin']);
  });

  it('drops thematic breaks, footnote references and reference definitions', () => {
    expect(md('uno[^1]\n\n***\n\n[^1]: nota\n[link]: https://x.y')).toEqual(['uno']);
  });

  it('turns backslash escapes into the literal character', () => {
    expect(md('\\*no es énfasis\\* y \\# no es título')).toEqual(['*no es énfasis* y # no es título']);
  });
});

describe('extractLines: hostile input', () => {
  it('strips Markdown from pathological 100 kB lines in linear time', () => {
    // Each of these took seconds with patterns that scan to the end of the line per attempt.
    const units = ['[a', '[a](', '![a](', '<a', '[', '**a ', '~~a ', '__a ', '*a *b ', '`a ', '[a](b "', '|'];
    const started = performance.now();
    for (const unit of units) {
      const line = unit.repeat(Math.ceil(100_000 / unit.length));
      expect(() => extractLines('hostile.md', line, 'md')).not.toThrow();
    }
    const spaced = [
      `# a${' '.repeat(100_000)}b`,
      `- ${' '.repeat(100_000)}x`,
      `${'- '.repeat(50_000)}x`,
      `${'|-'.repeat(50_000)}x`,
    ];
    for (const line of spaced) expect(() => extractLines('hostile.md', line, 'md')).not.toThrow();
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
