// What the model quota message lists: MAX_MODELS_PER_GUILD counts versions, so a server with 6
// models can be full; the message names the models holding the most versions.
import type { ErrorParamsOf } from '../errors.js';
import type { ModelRow } from '../store/catalog.js';

/** Models listed by name in the message; the rest are summed up as "and N more models". */
const LISTED_MODELS = 5;

/** QUOTA_MODELS's detail: model names by versions held (most first), their counts, how many more. */
export function versionsPerModel(
  rows: readonly ModelRow[],
): Pick<ErrorParamsOf['QUOTA_MODELS'], 'names' | 'versionCounts' | 'moreModels'> {
  const byName = new Map<string, { name: string; versions: number }>();
  for (const row of rows) {
    const entry = byName.get(row.nameKey) ?? { name: row.name, versions: 0 };
    entry.versions++;
    byName.set(row.nameKey, entry);
  }
  const sorted = [...byName.values()].sort((a, b) => b.versions - a.versions || a.name.localeCompare(b.name));
  const listed = sorted.slice(0, LISTED_MODELS);
  return {
    names: listed.map((entry) => entry.name),
    versionCounts: listed.map((entry) => String(entry.versions)),
    moreModels: sorted.length - listed.length,
  };
}
