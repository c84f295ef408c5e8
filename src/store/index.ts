// The storage layer: the only code that knows SQL or file paths (see ARCHITECTURE.md).
export { openDatabase, SCHEMA_VERSION, type SqliteDatabase } from './database.js';
export {
  Catalog,
  type DraftRef,
  type InterruptedNotice,
  type JobRow,
  type ModelRow,
  type NewModelRow,
} from './catalog.js';
export { ModelFiles, sha256 } from './files.js';
export { ModelImageFiles } from './images.js';
export {
  draftFilename,
  editDistance,
  fileTimestamp,
  modelNameKey,
  parseModelName,
  savedModelFilename,
  validateGuildId,
  type ModelName,
} from './names.js';
export {
  reconcile,
  reconcileFoundDamage,
  type ReconcileOptions,
  type ReconcileReport,
} from './reconcile.js';
export { Coordination, type LeaseHolder } from './coordination.js';
export { isBusyError, retryBusy } from './busy.js';
export { DatabaseFile, type DatabaseFileState } from './database-file.js';
export { PresenceRow } from './presence.js';
export {
  downloadFolderOf,
  listSnapshots,
  pruneSnapshots,
  snapshotFolderOf,
  takeSnapshot,
  verifySnapshot,
  SnapshotError,
  type Snapshot,
  type SnapshotManifest,
} from './backup.js';
export { completePendingRestore, restoreSnapshot } from './restore.js';
export { dataPaths, DATABASE_FILENAME } from './data-paths.js';
export { metaStoreOf, openMetaStore, type MetaStore } from './meta-store.js';
export { LearningStore } from './learning-store.js';
