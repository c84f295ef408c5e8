// A guild's working model (what generate() uses) as the catalog records it: none, the unsaved
// draft of the last training, or a loaded saved model; and how a model file is named in errors.
import type { ErrorParams } from '../errors.js';
import type { Catalog, DraftRef, ModelRow } from '../store/index.js';

export type WorkingModel = { kind: 'none' } | { kind: 'draft'; draft: DraftRef } | { kind: 'saved'; row: ModelRow };

/** What a model file is called in errors: a saved name and version, or the unsaved draft (null). */
export interface FileLabel extends ErrorParams {
  name: string | null;
  version: number | null;
}

/** A model file as the catalog records it: rows and drafts both have these. */
export type ModelFileRef = { filename: string; checksum: string; statsJson?: string };

export function readWorkingModel(catalog: Catalog, guildId: string): WorkingModel {
  const state = catalog.guildState(guildId);
  if (state?.draft) {
    Object.freeze(state.draft.createdBy);
    return Object.freeze({ kind: 'draft', draft: Object.freeze(state.draft) });
  }
  if (state?.activeModelId != null) {
    const row = catalog.model(guildId, state.activeModelId);
    if (row) {
      Object.freeze(row.createdBy);
      return Object.freeze({ kind: 'saved', row: Object.freeze(row) });
    }
  }
  return NO_WORKING_MODEL;
}

const NO_WORKING_MODEL: WorkingModel = Object.freeze({ kind: 'none' });

export function fileOf(working: Exclude<WorkingModel, { kind: 'none' }>): ModelFileRef {
  return working.kind === 'draft' ? working.draft : working.row;
}

export function labelOf(working: Exclude<WorkingModel, { kind: 'none' }> | WorkingModel | null): FileLabel {
  if (working?.kind === 'saved') return { name: working.row.name, version: working.row.version };
  return { name: null, version: null };
}
