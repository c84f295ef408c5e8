// Commands driven directly through a CommandContext, with a fake manager that answers exactly
// what each case needs: the branches of each command's reply without a model, a database or
// an adapter in between.
import { describe, expect, it } from 'vitest';
import * as compare from '../../commands/compare.js';
import * as deleteCommand from '../../commands/delete.js';
import * as generate from '../../commands/generate.js';
import * as importCommand from '../../commands/import.js';
import * as load from '../../commands/load.js';
import * as models from '../../commands/models.js';
import * as save from '../../commands/save.js';
import type { AutocompleteContext } from '../../src/commands/context.js';
import { UserError } from '../../src/errors.js';
import { translator } from '../../src/i18n/index.js';
import { train, type ModelStats } from '../../src/lm/index.js';
import type { ModelListing, ModelManagerApi, SavedModelInfo } from '../../src/manager/types.js';
import { context, GUILD, USER } from './fake-context.js';

const STATS: ModelStats = train(['the cat sat on the mat', 'the dog sat on the rug'], {
  maxPatternLength: 2,
  embeddingDim: 0,
}).stats;

function info(name: string, version: number, extra: Partial<SavedModelInfo> = {}): SavedModelInfo {
  return {
    name,
    version,
    filename: `${name}_v${version}.ulm`,
    bytes: 1000 * version,
    createdAt: Date.UTC(2026, 0, version),
    createdBy: USER,
    stats: STATS,
    available: true,
    active: false,
    ...extra,
  };
}

function generation(text: string) {
  return {
    text,
    tokens: 3,
    drawnTokens: 3,
    activatedPatterns: 4,
    activatedPerToken: 1,
    ms: 1,
    substitutions: [],
    stop: 'end' as const,
  };
}

function evaluation(perplexity: number, oov: number, words: number) {
  return {
    sentences: 1,
    words,
    oov,
    log10Prob: -3,
    perplexity,
    perplexityExcludingOov: perplexity,
    bitsPerCharacter: 2.5,
  };
}

describe('/compare through its context', () => {
  it('scores both models on the attached file, marks the better one and shows "(no text)" for an empty generation', async () => {
    let asked: unknown[] = [];
    const { ctx, log } = context(
      {
        compare: async (...args: unknown[]) => {
          asked = args;
          return {
            models: [
              { info: info('alpha', 1), generation: generation('hello there'), evaluation: evaluation(12.5, 1, 4) },
              { info: info('beta', 2), generation: generation('  '), evaluation: evaluation(30, 0, 0) },
            ],
            seed: 42,
            prompt: null,
            fileName: 'probe.txt',
            better: 0,
            measure: 'file',
          };
        },
      } as Partial<ModelManagerApi>,
      { first: 'alpha', second: 'beta v2', file: { name: 'probe.txt', size: 10, path: '/tmp/probe.txt' } },
    );
    await compare.execute(ctx);
    expect(log.map((entry) => entry.verb)).toEqual(['defer', 'reply']);
    expect(asked[1]).toEqual({ name: 'alpha', version: undefined });
    expect(asked[2]).toEqual({ name: 'beta', version: 2 });
    const embed = log[1].reply!.embeds![0];
    expect(embed.title).toBe('alpha v1 vs beta v2');
    expect(embed.footer).toContain('(42)');
    const fields = embed.fields!;
    expect(fields.map((field) => field.name)).toEqual([
      'alpha v1',
      'beta v2',
      'Generation by alpha v1',
      'Generation by beta v2',
      'On probe.txt',
    ]);
    expect(fields[2].value).toBe('hello there');
    expect(fields[3].value).toBe('(no text)');
    const [better, worse] = fields[4].value.split('\n');
    expect(better).toContain('✅ better');
    expect(better).toContain('25%');
    expect(worse).not.toContain('better');
    // No words in the file: an unknown-word rate of 0, not NaN.
    expect(worse).toContain('0%');
  });

  it('falls back to the held-out perplexity, and shows no measure when there is none', async () => {
    for (const measure of ['held-out', null] as const) {
      const { ctx, log } = context(
        {
          compare: async () => ({
            models: [
              { info: info('alpha', 1), generation: generation('a'), evaluation: null },
              { info: info('beta', 1), generation: generation('b'), evaluation: null },
            ],
            seed: 7,
            prompt: null,
            fileName: null,
            better: measure ? 1 : null,
            measure,
          }),
        } as Partial<ModelManagerApi>,
        { first: 'alpha', second: 'beta' },
      );
      await compare.execute(ctx);
      const names = log[1].reply!.embeds![0].fields!.map((field) => field.name);
      if (measure) {
        expect(names.at(-1)).toBe('Held-out perplexity (from /train validation)');
        const lines = log[1].reply!.embeds![0].fields!.at(-1)!.value.split('\n');
        expect(lines[0]).not.toContain('better');
        expect(lines[1]).toContain('✅ better');
      } else {
        expect(names).toEqual(['alpha v1', 'beta v1', 'Generation by alpha v1', 'Generation by beta v1']);
      }
    }
  });

  it('autocompletes both names, newest versions first then older ones, and nothing for another option or outside a server', async () => {
    const listings: ModelListing[] = [
      { name: 'stories', versions: [info('stories', 2), info('stories', 1)] },
      { name: 'my-stories', versions: [info('my-stories', 1)] },
      { name: 'poems', versions: [info('poems', 1)] },
    ];
    const auto = (focused: { name: string; value: string }, guildId: string | null = GUILD): AutocompleteContext => ({
      guildId,
      user: USER,
      locale: 'en',
      t: translator('en'),
      focused,
      manager: { list: () => listings } as unknown as ModelManagerApi,
    });
    const choices = await compare.autocomplete(auto({ name: 'second', value: 'STOR' }));
    expect(choices.map((choice) => choice.value)).toEqual(['stories', 'my-stories', 'stories v1']);
    expect(await compare.autocomplete(auto({ name: 'prompt', value: 'stor' }))).toEqual([]);
    expect(await compare.autocomplete(auto({ name: 'first', value: 'stor' }, null))).toEqual([]);
  });
});

