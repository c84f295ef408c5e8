import { describe, expect, it } from 'vitest';
import { ingestSources, readSources, type IngestLimits } from '../../src/ingest/index.js';
import type { TrainingSource } from '../../src/manager/types.js';
import { rejectedUserError } from './helpers.js';

const limits: IngestLimits = { maxFiles: 5, maxFileBytes: 1000, maxTotalBytes: 1500, downloadTimeoutMs: 2000 };

function produced(messages: string[], clean?: TrainingSource['clean']): TrainingSource {
  return {
    name: 'channel-general.json',
    size: 0,
    contentType: 'application/json',
    clean,
    produce: async ({ onFraction, maxBytes, tooLarge }) => {
      onFraction(0.5);
      const bytes = new TextEncoder().encode(JSON.stringify(messages));
      if (bytes.byteLength > maxBytes) throw tooLarge(bytes.byteLength);
      onFraction(1);
      return bytes;
    },
  };
}

describe('produced sources (a channel history)', () => {
  it('reads what the source produces, reports its fractions and cleans its messages', async () => {
    const fractions: number[] = [];
    const read = await readSources([produced(['hello <@123456789012345678>', '!skip me', 'bye'], 'strip')], limits, {
      onProgress: (f) => fractions.push(f),
    });
    expect(fractions).toEqual([0.5, 1]);
    expect(read.files[0]).toMatchObject({ name: 'channel-general.json', format: 'json', clean: 'strip' });
    const ingested = await ingestSources(
      [produced(['hello <@123456789012345678>', '!skip me', 'bye'], 'strip')],
      limits,
    );
    expect(ingested.lines).toEqual(['hello', 'bye']);
  });

  it('refuses a history larger than the training limit with the usual error', async () => {
    const error = await rejectedUserError(readSources([produced(['x'.repeat(1200)])], limits));
    expect(error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect(error.params).toMatchObject({ name: 'channel-general.json', limit: 1000 });
  });
});
