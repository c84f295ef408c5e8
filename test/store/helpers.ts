import type { NewModelRow } from '../../src/store/index.js';

/** A catalog row with plausible values; tests override what they look at. */
export function modelRow(
  guildId: string,
  name: string,
  version: number,
  overrides: Partial<NewModelRow> = {},
): NewModelRow {
  return {
    guildId,
    name,
    nameKey: name.toLowerCase(),
    version,
    filename: `${name}_v${version}.ulm`,
    bytes: 100 * version,
    checksum: 'c'.repeat(64),
    createdAt: 1_733_000_000_000 + version,
    createdBy: { id: '1', name: 'Ana' },
    paramsJson: '{}',
    statsJson: '{"patterns":1}',
    corpusJson: '{}',
    ...overrides,
  };
}
