// End-to-end: the real bot (real model manager, real discord.js client) against the local
// Discord server. One bot serves the whole file; each test works in its own guild.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { InteractionHandle } from '../discord/server.js';
import {
  CORPUS_EN,
  CORPUS_ES,
  customIds,
  isEphemeral,
  mentionsOf,
  messageRequests,
  startTestBot,
  visibleText,
  type TestBot,
  ALL_COMMANDS,
} from './harness.js';

let t: TestBot;
let nextGuild = 0;
/** A guild no other test touched. */
const freshGuild = () => t.server.guilds[nextGuild++].id;
let nextUser = 1000;
const freshUser = () => ({ id: String(200000000000000000n + BigInt(nextUser++)), username: `user${nextUser}` });

beforeAll(async () => {
  t = await startTestBot({
    serverOptions: { guilds: 40 },
    env: {
      MAX_MODELS_PER_GUILD: '12',
      MAX_ATTACHMENT_BYTES: '64KB',
      MAX_TRAINING_BYTES: '256KB',
      GENERATE_COOLDOWN_SECONDS: '3',
      MAX_CONCURRENT_TRAININGS: '2',
    },
  });
});

afterAll(async () => {
  await t?.close();
});

async function train(
  guildId: string,
  options: {
    corpus?: string;
    locale?: string;
    extra?: Record<string, string | number>;
    user?: { id: string; username: string };
  } = {},
): Promise<InteractionHandle> {
  const file = t.server.addAttachment('corpus.txt', options.corpus ?? CORPUS_EN);
  const handle = t.server.invoke({
    guildId,
    commandName: 'train',
    options: { file1: file, ...options.extra },
    locale: options.locale,
    user: options.user,
  });
  await handle.waitFor((h) => customIds(h.original).includes('train:save') || h.followUps.length > 0, {
    timeoutMs: 20_000,
  });
  return handle;
}

/** An ordinary member's permissions plus Manage Server: what /train, /save, /load and /delete default to. */
const SERVER_MANAGER = (1n << 5n) | (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 31n);

async function run(
  guildId: string,
  commandName: string,
  options: Record<string, string | number> = {},
  extra: { locale?: string; user?: { id: string; username: string } } = {},
) {
  const handle = t.server.invoke({ guildId, commandName, options, memberPermissions: SERVER_MANAGER, ...extra });
  await handle.settled();
  return handle;
}

async function trainAndSave(guildId: string, names: string[]): Promise<void> {
  await train(guildId);
  for (const name of names) {
    const saved = await run(guildId, 'save', { name });
    expect(visibleText(saved.original)).toContain('Model saved');
  }
}

