// Saved models: /save (the draft or the working model as a new version), /load, /delete,
// /export and /import, with the quotas and the versions kept per name.
import { randomInt } from 'node:crypto';
import { UserError, isUserError } from '../errors.js';
import { readSourceBytes } from '../ingest/index.js';
import type { ModelStats } from '../lm/types.js';
import {
  draftFilename,
  parseModelName,
  retryBusy,
  savedModelFilename,
  sha256,
  validateGuildId,
  type ModelName,
  type ModelRow,
} from '../store/index.js';
import type { ManagerState } from './manager-state.js';
import { ModelCache } from './model-cache.js';
import type { ModelLoading } from './model-loading.js';
import {
  checkImportedModel,
  DEFAULT_MAX_VERSIONS_PER_MODEL,
  exportFilename,
  importName,
  versionsToPrune,
} from './model-transfer.js';
import { versionsPerModel } from './quota-detail.js';
import { checkedModelName, designatedVersions, findSaved, savedModelInfo } from './saved-lookup.js';
import type { Actor, ExportedModel, SavedModelInfo, TrainingSource } from './types.js';
import { fileOf, labelOf, type WorkingModel } from './working-model.js';

const FILENAME_ATTEMPTS = 100;
const FILENAME_SEQUENTIAL = 20;

export class SavedModels {
  constructor(
    private readonly state: ManagerState,
    private readonly loading: ModelLoading,
  ) {}

  async save(guildId: string, user: Actor, name: string, expected?: { jobId: string }): Promise<SavedModelInfo> {
    this.state.assertOpen();
    validateGuildId(guildId);
    const modelName = parseModelName(name);
    return this.state.claimed(guildId, async () => {
      const working = this.state.workingModel(guildId);
      this.checkExpectedDraft(guildId, working, expected);
      if (working.kind === 'none') throw new UserError('NO_TRAINED_MODEL', {});
      const source = fileOf(working);
      const bytes = await this.loading.readVerified(guildId, source, labelOf(working));
      const statsJson = working.kind === 'draft' ? working.draft.statsJson : working.row.statsJson;
      const saved = await this.storeVersion(guildId, user, modelName, bytes, source.checksum, statsJson, true);
      if (working.kind === 'draft') {
        this.loading.cache.rename(
          ModelCache.key(guildId, working.draft.filename),
          ModelCache.key(guildId, saved.filename),
        );
        await this.loading.discardDraftFile(guildId, working.draft.filename);
      }
      this.state.trainedHere.delete(guildId);
      return saved;
    });
  }

  /**
   * /save saves the draft the invoker's training made: the job named by the Save button, or
   * the last training of this process on the guild. When another process (or, for the button,
   * anyone) has replaced the working model since, it refuses and says with what; a /save after
   * that refusal saves the model now working.
   */
  private checkExpectedDraft(guildId: string, working: WorkingModel, expected: { jobId: string } | undefined): void {
    const jobId = expected?.jobId ?? this.state.trainedHere.get(guildId);
    if (jobId === undefined) return;
    if (working.kind === 'draft' && working.draft.filename === draftFilename(jobId)) return;
    if (expected === undefined) this.state.trainedHere.delete(guildId);
    const updatedAt = this.state.catalog.guildState(guildId)?.updatedAt ?? this.state.now();
    throw new UserError('WORKING_MODEL_CHANGED', {
      kind: working.kind,
      user:
        working.kind === 'draft'
          ? working.draft.createdBy.name
          : working.kind === 'saved'
            ? working.row.createdBy.name
            : '',
      date:
        new Date(working.kind === 'draft' ? working.draft.createdAt : updatedAt)
          .toISOString()
          .slice(0, 16)
          .replace('T', ' ') + ' UTC',
      name: working.kind === 'saved' ? working.row.name : '',
      version: working.kind === 'saved' ? working.row.version : 0,
    });
  }

