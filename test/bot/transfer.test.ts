// Issue 17 end to end: /export, /import and /compare through the real bot and the local Discord
// server (attachments out and in, autocomplete, permissions, localization, limits).
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
} from './harness.js';

let t: TestBot;
let nextGuild = 0;
const freshGuild = () => t.server.guilds[nextGuild++].id;
const SERVER_MANAGER = (1n << 5n) | (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 31n);

beforeAll(async () => {
  t = await startTestBot({
    serverOptions: { guilds: 24 },
    env: { MAX_VERSIONS_PER_MODEL: '2', MAX_ATTACHMENT_BYTES: '64KB', MAX_TRAINING_BYTES: '256KB' },
  });
});

afterAll(async () => {
  await t?.close();
});

async function run(
  guildId: string,
  commandName: string,
  options: Record<string, unknown> = {},
  extra: { locale?: string } = {},
) {
  const handle = t.server.invoke({
    guildId,
    commandName,
    options: options as never,
    memberPermissions: SERVER_MANAGER,
    ...extra,
  });
  await handle.settled();
  return handle;
}

async function trainAndSave(guildId: string, name: string, corpus = CORPUS_EN): Promise<void> {
  const file = t.server.addAttachment('corpus.txt', corpus);
  const training = t.server.invoke({ guildId, commandName: 'train', options: { file1: file, validation: 0.2 } });
  await training.waitFor((h) => customIds(h.original).includes('train:save'), { timeoutMs: 20_000 });
  expect(visibleText((await run(guildId, 'save', { name })).original)).toContain('Model saved');
}

describe('/export', () => {
  test('sends the model file as <name>_v<version>.ulm, privately', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, 'alfa');
    const handle = await run(guildId, 'export', { name: 'alfa' });
    const message = handle.messages.find((m) => m.files.length > 0)!;
    expect(message.files.map((file) => file.filename)).toEqual(['alfa_v1.ulm']);
    expect(message.files[0].bytes.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x55, 0x4c, 0x4d]));
    expect(isEphemeral(message)).toBe(true);
    expect(visibleText(message)).toContain('Export of alfa v1');
  });

  test('refuses, in Spanish, a file larger than the server lets the bot upload', async () => {
    const small = await startTestBot({ serverOptions: { guilds: 1, attachmentSizeLimit: 200 } });
    try {
      const guildId = small.server.guilds[0].id;
      const file = small.server.addAttachment('corpus.txt', CORPUS_ES);
      const training = small.server.invoke({ guildId, commandName: 'train', options: { file1: file } });
      await training.waitFor((h) => customIds(h.original).includes('train:save'), { timeoutMs: 20_000 });
      const saved = small.server.invoke({
        guildId,
        commandName: 'save',
        options: { name: 'grande' },
        memberPermissions: SERVER_MANAGER,
      });
      await saved.settled();
      const handle = small.server.invoke({
        guildId,
        commandName: 'export',
        options: { name: 'grande' },
        memberPermissions: SERVER_MANAGER,
        locale: 'es-ES',
      });
      await handle.settled();
      expect(handle.messages.every((m) => m.files.length === 0)).toBe(true);
      expect(handle.messages.map((m) => visibleText(m)).join('\n')).toMatch(
        /más de los 200 B que este servidor deja subir al bot/,
      );
      expect(small.server.violations).toEqual([]);
    } finally {
      await small.close();
    }
  });

  test('autocompletes the guild’s names only', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, 'zeta');
    const choices = t.server.autocomplete({ guildId, commandName: 'export', options: { name: 'ze' }, focused: 'name' });
    await choices.settled();
    expect(choices.choices?.map((choice) => choice.value)).toEqual(['zeta']);
    const elsewhere = t.server.autocomplete({
      guildId: freshGuild(),
      commandName: 'export',
      options: { name: 'ze' },
      focused: 'name',
    });
    await elsewhere.settled();
    expect(elsewhere.choices).toEqual([]);
  });
});

