// Export, import and version retention: the rules, kept out of model-manager.ts.
// An exported file is the saved .ulm file itself, byte for byte, named `<name>_v<version>.ulm`;
// the model format carries no name, so an import without `name` takes it from the file name.
import { UserError } from '../errors.js';
import { decode, encodeImage, ModelFormatError } from '../lm/index.js';
import type { ModelStats } from '../lm/types.js';
import { parseModelName, sha256, type ModelName, type ModelRow } from '../store/index.js';

/** Versions kept of each name unless MAX_VERSIONS_PER_MODEL says otherwise. */
export const DEFAULT_MAX_VERSIONS_PER_MODEL = 5;

/**
 * The versions of a name to remove when one more is stored: all but the newest `keep - 1` of
 * the existing ones (newest first), so that with the new one `keep` remain. The guild's active
 * model (`activeId`) is never removed: an import keeps it, one version over, until the next save.
 */
export function versionsToPrune(
  existingNewestFirst: readonly ModelRow[],
  keep: number,
  activeId: number | null = null,
): ModelRow[] {
  if (!Number.isInteger(keep) || keep < 1) return [];
  return existingNewestFirst.slice(keep - 1).filter((row) => row.id !== activeId);
}

export function exportFilename(name: string, version: number): string {
  return `${name}_v${version}.ulm`;
}

/**
 * The model name an import without `name` gets: the attachment's file name without `.ulm` and
 * without the `_v<version>` an export adds (`alfa_v3.ulm` → `alfa`), or the saved-file stamp
 * (`alfa_20260101_120000.ulm` → `alfa`). Throws INVALID_MODEL_NAME when what is left is no name.
 */
export function importName(filename: string): ModelName {
  const base = filename.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  const name = base.replace(/_v\d{1,7}$/, '').replace(/_\d{8}_\d{6}(?:_\d+)?$/, '');
  return parseModelName(name);
}

/**
 * Checks a file completely before anything is stored: frame, format version, checksum, every
 * length and index (the decoder trusts nothing and rebuilds the model from its counts). Returns
 * the statistics of the model as decoded, which are what gets recorded (not what the header
 * claims). Never throws anything but a UserError.
 */
export function checkImportedModel(fileName: string, bytes: Uint8Array): ModelStats {
  try {
    const model = decode(bytes);
    // The size of its image, as a trained model records it: what the model costs once loaded.
    return { ...model.stats, imageBytes: encodeImage(model, sha256(bytes)).byteLength };
  } catch (error) {
    if (error instanceof ModelFormatError) {
      if (error.kind === 'newer-version')
        throw new UserError('MODEL_INCOMPATIBLE', { name: fileName, version: null, detail: error.kind });
      throw new UserError('IMPORT_DAMAGED', { name: fileName, detail: error.kind });
    }
    // A decoder fault on hostile input is still a refused file, never a crash.
    throw new UserError('IMPORT_DAMAGED', { name: fileName, detail: 'unreadable' });
  }
}