  /**
   * Inside the guild's section: checks quotas, writes the file, records the row (active, or not
   * for an import), then removes the versions beyond MAX_VERSIONS_PER_MODEL (rows, then files).
   */
  private async storeVersion(
    guildId: string,
    user: Actor,
    modelName: ModelName,
    bytes: Uint8Array,
    checksum: string,
    statsJson: string,
    activate: boolean,
  ): Promise<SavedModelInfo> {
    const catalog = this.state.catalog;
    const limits = this.state.config.limits;
    const usage = catalog.usage(guildId);
    const activeId = catalog.guildState(guildId)?.activeModelId ?? null;
    const pruned = versionsToPrune(
      catalog.versionsOf(guildId, modelName.key),
      limits.maxVersionsPerModel ?? DEFAULT_MAX_VERSIONS_PER_MODEL,
      activate ? null : activeId,
    );
    const prunedBytes = pruned.reduce((sum, row) => sum + row.bytes, 0);
    if (usage.models + 1 - pruned.length > limits.maxModels) {
      throw new UserError('QUOTA_MODELS', {
        limit: limits.maxModels,
        ...versionsPerModel(catalog.listModels(guildId)),
      });
    }
    if (usage.bytes - prunedBytes + bytes.byteLength > limits.maxBytes) {
      throw new UserError('QUOTA_BYTES', { usedBytes: usage.bytes, limit: limits.maxBytes });
    }
    const at = this.state.now();
    const filename = await this.writeSavedFile(guildId, modelName, at, bytes);
    const stats = JSON.parse(statsJson) as ModelStats;
    const row: Omit<ModelRow, 'id'> = {
      guildId,
      name: modelName.display,
      nameKey: modelName.key,
      version: catalog.nextVersion(guildId, modelName.key),
      filename,
      bytes: bytes.byteLength,
      checksum,
      createdAt: at,
      createdBy: { id: String(user.id), name: String(user.name) },
      paramsJson: JSON.stringify(stats.params ?? null),
      statsJson,
      corpusJson: JSON.stringify(stats.corpus ?? null),
      available: true,
      unavailableReason: null,
    };
    let id: number;
    try {
      id = retryBusy(() => (activate ? catalog.commitSave(row, at) : catalog.insertModel(row)));
    } catch (error) {
      await this.state.files.remove(guildId, filename).catch(() => undefined);
      throw error;
    }
    if (pruned.length > 0) {
      // Rows first, files after, as /delete does: a crash in between leaves orphans, never a row without its file.
      retryBusy(() =>
        catalog.deleteModels(
          guildId,
          pruned.map((old) => old.id),
          at,
        ),
      );
      for (const old of pruned) {
        this.loading.cache.delete(ModelCache.key(guildId, old.filename));
        await this.state.files.remove(guildId, old.filename);
      }
      await this.loading.sweepImages(guildId);
    }
    return {
      ...savedModelInfo({ ...row, id }, activate ? id : activeId),
      prunedVersions: pruned.map((old) => old.version),
    };
  }

  async exportModel(guildId: string, name: string, version?: number): Promise<ExportedModel> {
    const modelName = checkedModelName(this.state, guildId, name, version);
    return this.state.exclusive(guildId, async () => {
      const row = findSaved(this.state.catalog, guildId, modelName, version);
      const bytes = await this.loading.readVerified(guildId, row, { name: row.name, version: row.version });
      const activeId = this.state.catalog.guildState(guildId)?.activeModelId ?? null;
      return { info: savedModelInfo(row, activeId), filename: exportFilename(row.name, row.version), bytes };
    });
  }

  async importModel(guildId: string, user: Actor, file: TrainingSource, name?: string): Promise<SavedModelInfo> {
    this.state.assertOpen();
    validateGuildId(guildId);
    // A name given is checked before the download; one taken from the file's name after the file
    // (a file that is no model gets the damaged-file message, whatever it is called).
    const givenName = name === undefined ? null : parseModelName(name);
    const limit = this.state.config.limits.maxAttachmentBytes;
    const fileName = String(file?.name ?? '');
    const bytes = await readSourceBytes(file, {
      cap: { limit, refuse: (seen) => new UserError('ATTACHMENT_TOO_LARGE', { name: fileName, bytes: seen, limit }) },
      timeoutMs: this.state.config.downloadTimeoutMs ?? 30_000,
      fetchImpl: fetch,
      onBytes: () => undefined,
    });
    const stats = checkImportedModel(fileName, bytes);
    const modelName = givenName ?? importName(fileName);
    this.state.assertOpen();
    return this.state.claimed(guildId, () =>
      this.storeVersion(guildId, user, modelName, bytes, sha256(bytes), JSON.stringify(stats), false),
    );
  }