describe('/import', () => {
  test('an exported file uploaded to another server becomes a model there, under a new name', async () => {
    const from = freshGuild();
    const to = freshGuild();
    await trainAndSave(from, 'alfa');
    const exported = (await run(from, 'export', { name: 'alfa' })).messages.find((m) => m.files.length > 0)!.files[0];
    const upload = t.server.addAttachment(exported.filename, exported.bytes, 'application/octet-stream');
    const imported = await run(to, 'import', { file: upload, name: 'gamma' });
    expect(visibleText(imported.original)).toContain('Stored as **gamma** v1');
    const loaded = await run(to, 'load', { name: 'gamma' });
    expect(visibleText(loaded.original)).toContain('Loaded gamma v1');
    const generated = await run(to, 'generate', { prompt: 'the cat', seed: 3 });
    expect(generated.original?.content.length).toBeGreaterThan(0);
  });

  test('without a name it takes the name in the file name; a second import is the next version', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, 'beta');
    const exported = (await run(guildId, 'export', { name: 'beta' })).messages.find((m) => m.files.length > 0)!
      .files[0];
    const imported = await run(guildId, 'import', {
      file: t.server.addAttachment(exported.filename, exported.bytes, 'application/octet-stream'),
    });
    expect(visibleText(imported.original)).toContain('Stored as **beta** v2');
  });

  test('a random 5 KB file is refused with the damaged-file message, in Spanish too, and nothing is stored', async () => {
    const guildId = freshGuild();
    const junk = t.server.addAttachment('junk.ulm', randomBytes(5 * 1024), 'application/octet-stream');
    const refused = await run(guildId, 'import', { file: junk });
    expect(isEphemeral(refused.original)).toBe(true);
    expect(visibleText(refused.original)).toContain('**junk.ulm** is not a valid model file');
    const spanish = await run(guildId, 'import', { file: junk }, { locale: 'es-419' });
    expect(visibleText(spanish.original)).toContain('no es un archivo de modelo válido');
    const models = await run(guildId, 'models');
    expect(visibleText(models.original)).toContain('no saved models');
  });

  test('a file over MAX_ATTACHMENT_BYTES is refused before it is read', async () => {
    const guildId = freshGuild();
    const big = t.server.addAttachment('big_v1.ulm', Buffer.alloc(65 * 1024, 1), 'application/octet-stream');
    const refused = await run(guildId, 'import', { file: big });
    expect(visibleText(refused.original)).toContain('each file may be at most 64 KB');
  });
});

