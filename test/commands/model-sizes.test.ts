// Issue 16: /status and /models show both sizes of a model, its file and its image, in English and
// Spanish ("File … · Image …": "Model file" is the name of /status's warning for a missing or
// damaged file, which a healthy status must not show), and say when the image is not built yet (it is built on load).
import { describe, expect, it } from 'vitest';
import * as models from '../../commands/models.js';
import * as status from '../../commands/status.js';
import { translator, type Locale } from '../../src/i18n/index.js';
import { train, type ModelStats } from '../../src/lm/index.js';
import type { GuildStatus, ModelManagerApi, SavedModelInfo } from '../../src/manager/types.js';
import { context, GUILD, USER } from './fake-context.js';

const TRAINED: ModelStats = train(['the cat sat on the mat', 'the dog sat on the rug'], {
  maxPatternLength: 2,
  embeddingDim: 0,
}).stats;
const WITH_IMAGE: ModelStats = { ...TRAINED, imageBytes: 5 * 1024 * 1024 };
const WITHOUT_IMAGE: ModelStats = { ...TRAINED, imageBytes: undefined };

function saved(stats: ModelStats, bytes = 3 * 1024 * 1024 + 512 * 1024): SavedModelInfo {
  return {
    name: 'alfa',
    version: 2,
    filename: 'alfa_v2.ulm',
    bytes,
    createdAt: Date.UTC(2026, 0, 2),
    createdBy: USER,
    stats,
    available: true,
    active: true,
  };
}

function guildStatus(active: GuildStatus['active']): GuildStatus {
  return {
    guildId: GUILD,
    active,
    job: null,
    usage: { models: 1, bytes: 1000 },
    limits: { maxModels: 10, maxBytes: 1e8, maxTrainingBytes: 1e7, maxAttachmentBytes: 8e6, maxFiles: 5 },
  };
}

function localized(locale: Locale) {
  return { locale, t: translator(locale) };
}

async function statusFields(active: GuildStatus['active'], locale: Locale) {
  const manager: Partial<ModelManagerApi> = {
    status: () => guildStatus(active),
    activeFileHealth: async () => 'ok' as const,
  };
  const { ctx, log } = context(manager, {}, [], localized(locale));
  await status.execute(ctx);
  return log[0].reply!.embeds![0].fields!;
}

describe('/status shows the model file and its image', () => {
  it('a saved model: both sizes in one field, in English and in Spanish, and no single Memory figure', async () => {
    const en = await statusFields({ kind: 'saved', saved: true, model: saved(WITH_IMAGE) }, 'en');
    expect(en.find((field) => field.name === 'Size')?.value).toBe('File 3.5 MB · Image 5 MB');
    expect(en.some((field) => field.name === 'Memory')).toBe(false);
    const es = await statusFields({ kind: 'saved', saved: true, model: saved(WITH_IMAGE) }, 'es');
    expect(es.find((field) => field.name === 'Tamaño')?.value).toBe('Archivo 3,5 MB · Imagen 5 MB');
    expect(es.some((field) => field.name === 'Memoria')).toBe(false);
  });

  it('an unsaved trained model: the draft file size beside its image', async () => {
    const active: GuildStatus['active'] = {
      kind: 'working',
      saved: false,
      stats: { ...TRAINED, imageBytes: 2048 },
      trainedAt: 1_000,
      trainedBy: USER,
      fileBytes: 700,
    };
    expect((await statusFields(active, 'en')).find((field) => field.name === 'Size')?.value).toBe(
      'File 700 B · Image 2 KB',
    );
    expect((await statusFields(active, 'es')).find((field) => field.name === 'Tamaño')?.value).toBe(
      'Archivo 700 B · Imagen 2 KB',
    );
  });

  it('a model saved before images says its image is built on load', async () => {
    const active: GuildStatus['active'] = { kind: 'saved', saved: true, model: saved(WITHOUT_IMAGE) };
    expect((await statusFields(active, 'en')).find((field) => field.name === 'Size')?.value).toBe(
      'File 3.5 MB · Image not built yet (built on load)',
    );
    expect((await statusFields(active, 'es')).find((field) => field.name === 'Tamaño')?.value).toBe(
      'Archivo 3,5 MB · Imagen aún sin crear (se crea al cargarlo)',
    );
  });
});

async function modelsPage(stats: ModelStats, locale: Locale) {
  const manager = {
    list: () => [{ name: 'alfa', versions: [saved(stats)] }],
    status: () => ({ limits: { maxVersionsPerModel: 5 } }),
  } as unknown as Partial<ModelManagerApi>;
  const { ctx, log } = context(manager, {}, [null], localized(locale));
  await models.execute(ctx);
  const reply = log[0].reply!;
  const select = reply.components!.flat().find((component) => component.kind === 'select');
  if (select?.kind !== 'select') throw new Error('no select menu');
  return { entry: reply.embeds![0].fields![0].value, pick: select.options[0].description };
}

describe('/models shows the model file and its image', () => {
  it('in the list entry and in the pick menu, in English and in Spanish', async () => {
    const en = await modelsPage(WITH_IMAGE, 'en');
    expect(en.entry.split('\n')[1]).toBe('21 patterns · 0 embeddings · File 3.5 MB · Image 5 MB');
    expect(en.pick).toBe('v2 · File 3.5 MB · Image 5 MB · 2026-01-02');
    const es = await modelsPage(WITH_IMAGE, 'es');
    expect(es.entry.split('\n')[1]).toBe('21 patrones · 0 vectores · Archivo 3,5 MB · Imagen 5 MB');
    expect(es.pick).toBe('v2 · Archivo 3,5 MB · Imagen 5 MB · 2026-01-02');
  });

  it('says the image is built on load when it is not built yet, and the pick description stays within 100 characters', async () => {
    const en = await modelsPage(WITHOUT_IMAGE, 'en');
    expect(en.entry).toContain('File 3.5 MB · Image not built yet (built on load)');
    expect(en.pick).toBe('v2 · File 3.5 MB · Image not built yet (built on load) · 2026-01-02');
    const es = await modelsPage(WITHOUT_IMAGE, 'es');
    expect(es.entry).toContain('Archivo 3,5 MB · Imagen aún sin crear (se crea al cargarlo)');
    expect(es.pick).toBe('v2 · Archivo 3,5 MB · Imagen aún sin crear (se crea al cargarlo) · 2026-01-02');
    expect(es.pick!.length).toBeLessThanOrEqual(100);
  });
});
