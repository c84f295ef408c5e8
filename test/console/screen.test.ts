import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Screen } from '../../src/console/screen.js';

function screen(live: boolean) {
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
  const instance = new Screen(output, { live, width: () => 80, height: () => 24 });
  return { instance, written: () => written };
}

describe('Screen', () => {
  it('redraws the last message in place on a terminal', () => {
    const { instance, written } = screen(true);
    instance.showMessage(1, ['▰▱▱ 33%', 'footer']);
    expect(instance.updateMessage(1, ['▰▰▱ 66%', 'footer'], ['▰▱▱ 33%', 'footer'])).toBe('redrawn');
    // Up two lines, to column 0, clear below, then the new lines.
    expect(written()).toBe('▰▱▱ 33%\nfooter\n\x1b[2A\x1b[1G\x1b[0J▰▰▱ 66%\nfooter\n');
  });

  it('prints an edit again once something else was printed after the message', () => {
    const { instance, written } = screen(true);
    instance.showMessage(1, ['33%']);
    instance.print(['notice']);
    expect(instance.updateMessage(1, ['66%'], ['33%'])).toBe('printed');
    expect(written()).toBe('33%\nnotice\n66%\n');
  });

  it('prints only what an edit added below the unchanged text, and nothing for removed buttons', () => {
    const { instance, written } = screen(false);
    instance.showMessage(1, ['Trained', '[1] Save']);
    expect(instance.updateMessage(1, ['Trained'], ['Trained', '[1] Save'], 1)).toBe('unchanged');
    expect(instance.updateMessage(1, ['Trained', 'Saved as demo'], ['Trained'], 1)).toBe('printed');
    expect(written()).toBe('Trained\n[1] Save\nSaved as demo\n');
  });
});
