// Finding a guild's saved models by the name (and version) a user typed, with the closest names
// when none matches, and the rows as the manager hands them out.
import { UserError } from '../errors.js';
import type { ModelStats } from '../lm/types.js';
import {
  editDistance,
  parseModelName,
  validateGuildId,
  type Catalog,
  type ModelName,
  type ModelRow,
} from '../store/index.js';
import type { ManagerState } from './manager-state.js';
import type { SavedModelInfo } from './types.js';

const SUGGESTIONS = 3;

/**
 * The checks of a request naming a saved model (/load, /delete, /export, the versions /delete
 * confirms), in this order: the manager is open, the guild id, the name, the version.
 */
export function checkedModelName(
  state: ManagerState,
  guildId: string,
  name: string,
  version: number | undefined,
): ModelName {
  state.assertOpen();
  validateGuildId(guildId);
  const modelName = parseModelName(name);
  checkVersion(version);
  return modelName;
}

/** Every saved version of the name (newest first), or the one `version` names. */
export function designatedVersions(
  catalog: Catalog,
  guildId: string,
  name: ModelName,
  version: number | undefined,
): ModelRow[] {
  return version === undefined ? versionsOf(catalog, guildId, name) : [findSaved(catalog, guildId, name, version)];
}

function versionsOf(catalog: Catalog, guildId: string, name: ModelName): ModelRow[] {
  const versions = catalog.versionsOf(guildId, name.key);
  if (versions.length > 0) return versions;
  throw new UserError('MODEL_NOT_FOUND', { name: name.display, suggestions: closestNames(catalog, guildId, name.key) });
}

export function findSaved(catalog: Catalog, guildId: string, name: ModelName, version: number | undefined): ModelRow {
  const versions = versionsOf(catalog, guildId, name);
  if (version === undefined) return versions[0];
  const row = versions.find((candidate) => candidate.version === version);
  if (row) return row;
  throw new UserError('MODEL_VERSION_NOT_FOUND', {
    name: versions[0].name,
    version,
    versions: versions.map((candidate) => String(candidate.version)),
  });
}

/** Names within a small edit distance, or containing / contained in what was typed. */
function closestNames(catalog: Catalog, guildId: string, key: string): string[] {
  const names = new Map<string, string>();
  for (const row of catalog.listModels(guildId)) if (!names.has(row.nameKey)) names.set(row.nameKey, row.name);
  const limit = Math.max(2, Math.floor([...key].length / 3));
  return [...names]
    .map(([candidate, display]) => {
      const contains = candidate.includes(key) || key.includes(candidate);
      return { display, distance: contains ? 0.5 : editDistance(key, candidate) };
    })
    .filter((candidate) => candidate.distance <= limit)
    .sort((a, b) => a.distance - b.distance || (a.display < b.display ? -1 : 1))
    .slice(0, SUGGESTIONS)
    .map((candidate) => candidate.display);
}

export function checkVersion(version: number | undefined): void {
  if (version !== undefined && !(Number.isInteger(version) && version >= 1 && version <= 1_000_000)) {
    throw new UserError('INVALID_PARAMETER', { name: 'version', value: String(version), reason: 'positive-integer' });
  }
}

export function savedModelInfo(row: Omit<ModelRow, 'id'> & { id: number }, activeId: number | null): SavedModelInfo {
  return {
    name: row.name,
    version: row.version,
    filename: row.filename,
    bytes: row.bytes,
    createdAt: row.createdAt,
    createdBy: { ...row.createdBy },
    stats: JSON.parse(row.statsJson) as ModelStats,
    available: row.available,
    active: row.id === activeId,
  };
}