describe('/load through its context', () => {
  it('loads at once when nothing unsaved would be lost', async () => {
    const { ctx, log } = context(
      { hasUnsavedWorkingModel: () => false, load: async () => info('stories', 3) } as Partial<ModelManagerApi>,
      { name: 'stories' },
    );
    await load.execute(ctx);
    expect(log.map((entry) => entry.verb)).toEqual(['reply']);
    expect(log[0].reply!.embeds![0].title).toContain('stories');
  });

  it('after "Load anyway", a load that fails answers on the question, not with a new message', async () => {
    const { ctx, log } = context(
      {
        hasUnsavedWorkingModel: () => true,
        load: async () => {
          throw new UserError('MODEL_NOT_FOUND', { name: 'stories', suggestions: [] });
        },
      } as Partial<ModelManagerApi>,
      { name: 'stories' },
      [{ customId: 'load:replace' }],
    );
    await load.execute(ctx);
    expect(log.map((entry) => entry.verb)).toEqual(['reply', 'update:load:replace']);
    expect(log[1].reply!.content).toContain('stories');
    expect(log[1].reply!.components).toEqual([]);
  });

  it('an unexpected failure after the question is not swallowed', async () => {
    const { ctx } = context(
      {
        hasUnsavedWorkingModel: () => true,
        load: async () => {
          throw new Error('disk on fire');
        },
      } as Partial<ModelManagerApi>,
      { name: 'stories' },
      [{ customId: 'load:replace' }],
    );
    await expect(load.execute(ctx)).rejects.toThrow('disk on fire');
  });
});