describe('/train', () => {
  test('defers at once, shows progress, ends with statistics, a sample and a Save button (English)', async () => {
    const guildId = freshGuild();
    const handle = await train(guildId);
    const first = handle.events[0];
    expect(first.kind).toBe('callback');
    expect(first.callbackType).toBe(5);
    expect(first.elapsedMs).toBeLessThan(3000); // Discord's rule: the first response within 3 s
    const final = handle.original!;
    const embed = final.embeds[0] as { title: string; fields: { name: string; value: string }[] };
    expect(embed.title).toBe('Training finished');
    expect(embed.fields.map((field) => field.name)).toEqual(
      expect.arrayContaining([
        'Patterns',
        'Vocabulary',
        'Embeddings',
        'Memory',
        'Graph',
        'Corpus',
        'Parameters',
        'Sample',
      ]),
    );
    expect(customIds(final)).toEqual(['train:save']);
    const progressVersions = final.versions.filter(
      (version) => (version.embeds[0] as { title?: string } | undefined)?.title === 'Training…',
    );
    expect(progressVersions.length).toBeGreaterThanOrEqual(1);
    expect(String((progressVersions[0].embeds[0] as { description: string }).description)).toMatch(/^[▰▱]{12} \d+% · /);
    expect(isEphemeral(final)).toBe(false);
  });

  test('speaks Spanish to a Spanish user, in an English guild', async () => {
    const guildId = freshGuild();
    const handle = await train(guildId, { corpus: CORPUS_ES, locale: 'es-ES' });
    const embed = handle.original!.embeds[0] as { title: string; fields: { name: string }[] };
    expect(embed.title).toBe('Entrenamiento terminado');
    expect(embed.fields.map((field) => field.name)).toContain('Patrones');
    expect(String((handle.original!.components[0] as { components: { label: string }[] }).components[0].label)).toBe(
      'Guardar',
    );
  });

  test('the Save button opens a modal; a bad name is refused, a good one saves and removes the button', async () => {
    const guildId = freshGuild();
    const handle = await train(guildId);
    const press = handle.click('train:save');
    await press.firstResponse();
    expect(press.modal?.title).toBe('Save trained model');
    const bad = press.submitModal({ name: '../etc/passwd' });
    await bad.settled();
    expect(isEphemeral(bad.original)).toBe(true);
    expect(visibleText(bad.original)).toContain('cannot be a model name');
    expect(customIds(handle.original)).toEqual(['train:save']);

    const again = handle.click('train:save');
    await again.firstResponse();
    const good = again.submitModal({ name: 'stories' });
    await good.settled();
    await handle.waitFor((h) => customIds(h.original).length === 0);
    expect(visibleText(handle.original)).toContain('Model saved');
    expect(visibleText(handle.original)).toContain('stories');
    const status = await run(guildId, 'status');
    expect(visibleText(status.original)).toContain('**stories** v1 · saved');
  });

  test('replacing an unsaved model asks first; Cancel keeps it, the red button trains', async () => {
    const guildId = freshGuild();
    await train(guildId);
    const file = t.server.addAttachment('more.txt', CORPUS_ES);
    const asked = t.server.invoke({ guildId, commandName: 'train', options: { file1: file } });
    await asked.settled();
    expect(visibleText(asked.original)).toContain('Replace the unsaved model?');
    expect(customIds(asked.original)).toEqual(['train:replace', 'train:cancel']);
    const cancelled = asked.click('train:cancel');
    await cancelled.settled();
    expect(visibleText(asked.original)).toContain('the unsaved model is kept');

    const askedAgain = t.server.invoke({ guildId, commandName: 'train', options: { file1: file } });
    await askedAgain.settled();
    askedAgain.click('train:replace');
    await askedAgain.waitFor((h) => customIds(h.original).includes('train:save'), { timeoutMs: 20_000 });
    expect(visibleText(askedAgain.original)).toContain('Learned 5 lines from 1 file');
  });

  test('append mode adds to the working model without asking', async () => {
    const guildId = freshGuild();
    await train(guildId);
    const handle = await train(guildId, { corpus: CORPUS_ES, extra: { mode: 'append' } });
    expect(visibleText(handle.original)).toContain('Added 5 lines from 1 file');
  });

  test.each([
    [
      'an unsupported type',
      () => t.server.addAttachment('photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'image/png'),
      'is not a text file I can read',
    ],
    [
      'an oversize attachment',
      () => t.server.addAttachment('big.txt', 'word '.repeat(20_000)),
      'each file may be at most 64 KB',
    ],
    [
      'a binary file',
      () =>
        t.server.addAttachment(
          'data.txt',
          Buffer.from(Array.from({ length: 400 }, (_, i) => (i * 37) % 256)),
          'text/plain',
        ),
      'looks like a binary file',
    ],
    ['an empty file', () => t.server.addAttachment('empty.txt', '   \n\n'), 'has no text in it'],
  ])('refuses %s with an ephemeral error that says what to do', async (_label, makeFile, expected) => {
    const guildId = freshGuild();
    const handle = t.server.invoke({ guildId, commandName: 'train', options: { file1: makeFile() } });
    await handle.waitFor((h) => h.messages.some((message) => isEphemeral(message)), { timeoutMs: 10_000 });
    const ephemeral = handle.messages.filter((message) => isEphemeral(message));
    expect(ephemeral).toHaveLength(1);
    expect(visibleText(ephemeral[0])).toContain(expected);
    expect(handle.messages.filter((message) => !isEphemeral(message))).toHaveLength(0);
    expect(handle.events[0].elapsedMs).toBeLessThan(3000);
  });

  test('refuses a second training while one runs, and the 3-second rule holds for every command meanwhile', async () => {
    const guildId = freshGuild();
    const other = freshGuild();
    await trainAndSave(other, ['busy-check']);
    const slow = t.server.delay(/\/attachments\//, 1500, { times: 1 });
    const file = t.server.addAttachment('slow.txt', CORPUS_EN);
    const running = t.server.invoke({ guildId, commandName: 'train', options: { file1: file } });
    await running.firstResponse();

    const second = t.server.invoke({
      guildId,
      commandName: 'train',
      options: { file1: t.server.addAttachment('b.txt', CORPUS_EN) },
    });
    await second.settled();
    expect(isEphemeral(second.original)).toBe(true);
    expect(visibleText(second.original)).toContain('A training is already running on this server');

    const status = await run(guildId, 'status');
    expect(visibleText(status.original)).toMatch(/Training\n[▰▱]{12} \d+% · downloading files/);

    const handles = [
      t.server.invoke({ guildId: other, commandName: 'generate', options: { prompt: 'the cat' }, user: freshUser() }),
      t.server.invoke({ guildId: other, commandName: 'status' }),
      t.server.invoke({ guildId: other, commandName: 'models' }),
      t.server.invoke({ guildId: other, commandName: 'load', options: { name: 'busy-check' } }),
      t.server.invoke({ guildId: other, commandName: 'save', options: { name: 'busy-check-2' } }),
      t.server.invoke({ guildId: other, commandName: 'delete', options: { name: 'busy-check-2' } }),
      t.server.autocomplete({ guildId: other, commandName: 'load', options: { name: 'bu' }, focused: 'name' }),
    ];
    for (const handle of handles) {
      const first = await handle.firstResponse();
      expect(first.elapsedMs).toBeLessThan(3000);
    }
    await running.waitFor((h) => customIds(h.original).includes('train:save'), { timeoutMs: 20_000 });
    slow.remove();
  });
});

describe('/save, /load and autocomplete', () => {
  test('/save answers with name, version, file and size; a second save of the name is version 2', async () => {
    const guildId = freshGuild();
    await train(guildId);
    const first = await run(guildId, 'save', { name: 'Cuentos' });
    const text = visibleText(first.original);
    expect(text).toContain('Model saved');
    expect(text).toMatch(/Version\n1/);
    expect(text).toMatch(/File\nCuentos\\_\d{8}\\_\d{6}\.ulm/);
    expect(text).toMatch(/Size\n[\d.]+ KB/);
    const second = await run(guildId, 'save', { name: 'cuentos' }, { locale: 'es-419' });
    expect(visibleText(second.original)).toMatch(/Modelo guardado[\s\S]*Versión\n2/);
  });

  test('/save without a trained model, with an invalid name, and over the quota', async () => {
    const guildId = freshGuild();
    const none = await run(guildId, 'save', { name: 'x' });
    expect(isEphemeral(none.original)).toBe(true);
    expect(visibleText(none.original)).toBe('There is no trained model to save. Train one first with `/train`.');
    await train(guildId);
    const invalid = await run(guildId, 'save', { name: 'a/b' }, { locale: 'es-ES' });
    expect(visibleText(invalid.original)).toContain('no puede ser el nombre de un modelo');
    for (let index = 0; index < 12; index++) await run(guildId, 'save', { name: `m${index}` });
    const over = await run(guildId, 'save', { name: 'one-too-many' });
    expect(isEphemeral(over.original)).toBe(true);
    expect(visibleText(over.original)).toContain(
      'already has 12 saved versions, the most allowed (every version of a model counts): m0 1 version, m1 1 version, m10 1 version, m11 1 version, m2 1 version and 7 more models.',
    );
    expect(visibleText(over.original)).toContain('Delete old versions with `/delete name:… version:…`');
  });

  test('autocomplete lists the guild’s models (≤ 25, name · version · date · size) and never another guild’s', async () => {
    const guildA = freshGuild();
    const guildB = freshGuild();
    await trainAndSave(guildA, ['alpha', 'alphabet', 'beta']);
    const choices = t.server.autocomplete({
      guildId: guildA,
      commandName: 'load',
      options: { name: 'alp' },
      focused: 'name',
    });
    await choices.settled();
    expect(choices.choices?.map((choice) => choice.value)).toEqual(['alpha', 'alphabet']);
    expect(String(choices.choices?.[0].name)).toMatch(/^alpha · v1 · \d{4}-\d{2}-\d{2} · [\d.]+ KB$/);

    const fromB = t.server.autocomplete({
      guildId: guildB,
      commandName: 'delete',
      options: { name: '' },
      focused: 'name',
    });
    await fromB.settled();
    expect(fromB.choices).toEqual([]);
    const loadInB = await run(guildB, 'load', { name: 'alpha' });
    expect(visibleText(loadInB.original)).toContain('This server has no model called **alpha**');
    const modelsInB = await run(guildB, 'models');
    expect(visibleText(modelsInB.original)).toContain('This server has no saved models yet');
    const statusInB = await run(guildB, 'status');
    expect(visibleText(statusInB.original)).not.toContain('alpha');
  });

  test('/load makes a saved model active and shows its statistics; an unknown name suggests close ones', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, ['quijote']);
    const loaded = await run(guildId, 'load', { name: 'QUIJOTE' });
    expect(visibleText(loaded.original)).toContain('Loaded quijote v1');
    expect(visibleText(loaded.original)).toContain('Patterns');
    const missing = await run(guildId, 'load', { name: 'quijot' });
    expect(isEphemeral(missing.original)).toBe(true);
    expect(visibleText(missing.original)).toBe(
      'This server has no model called **quijot**. Did you mean **quijote**? `/models` lists the saved ones.',
    );
    const spanish = await run(guildId, 'load', { name: 'nada' }, { locale: 'es-ES' });
    expect(visibleText(spanish.original)).toContain('Este servidor no tiene ningún modelo llamado **nada**');
  });
});

