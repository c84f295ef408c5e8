// Two kinds of failure live here. ApiError is what the fake Discord answers the bot over HTTP
// (Discord's JSON error shape and codes). DiscordServerError is what the driving API throws at a
// test that asked for something impossible (no such guild, no connected shard, …), so a broken
// test fails with a stable code instead of hanging.

/** One broken rule inside a request body, located like Discord locates it (`data.embeds.0.title`). */
export interface Issue {
  path: (string | number)[];
  /** Discord's error code string, e.g. BASE_TYPE_MAX_LENGTH. */
  code: string;
  message: string;
  /** Our stable name for the rule, what tests assert on. */
  rule: RuleName;
}

export const RULE_NAMES = [
  // message payloads
  'CONTENT_TOO_LONG',
  'EMPTY_MESSAGE',
  'TOO_MANY_EMBEDS',
  'EMBED_TITLE_TOO_LONG',
  'EMBED_DESCRIPTION_TOO_LONG',
  'EMBED_TOO_MANY_FIELDS',
  'EMBED_FIELD_TOO_LONG',
  'EMBED_FOOTER_TOO_LONG',
  'EMBED_AUTHOR_TOO_LONG',
  'EMBEDS_TOO_LARGE',
  'TOO_MANY_ACTION_ROWS',
  'INVALID_ACTION_ROW',
  'CUSTOM_ID_LENGTH',
  'DUPLICATE_CUSTOM_ID',
  'COMPONENT_INVALID',
  'TOO_MANY_ATTACHMENTS',
  'FILE_TOO_LARGE',
  // interaction responses
  'TOO_MANY_CHOICES',
  'CHOICE_INVALID',
  'MODAL_INVALID',
  'INVALID_CALLBACK_TYPE',
  'UNKNOWN_INTERACTION',
  'INTERACTION_RESPONSE_LATE',
  'INTERACTION_ALREADY_ACKNOWLEDGED',
  'INTERACTION_TOKEN_EXPIRED',
  'INVALID_WEBHOOK_TOKEN',
  'UNKNOWN_WEBHOOK',
  'NOT_ACKNOWLEDGED',
  'UNKNOWN_MESSAGE',
  // command registration
  'COMMAND_NAME_INVALID',
  'COMMAND_DESCRIPTION_INVALID',
  'TOO_MANY_OPTIONS',
  'REQUIRED_AFTER_OPTIONAL',
  'OPTION_INVALID',
  'INVALID_LOCALE',
  'DUPLICATE_NAME',
  'TOO_MANY_COMMANDS',
  'COMMAND_TOO_LARGE',
  'UNKNOWN_COMMAND',
  // generic HTTP
  'UNAUTHORIZED',
  'MISSING_ACCESS',
  'MISSING_PERMISSIONS',
  'RATE_LIMITED',
  'UNKNOWN_ROUTE',
  'METHOD_NOT_ALLOWED',
  'INVALID_API_VERSION',
  'INVALID_BODY',
  'UNKNOWN_CHANNEL',
  'UNKNOWN_GUILD',
  // gateway
  'GATEWAY_AUTHENTICATION_FAILED',
  'GATEWAY_DISALLOWED_INTENTS',
  'GATEWAY_INVALID_INTENTS',
  'GATEWAY_INVALID_SHARD',
  'GATEWAY_SHARDING_REQUIRED',
  'GATEWAY_NOT_AUTHENTICATED',
  'GATEWAY_ALREADY_AUTHENTICATED',
  'GATEWAY_DECODE_ERROR',
  'GATEWAY_INVALID_API_VERSION',
  'GATEWAY_UNKNOWN_OPCODE',
  'GATEWAY_INVALID_SESSION',
] as const;

export type RuleName = (typeof RULE_NAMES)[number];

/** Discord's JSON error body: `{ code, message, errors? }`. */
export interface DiscordErrorBody {
  code: number;
  message: string;
  errors?: ErrorTree;
}

export interface ErrorTree {
  [key: string]: ErrorTree | { code: string; message: string }[];
}

