// The pure parts of the bot: configuration, progress throttling, reply mapping, component
// routing, cooldowns and the command registry.
import { ALL_COMMANDS } from './harness.js';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { Cooldowns } from '../../src/commands/cooldowns.js';
import { loadCommands, stableJson } from '../../src/commands/loader.js';
import { ProgressMessage } from '../../src/commands/progress.js';
import { progressBar, truncate } from '../../src/commands/render.js';
import { ComponentRouter, type RoutedInteraction } from '../../src/discord/component-router.js';
import { ConfigError, managerConfigFor, parseByteSize, parseConfig } from '../../src/config/index.js';
import { toModal, toPayload } from '../../src/discord/replies.js';

describe('configuration', () => {
  test('defaults for everything but the token', () => {
    const config = parseConfig({}, '/srv/bot');
    expect(config).toMatchObject({
      token: null,
      apiUrl: null,
      devGuildId: null,
      dataDir: '/srv/bot/data',
      modelsDir: '/srv/bot/models',
      limits: {
        maxAttachmentBytes: 10 * 1024 * 1024,
        maxTrainingBytes: 20 * 1024 * 1024,
        maxModelsPerGuild: 25,
        maxBytesPerGuild: 100 * 1024 * 1024,
      },
      trainingWorkers: 1,
      cacheBytes: 256 * 1024 * 1024,
      generateCooldownMs: 3000,
      logLevel: 'info',
      shards: 'auto',
    });
    expect(managerConfigFor(config).limits.maxFiles).toBe(5);
  });

  test('reads sizes with units, shard counts and the API URL', () => {
    const config = parseConfig({
      DISCORD_TOKEN: 'abc',
      DISCORD_API_URL: 'http://127.0.0.1:8787/api/',
      DEV_GUILD_ID: '123456789012345678',
      MAX_ATTACHMENT_BYTES: '512KB',
      MAX_TRAINING_BYTES: '2 MiB',
      GENERATE_COOLDOWN_SECONDS: '0.5',
      SHARDS: '4',
      LOG_LEVEL: 'DEBUG',
    });
    expect(config.apiUrl).toBe('http://127.0.0.1:8787/api');
    expect(config.limits.maxAttachmentBytes).toBe(512 * 1024);
    expect(config.limits.maxTrainingBytes).toBe(2 * 1024 * 1024);
    expect(config.generateCooldownMs).toBe(500);
    expect(config.shards).toBe(4);
    expect(config.logLevel).toBe('debug');
    expect(parseByteSize('1.5k')).toBe(1536);
    expect(parseByteSize('ten')).toBeNull();
  });

  test('lists every problem at once, each naming the variable and what is expected', () => {
    let error: unknown;
    try {
      parseConfig({
        DISCORD_API_URL: 'discord',
        DEV_GUILD_ID: 'my-server',
        MAX_MODELS_PER_GUILD: '0',
        SHARDS: 'many',
        LOG_LEVEL: 'loud',
        CACHE_BYTES: 'lots',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(6);
    expect(problems).toContain('MAX_MODELS_PER_GUILD: must be a whole number from 1 to 10000; got "0"');
    expect(problems).toContain('SHARDS: must be "auto" or a number of shards from 1 to 1000; got "many"');
    expect(problems.find((problem) => problem.startsWith('DISCORD_API_URL:'))).toContain('http(s) URL');
    expect(problems.find((problem) => problem.startsWith('DEV_GUILD_ID:'))).toContain('server id');
    expect(problems.find((problem) => problem.startsWith('LOG_LEVEL:'))).toContain('fatal, error, warn, info');
    expect((error as Error).message).toMatch(/^Invalid configuration/);
  });

  test('inside a ShardingManager child, SHARDS is discord.js’s shard id list, not our setting', () => {
    expect(parseConfig({ SHARDING_MANAGER: 'true', SHARDS: '0', SHARD_COUNT: '2' }).shards).toBe('auto');
  });

  test('an attachment limit above the training limit is refused with the fix', () => {
    expect(() => parseConfig({ MAX_ATTACHMENT_BYTES: '30MB', MAX_TRAINING_BYTES: '20MB' })).toThrow(
      /Lower it or raise MAX_TRAINING_BYTES/,
    );
  });
});

describe('ProgressMessage', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('edits at once, then at most every 3 s, showing only the latest report', async () => {
    vi.useFakeTimers();
    const sent: string[] = [];
    const times: number[] = [];
    const progress = new ProgressMessage<number>({
      send: async (reply) => {
        sent.push(String(reply.content));
        times.push(Date.now());
      },
      render: (percent) => ({ content: `${percent}%` }),
      clock: () => Date.now(),
    });
    const start = Date.now();
    progress.report(1);
    await vi.advanceTimersByTimeAsync(0);
    for (let percent = 2; percent <= 30; percent++) {
      progress.report(percent);
      await vi.advanceTimersByTimeAsync(250);
    }
    await vi.advanceTimersByTimeAsync(3000);
    await progress.stop();
    expect(sent).toEqual(['1%', '13%', '25%', '30%']);
    expect(times.map((time) => time - start)).toEqual([0, 3000, 6000, 9000]);
  });

  test('does not repeat an unchanged message, and stops after a failed edit', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const progress = new ProgressMessage<string>({
      send: async () => {
        calls++;
        if (calls === 2) throw new Error('token expired');
      },
      render: (text) => ({ content: text }),
      clock: () => Date.now(),
    });
    progress.report('a');
    await vi.advanceTimersByTimeAsync(3000);
    progress.report('a');
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls).toBe(1);
    progress.report('b');
    await vi.advanceTimersByTimeAsync(3000);
    progress.report('c');
    await vi.advanceTimersByTimeAsync(6000);
    expect(calls).toBe(2);
  });

  test('a bar of twelve cells', () => {
    expect(progressBar(0)).toBe('▱'.repeat(12));
    expect(progressBar(0.5)).toBe('▰'.repeat(6) + '▱'.repeat(6));
    expect(progressBar(2)).toBe('▰'.repeat(12));
  });
});

