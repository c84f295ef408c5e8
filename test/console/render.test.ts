import { describe, expect, it } from 'vitest';
import { renderEmbed, renderReply } from '../../src/console/render.js';
import { displayWidth } from '../../src/console/text.js';

const options = { width: 40, color: false, locale: 'en-US', nowMs: 0 };

describe('renderEmbed', () => {
  it('draws a titled table of fields with the footer below', () => {
    expect(
      renderEmbed(
        {
          title: 'Model',
          fields: [
            { name: 'Patterns', value: '12,345' },
            { name: 'Vocabulary', value: '987' },
          ],
          footer: 'v1',
        },
        options,
      ),
    ).toEqual([
      '╭─ Model ──────────────╮',
      '├────────────┬─────────┤',
      '│ Patterns   │ 12,345  │',
      '│ Vocabulary │ 987     │',
      '├────────────┴─────────┤',
      '│ v1                   │',
      '╰──────────────────────╯',
    ]);
  });

  it('wraps long values inside their column and never exceeds the width', () => {
    const lines = renderEmbed(
      {
        description: 'A description that is certainly longer than forty columns wide',
        fields: [{ name: 'Sample', value: 'once upon a time there was a lighthouse keeper' }],
      },
      options,
    );
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    expect(lines.filter((line) => line.startsWith('│ Sample') || line.startsWith('│        │'))).toHaveLength(2);
  });

  it('keeps right borders aligned with accented and wide text', () => {
    const lines = renderEmbed(
      {
        fields: [
          { name: 'Canción', value: '日本語 ✓' },
          { name: 'año', value: 'ñandú' },
        ],
      },
      options,
    );
    const widths = new Set(lines.map(displayWidth));
    expect(widths.size).toBe(1);
  });
});

describe('renderReply', () => {
  it('numbers enabled buttons and select options in order, and skips disabled ones', () => {
    const rendered = renderReply(
      {
        content: 'Delete **demo**?',
        components: [
          [
            { kind: 'button', id: 'prev', label: 'Previous', style: 'secondary', disabled: true },
            { kind: 'button', id: 'delete', label: 'Delete', style: 'danger' },
            { kind: 'button', id: 'cancel', label: 'Cancel', style: 'secondary' },
          ],
          [
            {
              kind: 'select',
              id: 'pick',
              placeholder: 'Pick a model',
              options: [{ label: 'demo', value: 'demo', description: 'v2' }],
            },
          ],
        ],
      },
      options,
    );
    expect(rendered.lines).toEqual([
      'Delete demo?',
      '[-] Previous  [1] Delete  [2] Cancel',
      'Pick a model',
      '  [3] demo — v2',
    ]);
    expect(rendered.choices).toEqual([
      { number: 1, kind: 'button', customId: 'delete', label: 'Delete' },
      { number: 2, kind: 'button', customId: 'cancel', label: 'Cancel' },
      { number: 3, kind: 'select', customId: 'pick', value: 'demo', label: 'demo' },
    ]);
  });

  it('names attached files with their size', () => {
    expect(renderReply({ files: [{ name: 'sample.txt', data: new Uint8Array(2048) }] }, options).lines).toEqual([
      '[sample.txt, 2 KB]',
    ]);
  });
});
