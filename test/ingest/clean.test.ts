import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanText, extractLines, parseSources } from '../../src/ingest/index.js';

const USER = '<@123456789012345678>';

describe('cleanText', () => {
  it('strips mentions, links, custom emoji, code blocks and bot commands', () => {
    const text = [
      `thanks ${USER} and <@!223456789012345678> see <#323456789012345678> <@&423456789012345678>`,
      'look at https://example.com/a?b=c and <https://no.embed/x> or www.site.org now',
      'nice <:pepe:523456789012345678> and <a:dance:623456789012345678> yes',
      '```js',
      'const secret = 1;',
      '```',
      'run `npm test` first',
      '!play never gonna',
      '/roll 2d6',
      '@everyone hello @here',
      'an ordinary line',
    ].join('\n');
    expect(cleanText(text, 'strip').split('\n').filter(Boolean)).toEqual([
      'thanks and see',
      'look at and or now',
      'nice and yes',
      'run first',
      'hello',
      'an ordinary line',
    ]);
  });

  it('replaces them with plain words in replace mode, still dropping commands', () => {
    const text = `hi ${USER} <:pepe:523456789012345678> https://x.io <#323456789012345678> \`x\`\n!cmd arg\n@everyone go`;
    expect(cleanText(text, 'replace')).toBe('hi @user :pepe: link #channel code\n@everyone go');
  });

  it('keeps text as it is when off', () => {
    const text = `hi ${USER} https://x.io\n!cmd`;
    expect(cleanText(text, 'off')).toBe(text);
  });

  it('keeps ordinary punctuation that only looks like a prefix', () => {
    expect(cleanText('! wow\n? really\n...and then', 'strip')).toBe('! wow\n? really\n...and then');
  });

  it('applies per message to JSON exports and to the whole text of plain files', () => {
    const json = JSON.stringify([`hello ${USER}`, '!skip', 'bye https://a.b']);
    expect(extractLines('c.json', json, 'json', 'strip')).toEqual(['hello', 'bye']);
    expect(extractLines('c.txt', 'a <@123456789012345678>\n```\ncode\n```\nb', 'txt', 'strip')).toEqual(['a', 'b']);
    const parsed = parseSources([
      { name: 'c.txt', format: 'txt', bytes: new TextEncoder().encode(`one ${USER}\ntwo`), clean: 'replace' },
    ]);
    expect(parsed.lines).toEqual(['one @user', 'two']);
    expect(
      parseSources([{ name: 'c.txt', format: 'txt', bytes: new TextEncoder().encode(`one ${USER}`) }]).lines,
    ).toEqual([`one ${USER}`]);
  });

  it('never leaves a mention, link or emoji code in any text, whatever surrounds them (property)', () => {
    const token = fc.constantFrom(
      USER,
      '<@&423456789012345678>',
      '<#323456789012345678>',
      '<:x_y:523456789012345678>',
      'https://e.com/p',
      'www.e.org',
      '@here',
    );
    const word = fc.string({ maxLength: 8 }).map((text) => text.replace(/[<>@#:`\n]/g, ''));
    const text = fc.array(fc.oneof(token, word), { maxLength: 12 }).map((parts) => parts.join(' '));
    fc.assert(
      fc.property(text, fc.constantFrom('strip' as const, 'replace' as const), (input, mode) => {
        const cleaned = cleanText(input, mode);
        expect(cleaned).not.toMatch(/<[@#:a]|https?:\/\/|www\./);
        expect(cleaned).not.toMatch(/@here/);
        // Cleaning twice changes nothing more.
        expect(cleanText(cleaned, mode)).toBe(cleaned);
      }),
      { seed: 18, numRuns: 400 },
    );
  });

  it('leaves text without any of those tokens as it is, up to spacing (property)', () => {
    const plain = fc
      .array(fc.stringMatching(/^[a-zñáé0-9,.]{1,8}$/), { maxLength: 10 })
      .map((words) => words.join(' '));
    fc.assert(
      fc.property(plain, (input) => {
        expect(cleanText(input, 'strip')).toBe(input.trim());
      }),
      { seed: 81, numRuns: 300 },
    );
  });
});
