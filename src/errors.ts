// Expected failures are UserErrors: a stable code plus parameters. src/i18n turns them into a
// sentence in the user's locale; nothing below the adapters writes user-facing prose.

export type ErrorParams = Record<string, string | number | boolean | string[] | null | undefined>;

/** A saved model's name and version in an error, or the unsaved draft (both null). */
interface FileLabelParams {
  name: string | null;
  version: number | null;
}

/**
 * Every expected failure and its parameters: what the thrower must pass and what the catalogues
 * (src/i18n) may read. A code with `{}` takes none.
 */
export interface ErrorParamsOf {
  // ingest: uploaded files → training lines
  TOO_MANY_FILES: { count: number; limit: number };
  ATTACHMENT_TOO_LARGE: { name: string; bytes: number; limit: number };
  /** `name`: the file during which the total overflowed, when it was a download. */
  TRAINING_INPUT_TOO_LARGE: { bytes: number; limit: number; name?: string };
  UNSUPPORTED_FILE_TYPE: { name: string; type: string };
  BINARY_FILE: { name: string };
  BAD_ENCODING: { name: string };
  MALFORMED_FILE: { name: string; reason: string; detail?: string };
  EMPTY_FILE: { name: string };
  EMPTY_INPUT: Record<string, never>;
  /** `attempts`: how many tries were made (retried downloads). */
  DOWNLOAD_FAILED: { name: string; reason: string; attempts?: number };
  DOWNLOAD_TIMEOUT: { name: string; seconds: number; attempts?: number };
  // names and parameters
  INVALID_MODEL_NAME: { name: string; reason: 'empty' | 'too-long' | 'characters' | 'reserved' };
  INVALID_PARAMETER: { name: string; value: string; reason: string };
  // model manager
  NO_MODEL_LOADED: Record<string, never>;
  NO_TRAINED_MODEL: Record<string, never>;
  MODEL_NOT_FOUND: { name: string; suggestions: string[] };
  MODEL_VERSION_NOT_FOUND: { name: string; version: number; versions: string[] };
  MODEL_FILE_MISSING: FileLabelParams;
  MODEL_CORRUPT: FileLabelParams & { detail: string };
  MODEL_INCOMPATIBLE: FileLabelParams & { detail: string };
  ALREADY_TRAINING: { percent: number; phase: string };
  JOBS_BUSY: { retryAfterSeconds: number };
  /** The models holding the most versions, by name, with their version counts, and how many more models. */
  QUOTA_MODELS: { limit: number; names: string[]; versionCounts: string[]; moreModels: number };
  QUOTA_BYTES: { usedBytes: number; limit: number };
  TRAINING_CANCELLED: Record<string, never>;
  TRAINING_FAILED: { reason: string };
  SHUTTING_DOWN: Record<string, never>;
  // several processes on one data folder
  DATABASE_BUSY: Record<string, never>;
  /** What the working model is now: who made it, when (`YYYY-MM-DD HH:MM UTC`), its name and version ('' and 0 for none). */
  WORKING_MODEL_CHANGED: {
    kind: 'draft' | 'saved' | 'none';
    user: string;
    date: string;
    name: string;
    version: number;
  };
  // export, import, compare
  EXPORT_TOO_LARGE: { name: string; version: number; bytes: number; limit: number };
  IMPORT_DAMAGED: { name: string; detail: string };
  // a database file removed or replaced under the process
  DATABASE_LOST: { state: 'missing' | 'replaced' };
  // learning from channels, replies, privacy
  /** LEARN_FROM_CHANNELS is off, or the Message Content intent is missing. */
  CHANNELS_DISABLED: Record<string, never>;
  /** Not a text channel or thread of this server. */
  CHANNEL_UNAVAILABLE: { channel: string };
  CHANNEL_PERMISSION_MISSING: { channel: string; permission: 'ViewChannel' | 'ReadMessageHistory' | 'SendMessages' };
  /** Files and a channel in one /train. */
  TRAIN_SOURCE_CONFLICT: Record<string, never>;
  /** No message by a person in the range asked for. */
  CHANNEL_EMPTY: { channel: string };
  INVALID_DATE: { option: string; value: string };
  // bot / adapters
  COOLDOWN: { seconds: number };
  MISSING_PERMISSION: { permission: string };
  GUILD_ONLY: Record<string, never>;
  CONFIRMATION_EXPIRED: Record<string, never>;
  NOT_YOUR_BUTTON: Record<string, never>;
  /** `discord`: the command came from Discord (stale registration), not typed in the console. */
  UNKNOWN_COMMAND: { name: string; discord?: boolean };
  /** The local console's parsing: `reason` names the fault, the rest are its details (option, value, limits). */
  BAD_COMMAND_LINE: { reason: string } & ErrorParams;
  INTERNAL: { reference: string };
}