/** An HTTP error answered to the client; `rule` says which of Discord's rules the request broke. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: DiscordErrorBody,
    readonly rule: RuleName,
    readonly issues: Issue[] = [],
  ) {
    super(`${status} ${body.code} ${body.message}`);
    this.name = 'ApiError';
  }
}

/** Nests issues the way Discord does: `{ data: { content: { _errors: [{ code, message }] } } }`. */
export function errorTree(issues: Issue[]): ErrorTree {
  const root: ErrorTree = {};
  for (const issue of issues) {
    let node = root;
    for (const key of issue.path.map(String)) {
      const next = node[key];
      if (next === undefined || Array.isArray(next)) node[key] = {};
      node = node[key] as ErrorTree;
    }
    const list = (node._errors ??= []) as { code: string; message: string }[];
    list.push({ code: issue.code, message: issue.message });
  }
  return root;
}

export function invalidFormBody(issues: Issue[]): ApiError {
  return new ApiError(
    400,
    { code: 50035, message: 'Invalid Form Body', errors: errorTree(issues) },
    issues[0]?.rule ?? 'INVALID_BODY',
    issues,
  );
}

// The JSON codes and messages Discord uses for the failures this server can produce.
export const apiErrors = {
  unauthorized: () => new ApiError(401, { code: 0, message: '401: Unauthorized' }, 'UNAUTHORIZED'),
  missingAccess: () => new ApiError(403, { code: 50001, message: 'Missing Access' }, 'MISSING_ACCESS'),
  missingPermissions: () => new ApiError(403, { code: 50013, message: 'Missing Permissions' }, 'MISSING_PERMISSIONS'),
  notFound: () => new ApiError(404, { code: 0, message: '404: Not Found' }, 'UNKNOWN_ROUTE'),
  methodNotAllowed: () => new ApiError(405, { code: 0, message: '405: Method Not Allowed' }, 'METHOD_NOT_ALLOWED'),
  invalidApiVersion: () =>
    new ApiError(400, { code: 50041, message: 'Invalid API version provided' }, 'INVALID_API_VERSION'),
  invalidJson: () =>
    new ApiError(400, { code: 50109, message: 'The request body contains invalid JSON.' }, 'INVALID_BODY'),
  unknownChannel: () => new ApiError(404, { code: 10003, message: 'Unknown Channel' }, 'UNKNOWN_CHANNEL'),
  unknownGuild: () => new ApiError(404, { code: 10004, message: 'Unknown Guild' }, 'UNKNOWN_GUILD'),
  unknownMessage: (rule: RuleName = 'UNKNOWN_MESSAGE') =>
    new ApiError(404, { code: 10008, message: 'Unknown Message' }, rule),
  unknownWebhook: (rule: RuleName = 'UNKNOWN_WEBHOOK') =>
    new ApiError(404, { code: 10015, message: 'Unknown Webhook' }, rule),
  unknownInteraction: (rule: RuleName = 'UNKNOWN_INTERACTION') =>
    new ApiError(404, { code: 10062, message: 'Unknown interaction' }, rule),
  unknownCommand: () => new ApiError(404, { code: 10063, message: 'Unknown application command' }, 'UNKNOWN_COMMAND'),
  alreadyAcknowledged: () =>
    new ApiError(
      400,
      { code: 40060, message: 'Interaction has already been acknowledged.' },
      'INTERACTION_ALREADY_ACKNOWLEDGED',
    ),
  invalidWebhookToken: (rule: RuleName = 'INVALID_WEBHOOK_TOKEN') =>
    new ApiError(401, { code: 50027, message: 'Invalid Webhook Token' }, rule),
  emptyMessage: () => new ApiError(400, { code: 50006, message: 'Cannot send an empty message' }, 'EMPTY_MESSAGE'),
  fileTooLarge: () => new ApiError(413, { code: 40005, message: 'Request entity too large' }, 'FILE_TOO_LARGE'),
};

export const SERVER_ERROR_CODES = [
  'UNKNOWN_GUILD',
  'UNKNOWN_CHANNEL',
  'UNKNOWN_MESSAGE',
  'UNKNOWN_COMPONENT',
  'COMPONENT_DISABLED',
  'UNKNOWN_OPTION',
  'MISSING_OPTION',
  'NO_MODAL',
  'UNKNOWN_MODAL_FIELD',
  'NO_GATEWAY_SESSION',
  'NO_RESPONSE',
  'TIMEOUT',
  'VIOLATIONS',
  'CLOSED',
] as const;

export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];

export class DiscordServerError extends Error {
  constructor(
    readonly code: ServerErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${message}`);
    this.name = 'DiscordServerError';
  }
}
