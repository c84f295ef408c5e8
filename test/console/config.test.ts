// Issue 19: the console applies the bot's configuration rule — any invalid value stops start-up
// with every problem listed (one line each), exit 1; valid values are used, never dropped.
import { describe, expect, it } from 'vitest';
import { consoleSetup } from '../../src/console/defaults.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { drive, tempDir } from './harness.js';

describe('console configuration', () => {
  it('stops before any command with every invalid variable listed, one line each, exit 1', async () => {
    const dir = tempDir();
    try {
      const env = {
        LANG: 'en_US.UTF-8',
        LOG_LEVEL: 'loud',
        SHARDS: 'many',
        MAX_ATTACHMENT_BYTES: '1KB',
        DATA_DIR: dir.path,
      };
      const result = await drive(['/status'], [], { env, manager: undefined });
      expect(result.code).toBe(1);
      expect(result.out).toBe('');
      const lines = result.err.trim().split('\n');
      expect(lines[0]).toBe('Invalid configuration (.env or environment):');
      expect(lines.filter((line) => line.startsWith('  - '))).toEqual([
        '  - LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
        '  - SHARDS: must be "auto" or a number of shards from 1 to 1000; got "many"',
      ]);
      expect(lines.at(-1)).toBe('See .env.example for every variable and its default.');
    } finally {
      dir.remove();
    }
  });

  it('uses the valid values it is given (MAX_ATTACHMENT_BYTES=1KB is 1,024 bytes, not the default)', async () => {
    const setup = await consoleSetup(
      { MAX_ATTACHMENT_BYTES: '1KB', MAX_MODELS_PER_GUILD: '7' },
      { cwd: '/tmp', readDotenv: false },
    );
    expect(setup.managerConfig.limits?.maxAttachmentBytes).toBe(1024);
    expect(setup.managerConfig.limits?.maxModels).toBe(7);
  });

  it('lists the attachment/training pair problem together with the other invalid values', () => {
    let error: unknown;
    try {
      parseConfig({ LOG_LEVEL: 'loud', MAX_ATTACHMENT_BYTES: '2MB', MAX_TRAINING_BYTES: '1MB' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.split(':')[0])).toEqual([
      'LOG_LEVEL',
      'MAX_ATTACHMENT_BYTES',
    ]);
  });
});