describe('replies', () => {
  test('every payload forbids mentions; limits are enforced; tones become colours', () => {
    const payload = toPayload({
      content: 'x'.repeat(2500),
      embeds: [
        {
          title: 't'.repeat(300),
          fields: [{ name: '', value: 'v'.repeat(2000), inline: true }],
          footer: 'f',
          tone: 'danger',
        },
      ],
      components: [[{ kind: 'button', id: 'a', label: 'Go', style: 'danger' }]],
    });
    expect(payload.allowedMentions).toEqual({ parse: [] });
    expect(payload.content).toHaveLength(2000);
    expect(payload.embeds?.[0].title).toHaveLength(256);
    expect(payload.embeds?.[0].fields?.[0]).toEqual({ name: '\u200b', value: `${'v'.repeat(1023)}…`, inline: true });
    expect(payload.embeds?.[0].color).toBe(0xed4245);
    expect(payload.components?.[0]).toEqual({
      type: 1,
      components: [{ type: 2, custom_id: 'a', label: 'Go', style: 4 }],
    });
    expect(payload.flags).toBeUndefined();
    expect(toPayload({ content: 'hi', ephemeral: true }, { ephemeral: true }).flags).toBe(64);
  });

  test('an edit sends empty parts so they clear; a new message leaves them out', () => {
    expect(toPayload({ content: '', embeds: [], components: [] }, { forEdit: true })).toEqual({
      allowedMentions: { parse: [] },
      content: '',
      embeds: [],
      components: [],
    });
    expect(toPayload({ content: '', embeds: [], components: [] })).toEqual({ allowedMentions: { parse: [] } });
  });

  test('modals are action rows of text inputs', () => {
    expect(
      toModal({
        id: 'm',
        title: 'Save',
        fields: [{ id: 'name', label: 'Name', style: 'short', required: true, maxLength: 64 }],
      }),
    ).toEqual({
      custom_id: 'm',
      title: 'Save',
      components: [
        {
          type: 1,
          components: [{ type: 4, custom_id: 'name', label: 'Name', style: 1, required: true, max_length: 64 }],
        },
      ],
    });
  });

  test('truncate never leaves a dangling escape', () => {
    expect(truncate('abc\\*def', 5)).toBe('abc…');
    expect(truncate('short', 10)).toBe('short');
  });
});

function press(messageId: string, customId: string, userId: string, modal = false): RoutedInteraction {
  return {
    message: { id: messageId },
    customId,
    user: { id: userId },
    isModalSubmit: () => modal,
  } as unknown as RoutedInteraction;
}

describe('ComponentRouter', () => {
  test('delivers to the waiting command, tells other users it is not theirs, and ignores other messages', async () => {
    const router = new ComponentRouter();
    const wait = router.waitForComponent({ messageId: 'm1', ids: ['ok'], ownerId: 'u1', timeoutMs: 1000 });
    expect(router.dispatch(press('m2', 'ok', 'u1'))).toBe('unclaimed');
    expect(router.dispatch(press('m1', 'ok', 'u2'))).toBe('not-yours');
    const mine = press('m1', 'ok', 'u1');
    expect(router.dispatch(mine)).toBe('delivered');
    await expect(wait).resolves.toBe(mine);
    expect(router.dispatch(press('m1', 'ok', 'u1'))).toBe('unclaimed');
  });

  test('times out, aborts, and a modal reaches both kinds of wait', async () => {
    const router = new ComponentRouter();
    await expect(
      router.waitForComponent({ messageId: 'm', ids: ['x'], ownerId: 'u', timeoutMs: 5 }),
    ).resolves.toBeNull();
    const controller = new AbortController();
    const aborted = router.waitForComponent({
      messageId: 'm',
      ids: ['x'],
      ownerId: 'u',
      timeoutMs: 1000,
      signal: controller.signal,
    });
    controller.abort();
    await expect(aborted).resolves.toBeNull();
    const byMessage = router.waitForComponent({ messageId: 'm', ids: ['modal'], ownerId: 'u', timeoutMs: 1000 });
    const byModal = router.waitForModal({ userId: 'u', modalId: 'modal', timeoutMs: 1000 });
    const submitted = press('m', 'modal', 'u', true);
    expect(router.dispatch(submitted)).toBe('delivered');
    await expect(byMessage).resolves.toBe(submitted);
    await expect(byModal).resolves.toBe(submitted);
    expect(router.pending).toBe(0);
  });

  test('showing the same modal again ends the older wait', async () => {
    const router = new ComponentRouter();
    const older = router.waitForModal({ userId: 'u', modalId: 'm', timeoutMs: 1000 });
    const newer = router.waitForModal({ userId: 'u', modalId: 'm', timeoutMs: 1000 });
    await expect(older).resolves.toBeNull();
    router.closeAll();
    await expect(newer).resolves.toBeNull();
  });
});