describe('/delete through its context', () => {
  const found = { name: 'stories', versions: [info('stories', 1, { active: true })] };

  it('says the question expired when nobody answers', async () => {
    const { ctx, log } = context({ findVersions: () => found } as Partial<ModelManagerApi>, { name: 'stories' }, [
      null,
    ]);
    await deleteCommand.execute(ctx);
    expect(log.map((entry) => entry.verb)).toEqual(['reply', 'edit']);
    expect(log[1].reply!.content).toBe('This question expired. Run the command again.');
  });

  it('Cancel deletes nothing', async () => {
    let deleted = false;
    const { ctx, log } = context(
      {
        findVersions: () => found,
        delete: async () => {
          deleted = true;
          return { deleted: [1], wasActive: true };
        },
      } as unknown as Partial<ModelManagerApi>,
      { name: 'stories' },
      [{ customId: 'delete:cancel' }],
    );
    await deleteCommand.execute(ctx);
    expect(deleted).toBe(false);
    expect(log[1].reply!.content).toBe('Nothing was deleted.');
  });

  it('a model deleted by someone else between the question and the answer is explained on the question', async () => {
    const { ctx, log } = context(
      {
        findVersions: () => found,
        delete: async () => {
          throw new UserError('MODEL_NOT_FOUND', { name: 'stories', suggestions: [] });
        },
      } as unknown as Partial<ModelManagerApi>,
      { name: 'stories' },
      [{ customId: 'delete:confirm' }],
    );
    await deleteCommand.execute(ctx);
    expect(log.map((entry) => entry.verb)).toEqual(['reply', 'update:delete:confirm']);
    expect(log[1].reply!.content).toContain('stories');
  });

  it('rethrows a failure that is not a user error', async () => {
    const { ctx } = context(
      {
        findVersions: () => found,
        delete: async () => {
          throw new Error('boom');
        },
      } as unknown as Partial<ModelManagerApi>,
      { name: 'stories' },
      [{ customId: 'delete:confirm' }],
    );
    await expect(deleteCommand.execute(ctx)).rejects.toThrow('boom');
  });
});

describe('/generate, /import and /save through their context', () => {
  it('/generate refuses during the cooldown, in tenths of a second', async () => {
    const { ctx } = context({}, {}, [], {
      bot: { version: '1', startedAt: 0, generateCooldown: { take: () => 1_234 } },
    });
    await expect(generate.execute(ctx)).rejects.toMatchObject({ code: 'COOLDOWN', params: { seconds: 1.3 } });
  });

  it('/generate names the substitutions it made and says so when the model wrote nothing', async () => {
    const { ctx, log } = context({
      generate: async () => ({ ...generation(''), substitutions: [{ from: 'gato', to: 'cat' }] }),
    } as Partial<ModelManagerApi>);
    await generate.execute(ctx);
    const content = log[0].reply!.content!;
    expect(content.startsWith('The model produced no text.')).toBe(true);
    expect(content).toContain('gato → cat');
  });

  it('/import without a file is refused before anything is acknowledged', async () => {
    const { ctx, log } = context({});
    await expect(importCommand.execute(ctx)).rejects.toMatchObject({ code: 'EMPTY_INPUT' });
    expect(log).toEqual([]);
  });

  it('/import says which older versions were removed', async () => {
    const { ctx, log } = context(
      { importModel: async () => info('stories', 6, { prunedVersions: [1] }) } as Partial<ModelManagerApi>,
      { file: { name: 'stories_v6.ulm', size: 10, path: '/tmp/x.ulm' } },
    );
    await importCommand.execute(ctx);
    expect(log.map((entry) => entry.verb)).toEqual(['defer', 'reply']);
    expect(log[1].reply!.embeds![0].description).toContain('v1');
    expect(log[1].reply!.ephemeral).toBe(true);
  });

  it('/save with no name option passes an empty name to the manager, which owns the rules', async () => {
    let asked = 'unset';
    const { ctx, log } = context({
      save: async (_guild: string, _user: unknown, name: string) => {
        asked = name;
        throw new UserError('INVALID_MODEL_NAME', { name, reason: 'empty' });
      },
    } as unknown as Partial<ModelManagerApi>);
    await expect(save.execute(ctx)).rejects.toMatchObject({ code: 'INVALID_MODEL_NAME' });
    expect(asked).toBe('');
    expect(log).toEqual([]);
  });
});