describe('/models', () => {
  test('pages 10 at a time, selects, loads and deletes with confirmation', async () => {
    const guildId = freshGuild();
    await trainAndSave(
      guildId,
      Array.from({ length: 11 }, (_, index) => `model-${String(index).padStart(2, '0')}`),
    );
    const handle = await run(guildId, 'models');
    const page = () => handle.original!;
    expect((page().embeds[0] as { fields: unknown[] }).fields).toHaveLength(10);
    expect(visibleText(page())).toContain('Page 1 of 2 · 11 models');
    expect(visibleText(page())).not.toContain('✅ active');
    expect(customIds(page())).toEqual([
      'models:previous',
      'models:next',
      'models:pick',
      'models:load',
      'models:delete',
    ]);

    await handle.click('models:next').settled();
    expect(visibleText(page())).toContain('Page 2 of 2');
    expect(visibleText(page())).toContain('model-10 — ✅ active');
    expect((page().embeds[0] as { fields: { name: string }[] }).fields.map((field) => field.name)[0]).toContain(
      'model-10',
    );

    await handle.click('models:previous').settled();
    await handle.select('models:pick', ['model-03']).settled();
    expect(visibleText(page())).toContain('Selected: **model-03**');
    await handle.click('models:load').settled();
    expect(page().content).toBe('Loaded **model-03** v1.');
    const status = await run(guildId, 'status');
    expect(visibleText(status.original)).toContain('**model-03** v1 · saved');

    await handle.select('models:pick', ['model-05']).settled();
    await handle.click('models:delete').settled();
    expect(customIds(page())).toContain('models:confirm-delete');
    await handle.click('models:confirm-delete').settled();
    expect(page().content).toBe('Deleted **model-05**.');
    expect(visibleText(page())).toContain('10 models');

    expect(customIds(page())).toEqual(['models:pick', 'models:load', 'models:delete']);
    const stranger = handle.select('models:pick', ['model-01'], { user: freshUser() });
    await stranger.settled();
    expect(isEphemeral(stranger.original)).toBe(true);
    expect(visibleText(stranger.original)).toContain('Only the person who ran the command');
  });

  test('without Manage Server the list has no Load/Delete buttons', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, ['shared']);
    const handle = t.server.invoke({ guildId, commandName: 'models', memberPermissions: 0n });
    await handle.settled();
    expect(customIds(handle.original)).toEqual(['models:pick']);
    expect(visibleText(handle.original)).toContain('Loading and deleting need the Manage Server permission.');
  });
});

