// The meta table as a key-value store (registration.ts keeps the registered slash commands'
// fingerprint there). A process with a manager reads it through the manager's connection
// (ModelManager.metaStore()); `npm run deploy-commands`, which has none, opens its own.
import { Catalog } from './catalog.js';
import { openDatabase } from './database.js';

export interface MetaStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/** The meta table through a catalog's connection (that connection's owner closes it). */
export function metaStoreOf(catalog: Catalog): MetaStore {
  return {
    get: (key) => catalog.getMeta(key),
    set: (key, value) => catalog.setMeta(key, value),
  };
}

/** The meta table through a connection of its own, for a process without a manager; close() closes it. */
export function openMetaStore(databasePath: string): MetaStore & { close(): void } {
  const db = openDatabase(databasePath);
  return { ...metaStoreOf(new Catalog(db)), close: () => db.close() };
}
