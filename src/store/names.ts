// Validation of the only two user-influenced parts of a model file's path: the guild id and the
// model name. Every path under models/ is built from values that passed these checks, and
// files.ts re-checks the result with path.relative, so a bug here cannot escape the directory.
import { UserError } from '../errors.js';

/** Discord snowflakes are 17–20 digits; the console and tests use short ids such as "local". */
const GUILD_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/**
 * Letters of any script, combining marks, digits, `_` and `-`. Marks may not lead: a name that
 * starts with a combining accent renders as if it belonged to the text before it.
 */
const MODEL_NAME = /^[\p{L}\p{N}_-][\p{L}\p{M}\p{N}_-]*$/u;

/** Letters that render as nothing (Hangul fillers): a name made of them looks empty. */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

export const MAX_MODEL_NAME_CHARACTERS = 64;
/**
 * ext4, APFS and NTFS cap a file name near 255 bytes. A name of 64 four-byte letters (CJK
 * extension B) plus `_YYYYMMDD_HHMMSS_NN.ulm` would exceed that, so names are also capped in
 * UTF-8 bytes.
 */
const MAX_MODEL_NAME_BYTES = 200;

/**
 * Device names Windows reserves whatever the extension. Superscript digits count there too
 * (COM¹), and \p{N} admits them, so they are listed.
 */
const RESERVED_NAME = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])$/iu;

/** Whether `guildId` is one the store accepts (the console checks --guild with it). */
export function isValidGuildId(guildId: unknown): guildId is string {
  return typeof guildId === 'string' && GUILD_ID.test(guildId);
}

export function validateGuildId(guildId: string): string {
  if (!isValidGuildId(guildId)) {
    throw new UserError('INVALID_PARAMETER', {
      name: 'guildId',
      value: String(guildId).slice(0, 40),
      reason: 'format',
    });
  }
  return guildId;
}

export interface ModelName {
  /** As shown to users: NFC-normalized, case kept. */
  display: string;
  /**
   * Identity of the model within its guild. Lower-cased so that `Poemas` and `poemas` are one
   * model: on case-insensitive file systems (macOS, Windows) they would otherwise collide, and
   * users typing a name in Discord rarely remember its capitals.
   */
  key: string;
}

/** Normalizes and checks a user-typed model name; throws INVALID_MODEL_NAME with a reason. */
export function parseModelName(raw: string): ModelName {
  const shown = typeof raw === 'string' ? raw.slice(0, 80) : '';
  // Length is checked before normalizing so that a 10 kB name costs nothing.
  if (typeof raw !== 'string' || raw.length === 0) throw invalid(shown, 'empty');
  if (raw.length > MAX_MODEL_NAME_CHARACTERS * 4) throw invalid(shown, 'too-long');
  const display = raw.normalize('NFC');
  const characters = [...display].length;
  if (characters > MAX_MODEL_NAME_CHARACTERS || Buffer.byteLength(display, 'utf8') > MAX_MODEL_NAME_BYTES) {
    throw invalid(shown, 'too-long');
  }
  if (!MODEL_NAME.test(display) || INVISIBLE.test(display)) throw invalid(shown, 'characters');
  if (RESERVED_NAME.test(display)) throw invalid(shown, 'reserved');
  return { display, key: modelNameKey(display) };
}

/** The lookup key of an already-valid name, or of a search query. */
export function modelNameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

function invalid(name: string, reason: 'empty' | 'too-long' | 'characters' | 'reserved'): UserError {
  return new UserError('INVALID_MODEL_NAME', { name, reason });
}

/** `YYYYMMDD_HHMMSS` in UTC: the stamp in saved model file names. */
export function fileTimestamp(epochMs: number): string {
  const date = new Date(epochMs);
  const two = (value: number) => String(value).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}_` +
    `${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}`
  );
}

/**
 * `<name>_<YYYYMMDD_HHMMSS>.ulm`; `attempt` > 1 adds `_<attempt>` for saves that land in the
 * same second as an existing file.
 */
export function savedModelFilename(name: ModelName, epochMs: number, attempt = 1): string {
  const suffix = attempt > 1 ? `_${attempt}` : '';
  return `${name.display}_${fileTimestamp(epochMs)}${suffix}${MODEL_FILE_EXTENSION}`;
}

export const MODEL_FILE_EXTENSION = '.ulm';
/** Files the store writes next to saved models; none can clash with a saved model's name. */
export const DRAFT_PREFIX = '.draft_';
export const TEMP_PREFIX = '.tmp-';
export const ORPHANS_DIR = '.orphans';
/** `<models dir>/.images/<guild_id>/`: the model images (images.ts), derived from the model files. */
export const IMAGES_DIR = '.images';

export function draftFilename(jobId: string): string {
  if (!/^[a-z0-9-]{1,64}$/.test(jobId)) throw new Error(`draft for a malformed job id ${JSON.stringify(jobId)}`);
  return `${DRAFT_PREFIX}${jobId}${MODEL_FILE_EXTENSION}`;
}

/** Damerau–Levenshtein (optimal string alignment) distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  const rows = left.length + 1;
  const cols = right.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && left[i - 1] === right[j - 2] && left[i - 2] === right[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2] + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1];
}
