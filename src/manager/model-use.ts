// Using models: the working model generates (/generate), two saved models are compared (/compare).
import { UserError } from '../errors.js';
import { checkSources, parseSources, readSources } from '../ingest/index.js';
import { type Model, ModelFormatError, RecentPhrases } from '../lm/index.js';
import type { GenerateOptions, GenerateResult } from '../lm/types.js';
import { parseModelName, validateGuildId } from '../store/index.js';
import { compareModels, type CompareOptions, type Comparison } from './compare.js';
import type { ManagerState } from './manager-state.js';
import { ModelCache } from './model-cache.js';
import type { ModelLoading } from './model-loading.js';
import { checkVersion, findSaved, savedModelInfo } from './saved-lookup.js';
import type { GenerateHooks, TrainingSource } from './types.js';
import { fileOf, labelOf, type WorkingModel } from './working-model.js';

export class ModelUse {
  /**
   * What each loaded model wrote lately (src/lm/recent.ts), so a guild's next /generate says something else. Kept
   * while the model is: an evicted or reloaded model starts afresh. Calls with a seed neither read nor add to it, so a
   * seed gives the same text as `ultra generate --seed` and the sample after /train.
   */
  private readonly recent = new WeakMap<Model, RecentPhrases>();

  constructor(
    private readonly state: ManagerState,
    private readonly loading: ModelLoading,
  ) {}

  async generate(guildId: string, options: GenerateOptions, hooks?: GenerateHooks): Promise<GenerateResult> {
    const state = this.state;
    state.assertOpen();
    validateGuildId(guildId);
    if (hooks?.beforeLoad === undefined)
      return state.exclusive(guildId, () => this.generateNow(guildId, options, null));
    // What generationReadiness() answers, from the same read: no model fails at once, a model
    // that is not in memory lets the caller acknowledge first (a deferred Discord reply).
    const seen = state.workingModel(guildId);
    if (seen.kind === 'none') throw new UserError('NO_MODEL_LOADED', {});
    if (!this.loading.has(guildId, fileOf(seen).filename)) {
      await hooks.beforeLoad();
      state.assertOpen();
      return state.exclusive(guildId, () => this.generateNow(guildId, options, null));
    }
    // The common case: the model is in memory and nothing of this guild runs or waits. Every
    // change of a guild's working model in this process happens inside its exclusive section,
    // and this call enters the section now (synchronously, right after the look), so the state
    // just seen is the one the section would see again: one look per generation (a cache hit,
    // or one read). Otherwise (a save, load, delete or training commit of the guild runs or is
    // queued) the section looks again when its turn comes, as without hooks. Another process's
    // commit is not ordered with this one either way.
    const fresh = state.guildSections.has(guildId) ? null : seen;
    return state.exclusive(guildId, () => this.generateNow(guildId, options, fresh));
  }

  /** Inside the guild's section: the working model (`known`, or read now) generates. */
  private async generateNow(
    guildId: string,
    options: GenerateOptions,
    known: WorkingModel | null,
  ): Promise<GenerateResult> {
    const working = known ?? this.state.workingModel(guildId);
    if (working.kind === 'none') throw new UserError('NO_MODEL_LOADED', {});
    const file = fileOf(working);
    let model = await this.loading.modelFor(guildId, file, labelOf(working));
    // src/lm's defaults are the product's: the same text as `ultra generate` and the sample
    // after /train for the same model, prompt and seed.
    const generate = () => {
      const recent = options.seed === undefined ? this.recentOf(model) : undefined;
      return model.generate(recent !== undefined ? { ...options, recent } : options);
    };
    let result: GenerateResult;
    try {
      result = generate();
    } catch (error) {
      // An image's embeddings are read on first use (a prompt word the model does not know, steering) and checked
      // then: found damaged, the image is rebuilt from the model file, as a load that found it damaged would.
      if (!(error instanceof ModelFormatError)) throw error;
      await this.loading.forgetDamagedImage(guildId, file);
      model = await this.loading.modelFor(guildId, file, labelOf(working));
      result = generate();
    }
    // Ranking a large context keeps its ranked run, a prompt builds word lookups and the memory of
    // recent texts is made on the first call without a seed: the cache budget follows.
    const memory = this.recent.has(model) ? RecentPhrases.BYTES : 0;
    this.loading.cache.resize(ModelCache.key(guildId, file.filename), model.residentBytes() + memory);
    return result;
  }

  private recentOf(model: Model): RecentPhrases {
    let recent = this.recent.get(model);
    if (recent === undefined) {
      recent = new RecentPhrases();
      this.recent.set(model, recent);
    }
    return recent;
  }

  /** See ModelManager.compare. */
  async compare(
    guildId: string,
    first: { name: string; version?: number },
    second: { name: string; version?: number },
    options: CompareOptions,
    file?: TrainingSource,
  ): Promise<Comparison> {
    const state = this.state;
    state.assertOpen();
    validateGuildId(guildId);
    const names = [parseModelName(first.name), parseModelName(second.name)];
    checkVersion(first.version);
    checkVersion(second.version);
    let evaluation: { fileName: string; lines: string[] } | null = null;
    if (file) {
      checkSources([file], state.ingestLimits());
      const read = await readSources([file], state.ingestLimits());
      const parsed = parseSources(read.files);
      if (parsed.lines.length === 0) throw new UserError('EMPTY_INPUT', {});
      evaluation = { fileName: String(file.name), lines: parsed.lines };
    }
    state.assertOpen();
    return state.exclusive(guildId, async () => {
      const rows = [
        findSaved(state.catalog, guildId, names[0], first.version),
        findSaved(state.catalog, guildId, names[1], second.version),
      ];
      const activeId = state.catalog.guildState(guildId)?.activeModelId ?? null;
      const models = [
        await this.loading.peekModel(guildId, rows[0]),
        await this.loading.peekModel(guildId, rows[1]),
      ] as [Model, Model];
      return compareModels(
        [savedModelInfo(rows[0], activeId), savedModelInfo(rows[1], activeId)],
        models,
        options,
        evaluation,
      );
    });
  }
}