  /** Writes a new saved file under a name no other file has (a same-second save gets `_2`). */
  private async writeSavedFile(guildId: string, name: ModelName, at: number, bytes: Uint8Array): Promise<string> {
    for (let attempt = 1; attempt <= FILENAME_ATTEMPTS; attempt++) {
      // Past the first few same-millisecond saves, a random suffix: a burst of saves of one name
      // (more than a hundred in a second) once ran out of sequential suffixes.
      const suffix = attempt <= FILENAME_SEQUENTIAL ? attempt : FILENAME_SEQUENTIAL + 1 + randomInt(1_000_000_000);
      const filename = savedModelFilename(name, at, suffix);
      if (this.state.catalog.filenameTaken(guildId, filename)) continue;
      if (await this.state.files.writeAtomic(guildId, filename, bytes, 'no-clobber')) return filename;
    }
    throw new Error(`no free file name for ${name.display} after ${FILENAME_ATTEMPTS} attempts`);
  }

  async load(guildId: string, name: string, version?: number): Promise<SavedModelInfo> {
    const modelName = checkedModelName(this.state, guildId, name, version);
    const catalog = this.state.catalog;
    return this.state.claimed(guildId, async () => {
      const row = findSaved(catalog, guildId, modelName, version);
      const label = { name: row.name, version: row.version };
      try {
        await this.loading.modelFor(guildId, row, label);
      } catch (error) {
        if (isUserError(error) && (error.code === 'MODEL_FILE_MISSING' || error.code === 'MODEL_CORRUPT')) {
          catalog.setAvailability(
            guildId,
            row.id,
            false,
            error.code === 'MODEL_FILE_MISSING' ? 'missing' : String(error.params.detail),
          );
        }
        throw error;
      }
      if (!row.available) catalog.setAvailability(guildId, row.id, true, null);
      const previousDraft = catalog.guildState(guildId)?.draft ?? null;
      retryBusy(() => catalog.setActive(guildId, row.id, this.state.now()));
      this.state.trainedHere.delete(guildId);
      if (previousDraft) await this.loading.discardDraftFile(guildId, previousDraft.filename);
      return savedModelInfo({ ...row, available: true, unavailableReason: null }, row.id);
    });
  }

  async delete(
    guildId: string,
    name: string,
    version?: number,
  ): Promise<{ deleted: SavedModelInfo[]; wasActive: boolean }> {
    const modelName = checkedModelName(this.state, guildId, name, version);
    const catalog = this.state.catalog;
    return this.state.claimed(guildId, async () => {
      const targets = designatedVersions(catalog, guildId, modelName, version);
      const activeId = catalog.guildState(guildId)?.activeModelId ?? null;
      const deleted = targets.map((row) => savedModelInfo(row, activeId));
      // Rows first, in one transaction; files after. A crash in between leaves orphan files
      // (moved aside by reconcile), never a row without its file.
      // The files are recorded as pending with the rows' removal: a crash before they are gone
      // is finished by the next start's reconcile.
      const coordination = this.state.leases.coordination;
      const { wasActive } = retryBusy(() =>
        coordination.recordDelete(
          guildId,
          targets.map((row) => row.filename),
          () =>
            catalog.deleteModels(
              guildId,
              targets.map((row) => row.id),
              this.state.now(),
            ),
        ),
      );
      for (const row of targets) {
        this.loading.cache.delete(ModelCache.key(guildId, row.filename));
        await this.state.files.remove(guildId, row.filename);
        try {
          retryBusy(() => coordination.deleteDone(guildId, row.filename));
        } catch {
          // The next start removes the record (the file is already gone).
        }
      }
      await this.loading.sweepImages(guildId);
      return { deleted, wasActive };
    });
  }
}