describe('/delete', () => {
  test('asks ephemerally with a red Delete and a grey Cancel; Delete deletes', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, ['old', 'keep']);
    const handle = await run(guildId, 'delete', { name: 'old' });
    expect(isEphemeral(handle.original)).toBe(true);
    const row = handle.original!.components[0] as { components: { custom_id: string; style: number }[] };
    expect(row.components.map((button) => [button.custom_id, button.style])).toEqual([
      ['delete:confirm', 4],
      ['delete:cancel', 2],
    ]);
    await handle.click('delete:confirm').settled();
    expect(handle.original!.content).toBe('Deleted **old** (1 version).');
    expect(customIds(handle.original)).toEqual([]);
    const list = await run(guildId, 'models');
    expect(visibleText(list.original)).not.toContain('old');
  });

  test('Cancel deletes nothing; another user cannot press; the question expires', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, ['precious']);
    const cancelled = await run(guildId, 'delete', { name: 'precious' });
    const stranger = cancelled.click('delete:confirm', { user: freshUser() });
    await stranger.settled();
    expect(visibleText(stranger.original)).toContain('Only the person who ran the command can use these buttons');
    await cancelled.click('delete:cancel').settled();
    expect(cancelled.original!.content).toBe('Nothing was deleted.');

    const expiring = await run(guildId, 'delete', { name: 'precious' }, { locale: 'es-ES' });
    // 60 s, scaled down for tests (see harness.ts).
    await expiring.waitFor((h) => h.original?.content === 'Esta pregunta ha caducado. Vuelve a usar el comando.', {
      timeoutMs: 5_000,
    });
    expect(customIds(expiring.original)).toEqual([]);
    const list = await run(guildId, 'models');
    expect(visibleText(list.original)).toContain('precious');
  });

  test('an unknown name is refused before asking', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, ['stories']);
    const handle = await run(guildId, 'delete', { name: 'storie' });
    expect(isEphemeral(handle.original)).toBe(true);
    expect(visibleText(handle.original)).toContain('Did you mean **stories**?');
  });
});