describe('/models through its context', () => {
  const many = (count: number): ModelListing[] =>
    Array.from({ length: count }, (_, i) => ({
      name: `m${String(i).padStart(2, '0')}`,
      versions: [info(`m${String(i).padStart(2, '0')}`, 1)],
    }));

  it('pages forward and back, and stops at both ends', async () => {
    const listings = many(12);
    const { ctx, log } = context(
      {
        list: () => listings,
        status: () => ({ limits: { maxVersionsPerModel: 5 } }),
      } as unknown as Partial<ModelManagerApi>,
      {},
      [
        { customId: 'models:previous' },
        { customId: 'models:next' },
        { customId: 'models:next' },
        { customId: 'models:previous' },
        null,
      ],
    );
    await models.execute(ctx);
    const pages = log.filter((entry) => entry.verb !== 'edit').map((entry) => entry.reply!.embeds![0].fields!.length);
    expect(pages).toEqual([10, 10, 2, 2, 10]);
    expect(log.at(-1)).toEqual({ verb: 'edit', reply: { components: [] } });
  });

  it('without Manage Server shows no Load/Delete row and ignores those presses', async () => {
    let touched = false;
    const listings = many(2);
    const { ctx, log } = context(
      {
        list: () => listings,
        status: () => ({ limits: {} }),
        load: async () => {
          touched = true;
          return info('m00', 1);
        },
        delete: async () => {
          touched = true;
          return { deleted: [1], wasActive: false };
        },
      } as unknown as Partial<ModelManagerApi>,
      {},
      [
        { customId: 'models:pick', values: ['m00'] },
        { customId: 'models:load' },
        { customId: 'models:delete' },
        { customId: 'models:confirm-delete' },
        null,
      ],
      { canManageGuild: false },
    );
    await models.execute(ctx);
    expect(touched).toBe(false);
    const first = log[0].reply!;
    expect(first.components!.length).toBe(1);
    expect(first.embeds![0].description).toContain('Manage Server');
  });

  it('Load on a server with an unsaved model asks first; Cancel keeps the selection and loads nothing', async () => {
    let loads = 0;
    const listings = many(1);
    const { ctx, log } = context(
      {
        list: () => listings,
        status: () => ({ limits: {} }),
        hasUnsavedWorkingModel: () => true,
        load: async () => {
          loads++;
          return info('m00', 1);
        },
      } as unknown as Partial<ModelManagerApi>,
      {},
      [
        { customId: 'models:pick', values: ['m00'] },
        { customId: 'models:load' },
        { customId: 'models:cancel-load' },
        null,
      ],
    );
    await models.execute(ctx);
    expect(loads).toBe(0);
    const asking = log.find((entry) => entry.verb === 'update:models:load')!.reply!;
    expect(asking.content).toBe('Replace the unsaved model?');
    expect((asking.components!.at(-1) as { id: string }[]).map((button) => button.id)).toEqual([
      'models:confirm-load',
      'models:cancel-load',
    ]);
    const cancelled = log.find((entry) => entry.verb === 'update:models:cancel-load')!.reply!;
    expect((cancelled.components!.at(-1) as { id: string }[]).map((button) => button.id)).toEqual([
      'models:load',
      'models:delete',
    ]);
  });

  it('a failed load answers the press with the error and leaves the page as it was', async () => {
    const listings = many(1);
    const { ctx, log } = context(
      {
        list: () => listings,
        status: () => ({ limits: {} }),
        hasUnsavedWorkingModel: () => false,
        load: async () => {
          throw new UserError('MODEL_FILE_MISSING', { name: 'm00', version: 1 });
        },
      } as unknown as Partial<ModelManagerApi>,
      {},
      [{ customId: 'models:pick', values: ['m00'] }, { customId: 'models:load' }, null],
    );
    await models.execute(ctx);
    expect(log.map((entry) => entry.verb)).toEqual(['reply', 'update:models:pick', 'press-reply:models:load', 'edit']);
  });

  it('deleting the last model ends the pager with the empty-list sentence', async () => {
    let listings = many(1);
    const { ctx, log } = context(
      {
        list: () => listings,
        status: () => ({ limits: {} }),
        delete: async () => {
          listings = [];
          return { deleted: [1], wasActive: false };
        },
      } as unknown as Partial<ModelManagerApi>,
      {},
      [
        { customId: 'models:pick', values: ['m00'] },
        { customId: 'models:delete' },
        { customId: 'models:confirm-delete' },
      ],
    );
    await models.execute(ctx);
    const last = log.at(-1)!;
    expect(last.verb).toBe('update:models:confirm-delete');
    expect(last.reply!.content).toBe(
      'Deleted **m00**.\nThis server has no saved models yet. Train one with `/train`, then save it with `/save`.',
    );
    expect(last.reply!.components).toEqual([]);
  });
});