describe('/compare', () => {
  test('one embed: both models’ statistics, a generation each, held-out perplexity with the better marked', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, 'alfa', CORPUS_EN);
    await trainAndSave(guildId, 'beta', CORPUS_ES);
    const handle = await run(guildId, 'compare', { first: 'alfa', second: 'beta', prompt: 'the' });
    const embed = handle.original!.embeds[0] as {
      title: string;
      fields: { name: string; value: string }[];
      footer: { text: string };
    };
    expect(embed.title).toBe('alfa v1 vs beta v1');
    expect(embed.fields.map((field) => field.name)).toEqual([
      'alfa v1',
      'beta v1',
      'Generation by alfa v1',
      'Generation by beta v1',
      'Held-out perplexity (from /train validation)',
    ]);
    expect(embed.fields[0].value).toMatch(/patterns · max length 3|patterns · max length 5/);
    expect(embed.fields[4].value.match(/✅ better/g)).toHaveLength(1);
    expect(embed.footer.text).toMatch(/same prompt and seed \(\d+\)/);
    // Nothing became active: beta (saved last) still is.
    expect(visibleText((await run(guildId, 'status')).original)).toContain('**beta** v1 · saved');
  });

  test('with a file: perplexity, unknown words and bits per character of each, the better marked; in Spanish', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, 'alfa', CORPUS_EN);
    await trainAndSave(guildId, 'beta', CORPUS_ES);
    const text = t.server.addAttachment('test.txt', CORPUS_EN);
    const handle = await run(guildId, 'compare', { first: 'alfa', second: 'beta', file: text }, { locale: 'es-ES' });
    const embed = handle.original!.embeds[0] as { title: string; fields: { name: string; value: string }[] };
    expect(embed.title).toBe('alfa v1 frente a beta v1');
    const score = embed.fields.find((field) => field.name === 'Sobre test.txt')!;
    expect(score.value).toMatch(
      /^alfa v1: perplejidad [\d,]+ · palabras desconocidas [\d,]+ % · [\d,]+ bits por carácter ✅ mejor\nbeta v1: /,
    );
  });

  test('`name v2` picks a version; autocomplete offers both forms on both options, never another guild’s', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, 'alfa');
    expect(visibleText((await run(guildId, 'save', { name: 'alfa' })).original)).toContain('Model saved');
    const handle = await run(guildId, 'compare', { first: 'alfa v1', second: 'alfa' });
    expect((handle.original!.embeds[0] as { title: string }).title).toBe('alfa v1 vs alfa v2');
    for (const focused of ['first', 'second']) {
      const choices = t.server.autocomplete({ guildId, commandName: 'compare', options: { [focused]: 'al' }, focused });
      await choices.settled();
      expect(choices.choices?.map((choice) => choice.value)).toEqual(['alfa', 'alfa v1']);
    }
    const elsewhere = t.server.autocomplete({
      guildId: freshGuild(),
      commandName: 'compare',
      options: { first: 'al' },
      focused: 'first',
    });
    await elsewhere.settled();
    expect(elsewhere.choices).toEqual([]);
  });

  test('an unknown model is a private, clear error', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, 'alfa');
    const handle = await run(guildId, 'compare', { first: 'alfa', second: 'nada' });
    expect(visibleText(handle.messages[handle.messages.length - 1])).toContain('no model called **nada**');
  });
});

describe('/status and the active model’s file', () => {
  test('warns when the file is missing or damaged instead of showing it as fine (English and Spanish)', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, 'eta');
    const status = await run(guildId, 'status');
    expect(visibleText(status.original)).not.toContain('Model file');
    const dir = join(t.dir, 'models', guildId);
    const file = readdirSync(dir).find((name) => name.startsWith('eta_'))!;
    writeFileSync(join(dir, file), 'not the model');
    expect(visibleText((await run(guildId, 'status')).original)).toContain('The active model’s file is damaged');
    rmSync(join(dir, file));
    expect(visibleText((await run(guildId, 'status')).original)).toContain('The active model’s file is missing');
    expect(visibleText((await run(guildId, 'status', {}, { locale: 'es-ES' })).original)).toContain(
      'Falta el archivo del modelo activo',
    );
  });
});

describe('retention and registration', () => {
  test('MAX_VERSIONS_PER_MODEL: /save says which versions went, /models says how many are kept', async () => {
    const guildId = freshGuild();
    await trainAndSave(guildId, 'delta');
    await run(guildId, 'save', { name: 'delta' });
    const third = await run(guildId, 'save', { name: 'delta' });
    expect(visibleText(third.original)).toContain('Older versions removed (only the newest are kept): v1.');
    expect(visibleText((await run(guildId, 'models')).original)).toContain(
      'Only the newest 2 versions of each name are kept.',
    );
  });

  test('export and import default to Manage Server, compare to everyone; Spanish names; no pings, no rule broken', () => {
    const byName = new Map(
      t.server.commands().map((command) => [
        command.name,
        command as unknown as {
          default_member_permissions: string | null;
          name_localizations: Record<string, string>;
        },
      ]),
    );
    expect(byName.get('export')?.default_member_permissions).toBe('32');
    expect(byName.get('import')?.default_member_permissions).toBe('32');
    expect(byName.get('compare')?.default_member_permissions).toBe(null);
    expect(['compare', 'export', 'import'].map((name) => byName.get(name)?.name_localizations['es-ES'])).toEqual([
      'comparar',
      'exportar',
      'importar',
    ]);
    for (const request of messageRequests(t.server)) expect(mentionsOf(request)).toEqual({ parse: [] });
    expect(t.server.violations).toEqual([]);
  });
});
