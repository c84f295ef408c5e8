// The storage layer: the only code that knows SQL or file paths (see ARCHITECTURE.md).
export { openDatabase, SCHEMA_VERSION, type SqliteDatabase } from './database.js';
export {
  Catalog,
  OPEN_JOB_STATES,
  type Creator,
  type DraftRef,
  type GuildStateRow,
  type JobKind,
  type JobRow,
  type JobState,
  type ModelRow,
  type NewModelRow,
} from './catalog.js';
export { ModelFiles, sha256, type FileCheck } from './files.js';
export { ModelImageFiles, IMAGE_FILE_EXTENSION } from './images.js';
export {
  draftFilename,
  editDistance,
  fileTimestamp,
  modelNameKey,
  parseModelName,
  savedModelFilename,
  isValidGuildId,
  validateGuildId,
  MAX_MODEL_NAME_BYTES,
  MAX_MODEL_NAME_CHARACTERS,
  ORPHANS_DIR,
  TEMP_PREFIX,
  DRAFT_PREFIX,
  type ModelName,
} from './names.js';
export {
  emptyReconcileReport,
  reconcile,
  reconcileFoundDamage,
  type ReconcileOptions,
  type ReconcileReport,
  type UnavailableReason,
} from './reconcile.js';
export { Coordination, newLeaseOwner, type CoordinationOptions, type LeaseHolder, type LeaseKind } from './coordination.js';
export { BUSY_RETRIES, isBusyError, retryBusy } from './busy.js';
export { DatabaseFile, type DatabaseFileState } from './database-file.js';
export { liveProcesses, PresenceRow, type ProcessPresence } from './presence.js';
export {
  listSnapshots,
  pruneSnapshots,
  takeSnapshot,
  verifySnapshot,
  SnapshotError,
  MANIFEST,
  type Snapshot,
  type SnapshotManifest,
} from './backup.js';
export { completePendingRestore, restoreSnapshot, assertNoProcessRunning, type RestoreTarget } from './restore.js';