export type ErrorCode = keyof ErrorParamsOf;

/** Every code, for the tests that check each has a message in both languages. */
export const ERROR_CODES = Object.keys({
  TOO_MANY_FILES: true,
  ATTACHMENT_TOO_LARGE: true,
  TRAINING_INPUT_TOO_LARGE: true,
  UNSUPPORTED_FILE_TYPE: true,
  BINARY_FILE: true,
  BAD_ENCODING: true,
  MALFORMED_FILE: true,
  EMPTY_FILE: true,
  EMPTY_INPUT: true,
  DOWNLOAD_FAILED: true,
  DOWNLOAD_TIMEOUT: true,
  INVALID_MODEL_NAME: true,
  INVALID_PARAMETER: true,
  NO_MODEL_LOADED: true,
  NO_TRAINED_MODEL: true,
  MODEL_NOT_FOUND: true,
  MODEL_VERSION_NOT_FOUND: true,
  MODEL_FILE_MISSING: true,
  MODEL_CORRUPT: true,
  MODEL_INCOMPATIBLE: true,
  ALREADY_TRAINING: true,
  JOBS_BUSY: true,
  QUOTA_MODELS: true,
  QUOTA_BYTES: true,
  TRAINING_CANCELLED: true,
  TRAINING_FAILED: true,
  SHUTTING_DOWN: true,
  DATABASE_BUSY: true,
  WORKING_MODEL_CHANGED: true,
  EXPORT_TOO_LARGE: true,
  IMPORT_DAMAGED: true,
  DATABASE_LOST: true,
  CHANNELS_DISABLED: true,
  CHANNEL_UNAVAILABLE: true,
  CHANNEL_PERMISSION_MISSING: true,
  TRAIN_SOURCE_CONFLICT: true,
  CHANNEL_EMPTY: true,
  INVALID_DATE: true,
  COOLDOWN: true,
  MISSING_PERMISSION: true,
  GUILD_ONLY: true,
  CONFIRMATION_EXPIRED: true,
  NOT_YOUR_BUTTON: true,
  UNKNOWN_COMMAND: true,
  BAD_COMMAND_LINE: true,
  INTERNAL: true,
} satisfies Record<ErrorCode, true>) as ErrorCode[];

/** The parameters argument of a code: optional when the code takes none. */
type ParamsArgument<C extends ErrorCode> =
  Record<string, never> extends ErrorParamsOf[C] ? [params?: ErrorParamsOf[C]] : [params: ErrorParamsOf[C]];

export class UserError<C extends ErrorCode = ErrorCode> extends Error {
  readonly params: ErrorParams;

  constructor(
    readonly code: C,
    ...[params]: ParamsArgument<C>
  ) {
    super(`${code} ${JSON.stringify(params ?? {})}`);
    this.name = 'UserError';
    this.params = (params ?? {}) as ErrorParams;
  }

  /**
   * Another error's code with its parameters (checked where it was first thrown): a worker's
   * error across the thread boundary, a download failure with the number of attempts added.
   */
  static rebuild(code: ErrorCode, params: ErrorParams): UserError {
    return new (UserError as unknown as new (code: ErrorCode, params: ErrorParams) => UserError)(code, params);
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
