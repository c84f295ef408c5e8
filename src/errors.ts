// Expected failures are UserErrors: a stable code plus parameters. src/i18n turns them into a
// sentence in the user's locale; nothing below the adapters writes user-facing prose.

export type ErrorParams = Record<string, string | number | boolean | string[] | null>;

export const ERROR_CODES = [
  // ingest: uploaded files → training lines
  'TOO_MANY_FILES', // {count, limit}
  'ATTACHMENT_TOO_LARGE', // {name, bytes, limit}
  'TRAINING_INPUT_TOO_LARGE', // {bytes, limit}
  'UNSUPPORTED_FILE_TYPE', // {name, type}
  'BINARY_FILE', // {name}
  'BAD_ENCODING', // {name}
  'MALFORMED_FILE', // {name, reason}
  'EMPTY_FILE', // {name}
  'EMPTY_INPUT', // {}
  'DOWNLOAD_FAILED', // {name, reason}
  'DOWNLOAD_TIMEOUT', // {name, seconds}
  // names and parameters
  'INVALID_MODEL_NAME', // {name, reason: 'empty'|'too-long'|'characters'|'reserved'}
  'INVALID_PARAMETER', // {name, value, reason}
  // model manager
  'NO_MODEL_LOADED', // {}
  'NO_TRAINED_MODEL', // {}
  'MODEL_NOT_FOUND', // {name, suggestions}
  'MODEL_VERSION_NOT_FOUND', // {name, version, versions}
  'MODEL_FILE_MISSING', // {name, version}
  'MODEL_CORRUPT', // {name, version, detail}
  'MODEL_INCOMPATIBLE', // {name, version, detail}
  'ALREADY_TRAINING', // {percent, phase}
  'JOBS_BUSY', // {retryAfterSeconds}
  'QUOTA_MODELS', // {limit}
  'QUOTA_BYTES', // {usedBytes, limit}
  'TRAINING_CANCELLED', // {}
  'TRAINING_FAILED', // {reason}
  'SHUTTING_DOWN', // {}
  // several processes on one data folder (issue 19)
  'DATABASE_BUSY', // {}
  'WORKING_MODEL_CHANGED', // {kind: 'draft'|'saved'|'none', user, date, name, version}
  // export, import, compare (issue 17)
  'EXPORT_TOO_LARGE', // {name, version, bytes, limit}
  'IMPORT_DAMAGED', // {name, detail}
  // recovery from a lost database (issue 17)
  'DATABASE_LOST', // {state: 'missing'|'replaced'}
  // learning from channels, replies, privacy (issue 18)
  'CHANNELS_DISABLED', // {}   LEARN_FROM_CHANNELS is off, or the Message Content intent is missing
  'CHANNEL_UNAVAILABLE', // {channel}   not a text channel or thread of this server
  'CHANNEL_PERMISSION_MISSING', // {channel, permission: 'ViewChannel'|'ReadMessageHistory'|'SendMessages'}
  'TRAIN_SOURCE_CONFLICT', // {}   files and a channel in one /train
  'CHANNEL_EMPTY', // {channel}   no message by a person in the range asked for
  'INVALID_DATE', // {option, value}
  // bot / adapters
  'COOLDOWN', // {seconds}
  'MISSING_PERMISSION', // {permission}
  'GUILD_ONLY', // {}
  'CONFIRMATION_EXPIRED', // {}
  'NOT_YOUR_BUTTON', // {}
  'UNKNOWN_COMMAND', // {name}
  'BAD_COMMAND_LINE', // {reason}   (local console parsing)
  'INTERNAL', // {reference}
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class UserError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: ErrorParams = {},
  ) {
    super(`${code} ${JSON.stringify(params)}`);
    this.name = 'UserError';
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