describe('/generate', () => {
  test('answers with text and a footer; never pings; Spanish footer for Spanish users', async () => {
    const guildId = freshGuild();
    await train(guildId, { corpus: `${CORPUS_EN}\n@everyone look at <@123456789012345678> the cat\n**bold** the cat` });
    const handle = await run(
      guildId,
      'generate',
      { prompt: 'the cat', seed: 3, max_length: 30 },
      { user: freshUser() },
    );
    const content = handle.original!.content;
    expect(content.length).toBeLessThanOrEqual(2000);
    expect(content).toMatch(/\n-# \d+ tokens? · \d+ ms · \d+ patterns activated$/);
    expect(content.split('\n-#')[0]).not.toMatch(/(^|[^\\])\*\*/);
    const spanish = await run(
      guildId,
      'generate',
      { prompt: 'the dog', seed: 3 },
      { locale: 'es-ES', user: freshUser() },
    );
    expect(spanish.original!.content).toMatch(/patrones activados$/);
  });

  test('without a model it says to train or load one', async () => {
    const guildId = freshGuild();
    const handle = await run(guildId, 'generate', {}, { user: freshUser() });
    expect(isEphemeral(handle.original)).toBe(true);
    expect(visibleText(handle.original)).toBe(
      'No model is active on this server. Train one with `/train` or load a saved one with `/load`.',
    );
  });

  test('defers only while the model must first be read and decoded, then answers directly', async () => {
    const guildId = freshGuild();
    await train(guildId);
    // A trained model is decoded on its first use: acknowledged at once, answered by an edit.
    const cold = await run(guildId, 'generate', { prompt: 'the cat', seed: 1 }, { user: freshUser() });
    expect(cold.events[0]).toMatchObject({ kind: 'callback', callbackType: 5 });
    expect(cold.original!.content).toMatch(/\n-# \d+ tokens? · \d+ ms · \d+ patterns activated$/);
    expect(isEphemeral(cold.original)).toBe(false);
    // In memory now: one direct reply, no deferral.
    const warm = await run(guildId, 'generate', { prompt: 'the cat', seed: 1 }, { user: freshUser() });
    expect(warm.events[0]).toMatchObject({ kind: 'callback', callbackType: 4 });
    expect(warm.original!.content.split('\n-# ')[0]).toBe(cold.original!.content.split('\n-# ')[0]);
  });

  test('a per-user cooldown answers with the time left', async () => {
    const guildId = freshGuild();
    await train(guildId);
    const user = freshUser();
    await run(guildId, 'generate', { seed: 1 }, { user });
    const again = await run(guildId, 'generate', { seed: 1 }, { user });
    expect(isEphemeral(again.original)).toBe(true);
    expect(visibleText(again.original)).toMatch(/^Slow down a little: you can use this command again in \d\.\d s\.$/);
    const someoneElse = await run(guildId, 'generate', { seed: 1 }, { user: freshUser() });
    expect(isEphemeral(someoneElse.original)).toBe(false);
  });
});

describe('/status', () => {
  test('with no model: none, usage against quotas, version and uptime', async () => {
    const guildId = freshGuild();
    const handle = await run(guildId, 'status', {}, { locale: 'es-ES' });
    const text = visibleText(handle.original);
    expect(text).toContain('Ninguno. Entrena uno con `/entrenar` o carga uno con `/cargar`.');
    expect(text).toContain('0 de 12 modelos · 0 B de 100 MB');
    expect(text).toMatch(/Versión\n0\.\d+\.\d+/);
    expect(text).toContain('Tiempo en marcha');
  });

  test('an unexpected failure shows a reference id, never a stack trace', async () => {
    const guildId = freshGuild();
    const original = t.bot.manager.status.bind(t.bot.manager);
    t.bot.manager.status = () => {
      throw new Error('disk on fire');
    };
    try {
      const handle = await run(guildId, 'status');
      const text = visibleText(handle.original);
      expect(isEphemeral(handle.original)).toBe(true);
      expect(text).toMatch(
        /^Something went wrong on our side\. If it happens again, tell the bot’s operator this reference: `[0-9a-f]{10}`\.$/,
      );
      expect(text).not.toContain('disk on fire');
    } finally {
      t.bot.manager.status = original;
    }
  });
});

describe('memory of a long-running bot', () => {
  test('users, members and messages met through commands are not cached: only guilds and the bot itself', async () => {
    const guildId = freshGuild();
    const users = Array.from({ length: 30 }, freshUser);
    for (const user of users) {
      const handle = await run(guildId, 'status', {}, { user });
      expect(visibleText(handle.original)).toContain('Uptime');
    }
    const client = t.bot.client;
    for (const user of users) expect(client.users.cache.has(user.id)).toBe(false);
    expect([...client.users.cache.keys()].filter((id) => id !== client.user?.id)).toEqual([]);
    for (const guild of client.guilds.cache.values()) {
      expect([...guild.members.cache.keys()].filter((id) => id !== client.user?.id)).toEqual([]);
    }
    for (const channel of client.channels.cache.values()) {
      if ('messages' in channel) expect(channel.messages.cache.size).toBe(0);
    }
    expect(client.guilds.cache.size).toBe(t.server.guilds.length);
  });
});

describe('every message', () => {
  test('carries allowed_mentions with nothing to parse, and Discord refused nothing', async () => {
    // Messages of its own (a training, its progress and result, generations, lists, status), so the
    // test stands alone; run after the others it checks theirs too.
    const guildId = freshGuild();
    await trainAndSave(guildId, ['mentions']);
    for (let i = 0; i < 15; i++) {
      await run(guildId, 'generate', { seed: i });
      await run(guildId, 'status');
      await run(guildId, 'models');
    }
    const requests = messageRequests(t.server);
    expect(requests.length).toBeGreaterThan(50);
    for (const request of requests)
      expect(mentionsOf(request), `${request.method} ${request.path}`).toEqual({ parse: [] });
    expect(t.server.violations).toEqual([]);
  });

  test('commands are registered globally with en-US, es-ES and es-419 names, guild-only, Manage Server where it matters', () => {
    const commands = t.server.commands();
    expect(commands.map((command) => command.name).sort()).toEqual(ALL_COMMANDS);
    for (const command of commands) {
      const json = command as unknown as {
        name_localizations: Record<string, string>;
        contexts: number[];
        default_member_permissions: string | null;
        name: string;
      };
      expect(Object.keys(json.name_localizations)).toEqual(expect.arrayContaining(['en-US', 'es-ES', 'es-419']));
      expect(json.contexts).toEqual([0]);
      const managed = ['train', 'save', 'load', 'delete', 'export', 'import', 'listen', 'reply'].includes(json.name);
      expect(json.default_member_permissions).toBe(managed ? '32' : null);
    }
  });
});

describe('replacing an unsaved model by loading, and saving a replaced training (issue 19)', () => {
  test('/load with an unsaved model asks first; Cancel keeps it, the red button loads', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, ['kept']);
    // The first training was saved, so this one asks nothing; its result is the unsaved draft.
    await train(guildId);
    const asked = t.server.invoke({
      guildId,
      commandName: 'load',
      options: { name: 'kept' },
      memberPermissions: SERVER_MANAGER,
    });
    await asked.settled();
    expect(visibleText(asked.original)).toContain('Replace the unsaved model?');
    expect(customIds(asked.original)).toEqual(['load:replace', 'load:cancel']);
    await asked.click('load:cancel').settled();
    expect(visibleText(asked.original)).toContain('Nothing loaded; the unsaved model is kept.');
    expect(visibleText((await run(guildId, 'status')).original)).toContain('not saved');

    const spanish = t.server.invoke({
      guildId,
      commandName: 'load',
      options: { name: 'kept' },
      memberPermissions: SERVER_MANAGER,
      locale: 'es-ES',
    });
    await spanish.settled();
    expect(visibleText(spanish.original)).toContain('¿Reemplazar el modelo sin guardar?');
    await spanish.click('load:replace').settled();
    expect(visibleText(spanish.original)).toContain('kept v1');
    expect(visibleText((await run(guildId, 'status')).original)).toContain('**kept** v1 · saved');
  });

  test('the Load button of /models asks first when the server has an unsaved model', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, ['one']);
    await train(guildId);
    const handle = await run(guildId, 'models');
    await handle.select('models:pick', ['one']).settled();
    await handle.click('models:load').settled();
    expect(handle.original!.content).toBe('Replace the unsaved model?');
    expect(customIds(handle.original)).toEqual(['models:pick', 'models:confirm-load', 'models:cancel-load']);
    await handle.click('models:cancel-load').settled();
    expect(visibleText((await run(guildId, 'status')).original)).toContain('not saved');
    await handle.click('models:load').settled();
    await handle.click('models:confirm-load').settled();
    expect(handle.original!.content).toBe('Loaded **one** v1.');
  });

  test('the Save button of a training that another training replaced refuses and names who replaced it', async () => {
    const guildId = freshGuild();
    const first = await train(guildId);
    const file = t.server.addAttachment('more.txt', CORPUS_ES);
    const second = t.server.invoke({
      guildId,
      commandName: 'train',
      options: { file1: file },
      user: { id: '400000000000000009', username: 'Zoe' },
    });
    await second.settled();
    second.click('train:replace', { user: { id: '400000000000000009', username: 'Zoe' } });
    await second.waitFor((h) => customIds(h.original).includes('train:save'), { timeoutMs: 20_000 });
    const press = first.click('train:save');
    await press.firstResponse();
    const submitted = press.submitModal({ name: 'stale' });
    await submitted.settled();
    expect(isEphemeral(submitted.original)).toBe(true);
    expect(visibleText(submitted.original)).toContain('no longer the one trained here');
    expect(visibleText(submitted.original)).toContain('Zoe');
    expect(visibleText((await run(guildId, 'models')).original)).toContain('has no saved models yet');
  });
});