describe('Cooldowns', () => {
  test('allows, then answers the time left, per key', () => {
    const cooldowns = new Cooldowns(3000);
    expect(cooldowns.take('u1', 10_000)).toBe(0);
    expect(cooldowns.take('u1', 11_000)).toBe(2000);
    expect(cooldowns.take('u2', 11_000)).toBe(0);
    expect(cooldowns.take('u1', 13_000)).toBe(0);
    expect(new Cooldowns(0).take('u1', 1)).toBe(0);
  });

  test('many users inside the window: every turn still counted, old ones dropped, no walk of the map per take', () => {
    const cooldowns = new Cooldowns(3000);
    const users = 40_000;
    for (let i = 0; i < users; i++) expect(cooldowns.take(`u${i}`, 1_000 + i / 100)).toBe(0);
    // Pruning on every take past 10,000 users walked the whole map each time (~4·10⁸ steps here);
    // the doubling threshold keeps the walks under two visits per take.
    expect(cooldowns.pruneSteps).toBeLessThan(2 * users);
    expect(cooldowns.size).toBe(users);
    expect(cooldowns.take('u0', 1_500)).toBe(2500);
    expect(cooldowns.take(`u${users - 1}`, 1_500)).toBeCloseTo(3000 - (1_500 - (1_000 + (users - 1) / 100)), 6);
    // Much later everyone's turn has passed: the next prune forgets them.
    for (let i = 0; i < users + 1; i++) expect(cooldowns.take(`v${i}`, 100_000)).toBe(0);
    expect(cooldowns.size).toBeLessThanOrEqual(users + 1);
    expect(cooldowns.take('v0', 101_000)).toBe(2000);
    expect(cooldowns.take('u0', 101_000)).toBe(0);
  });
});

describe('command registry', () => {
  test('loads the seven commands, guild-only, with the documented defaults and a stable hash', async () => {
    const registry = await loadCommands();
    expect(registry.names.sort()).toEqual(ALL_COMMANDS);
    const definitions = registry.definitions() as {
      name: string;
      contexts: number[];
      default_member_permissions: string | null;
      options?: { name: string; required?: boolean; autocomplete?: boolean }[];
    }[];
    for (const definition of definitions) expect(definition.contexts).toEqual([0]);
    const byName = Object.fromEntries(definitions.map((definition) => [definition.name, definition]));
    expect(byName.train.options?.map((option) => option.name)).toEqual([
      'file1',
      'file2',
      'file3',
      'file4',
      'file5',
      'max_pattern_length',
      'min_frequency',
      'max_patterns',
      'mode',
      'validation',
      'channel',
      'limit',
      'since',
      'clean',
    ]);
    expect(byName.load.options?.[0]).toMatchObject({ name: 'name', required: true, autocomplete: true });
    expect(byName.generate.default_member_permissions ?? null).toBeNull();
    expect(byName.delete.default_member_permissions).toBe('32');
    expect(registry.definitionsHash()).toBe((await loadCommands()).definitionsHash());
    expect(stableJson({ b: 1, a: [2, { d: 3, c: undefined }] })).toBe('{"a":[2,{"d":3}],"b":1}');
  });
});

describe('ComponentRouter holding early presses', () => {
  test('a press that arrives before the wait is delivered once the wait starts; a stray one is released unclaimed', async () => {
    const router = new ComponentRouter();
    const early = press('m', 'go', 'u');
    const held = router.hold(early, 1000);
    const wait = router.waitForComponent({ messageId: 'm', ids: ['go'], ownerId: 'u', timeoutMs: 1000 });
    await expect(held).resolves.toBe('delivered');
    await expect(wait).resolves.toBe(early);
    await expect(router.hold(press('m', 'other', 'u'), 5)).resolves.toBe('unclaimed');
    const stranger = router.hold(press('n', 'go', 'someone'), 1000);
    void router.waitForComponent({ messageId: 'n', ids: ['go'], ownerId: 'u', timeoutMs: 50 });
    await expect(stranger).resolves.toBe('not-yours');
  });
});
