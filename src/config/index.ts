// The application's configuration (the bot, the console and the operator scripts): .env (through dotenv) and the
// process environment, validated once at
// start. Every problem is reported at once, each as "VARIABLE: what is wrong (what is expected)",
// so a misconfigured bot stops with a message that says how to fix it instead of failing later.
import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_CACHE_BYTES, DEFAULT_GUILD_LIMITS } from '../manager/model-manager.js';
import { DEFAULT_MAX_VERSIONS_PER_MODEL } from '../manager/model-transfer.js';
import type { ManagerConfig } from '../manager/types.js';

/** A slash command takes at most five attachments (file1..file5). */
const MAX_FILES_PER_TRAINING = 5;

/**
 * DATA_DIR, MODELS_DIR and BACKUP_DIR when unset, relative to where the process starts: the only
 * defaults of these folders (src/store/data-paths.ts names the files inside them).
 */
export const DEFAULT_FOLDERS = { dataDir: './data', modelsDir: './models', backupDir: './backups' } as const;

export interface BotConfig {
  /** null: no bot; `npm start` opens the local console instead. */
  token: string | null;
  /** Base URL of a Discord-compatible API (discord.js `rest.api`), or null for Discord itself. */
  apiUrl: string | null;
  devGuildId: string | null;
  dataDir: string;
  modelsDir: string;
  limits: {
    maxAttachmentBytes: number;
    maxTrainingBytes: number;
    maxModelsPerGuild: number;
    maxBytesPerGuild: number;
    maxVersionsPerModel: number;
  };
  trainingWorkers: number;
  maxConcurrentTrainings: number;
  maxQueuedTrainings: number;
  cacheBytes: number;
  generateCooldownMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** 'auto': Discord's recommended count (`GET /gateway/bot`). */
  shards: number | 'auto';
  /** Snapshots: `npm run backup`, `npm run restore`, and the bot's own schedule. */
  backup: BackupConfig;
  /** Issue 18: read channels (/train channel, /listen, replies); asks for the Message Content intent. */
  learnFromChannels: boolean;
  /** Minutes between retrainings from listened channels. */
  listenBatchMinutes: number;
  /** Per channel: no second reply (mention or chance) within this long. */
  replyCooldownMs: number;
  /** Collected messages kept per server (the oldest go first). */
  maxCollectedMessages: number;
}

interface BackupConfig {
  dir: string;
  /** 0: the bot takes none by itself. */
  intervalHours: number;
  keep: number;
  /** Off-site copies of each snapshot, or null. */
  s3: S3Config | null;
}

export interface S3Config {
  bucket: string;
  /** Key prefix without a trailing slash ('' for the bucket's root). */
  prefix: string;
  endpoint: string | null;
  region: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  forcePathStyle: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (.env or environment):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }

  /** What the bot and the console print before exiting 1: every problem, then where to look. */
  report(): string {
    return `${this.message}\nSee .env.example for every variable and its default.\n`;
  }
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** "10485760", "10MB", "10 MiB", "512k" → bytes (binary multiples, as the bot displays them). */
export function parseByteSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) return null;
  const unit = UNITS[match[2].toLowerCase()];
  if (unit === undefined) return null;
  const bytes = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

function optionalText() {
  return z.preprocess(blankToUndefined, z.string().trim().optional());
}

function byteSize(defaultBytes: number, minimum: number) {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((value, context) => {
        if (value === undefined) return defaultBytes;
        const bytes = parseByteSize(value);
        if (bytes === null || bytes < minimum) {
          context.addIssue({
            code: 'custom',
            message: `must be a size of at least ${minimum} bytes, like 10485760, 10MB or 512KB; got "${value}"`,
          });
          return z.NEVER;
        }
        return bytes;
      }),
  );
}

function integer(defaultValue: number, minimum: number, maximum: number) {
  return z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((value, context) => {
        if (value === undefined) return defaultValue;
        const number = Number(value);
        if (!/^\s*-?\d+\s*$/.test(value) || number < minimum || number > maximum) {
          context.addIssue({
            code: 'custom',
            message: `must be a whole number from ${minimum} to ${maximum}; got "${value}"`,
          });
          return z.NEVER;
        }
        return number;
      }),
  );
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z.object({
  DISCORD_TOKEN: optionalText(),
  DISCORD_API_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .optional()
      .refine((value) => value === undefined || /^https?:\/\/[^\s/]+/i.test(value), {
        message: 'must be an http(s) URL such as http://127.0.0.1:8080/api (discord.js appends /v10)',
      }),
  ),
  DEV_GUILD_ID: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .optional()
      .refine((value) => value === undefined || /^\d{15,21}$/.test(value), {
        message: 'must be a server id (15–21 digits: right-click the server → Copy Server ID with Developer Mode on)',
      }),
  ),
  DATA_DIR: optionalText(),
  MODELS_DIR: optionalText(),
  MAX_ATTACHMENT_BYTES: byteSize(DEFAULT_GUILD_LIMITS.maxAttachmentBytes, 1024),
  MAX_TRAINING_BYTES: byteSize(DEFAULT_GUILD_LIMITS.maxTrainingBytes, 1024),
  MAX_MODELS_PER_GUILD: integer(DEFAULT_GUILD_LIMITS.maxModels, 1, 10_000),
  MAX_BYTES_PER_GUILD: byteSize(DEFAULT_GUILD_LIMITS.maxBytes, 1024),
  MAX_VERSIONS_PER_MODEL: integer(DEFAULT_MAX_VERSIONS_PER_MODEL, 1, 1_000),
  TRAINING_WORKERS: integer(1, 1, 64),
  MAX_CONCURRENT_TRAININGS: integer(1, 1, 64),
  MAX_QUEUED_TRAININGS: integer(4, 0, 1_000),
  CACHE_BYTES: byteSize(DEFAULT_CACHE_BYTES, 1024 * 1024),
  GENERATE_COOLDOWN_SECONDS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((value, context) => {
        if (value === undefined) return 3;
        const seconds = Number(value);
        if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
          context.addIssue({
            code: 'custom',
            message: `must be a number of seconds from 0 to 3600 (0 turns the cooldown off); got "${value}"`,
          });
          return z.NEVER;
        }
        return seconds;
      }),
  ),
  LOG_LEVEL: z.preprocess(
    (value) => (typeof value === 'string' ? blankToUndefined(value.toLowerCase()) : value),
    z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  // ---- backups -------------------------------------------------------------------
  BACKUP_DIR: optionalText(),
  BACKUP_INTERVAL_HOURS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((value, context) => {
        if (value === undefined) return 24;
        const hours = Number(value);
        if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || hours > 8760) {
          context.addIssue({
            code: 'custom',
            message: `must be a number of hours from 0 to 8760 (0 turns the bot's own backups off); got "${value}"`,
          });
          return z.NEVER;
        }
        return hours;
      }),
  ),
  BACKUP_KEEP: integer(7, 1, 1_000),
  BACKUP_S3_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .optional()
      .refine((value) => value === undefined || /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(value), {
        message:
          'must be s3://bucket or s3://bucket/prefix (bucket: 3–63 lower-case letters, digits, dots and hyphens)',
      }),
  ),
  BACKUP_S3_ENDPOINT: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .optional()
      .refine((value) => value === undefined || /^https?:\/\/[^\s/]+/i.test(value), {
        message:
          'must be an http(s) URL of an S3-compatible service, such as https://s3.example.com or http://127.0.0.1:9000',
      }),
  ),
  BACKUP_S3_REGION: optionalText(),
  BACKUP_S3_ACCESS_KEY_ID: optionalText(),
  BACKUP_S3_SECRET_ACCESS_KEY: optionalText(),
  BACKUP_S3_FORCE_PATH_STYLE: z.preprocess(
    (value) => (typeof value === 'string' ? blankToUndefined(value.trim().toLowerCase()) : value),
    z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }).optional(),
  ),
  LEARN_FROM_CHANNELS: z.preprocess(
    (value) => (typeof value === 'string' ? blankToUndefined(value.trim().toLowerCase()) : value),
    z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }).optional(),
  ),
  LISTEN_BATCH_MINUTES: integer(10, 1, 24 * 60),
  REPLY_COOLDOWN_SECONDS: integer(10, 0, 3600),
  MAX_COLLECTED_MESSAGES: integer(50_000, 100, 10_000_000),
  SHARDS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((value, context) => {
        if (value === undefined || value.trim().toLowerCase() === 'auto') return 'auto' as const;
        const count = Number(value);
        if (!/^\s*\d+\s*$/.test(value) || count < 1 || count > 1_000) {
          context.addIssue({
            code: 'custom',
            message: `must be "auto" or a number of shards from 1 to 1000; got "${value}"`,
          });
          return z.NEVER;
        }
        return count;
      }),
  ),
});

const ATTACHMENT_OVER_TRAINING =
  'MAX_ATTACHMENT_BYTES: is larger than MAX_TRAINING_BYTES; a file can never be larger than a whole training. Lower it or raise MAX_TRAINING_BYTES.';

/** Validates the environment (call loadDotenv first to read .env). `cwd` anchors relative dirs. */
export function parseConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): BotConfig {
  // In a process spawned by discord.js's ShardingManager, SHARDS holds this process's shard ids
  // (discord.js's own convention, read by the Client); our SHARDS setting is the parent's.
  const source = env.SHARDING_MANAGER === 'true' ? { ...env, SHARDS: undefined } : env;
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
    // The pair check below needs both sizes; when both are valid it is listed with the rest.
    const sizes = schema.pick({ MAX_ATTACHMENT_BYTES: true, MAX_TRAINING_BYTES: true }).safeParse(source);
    if (sizes.success && sizes.data.MAX_ATTACHMENT_BYTES > sizes.data.MAX_TRAINING_BYTES)
      problems.push(ATTACHMENT_OVER_TRAINING);
    throw new ConfigError(problems);
  }
  const values = parsed.data;
  const problems: string[] = [];
  if (values.MAX_ATTACHMENT_BYTES > values.MAX_TRAINING_BYTES) {
    // Not an error in itself (a single file is then capped by the per-training limit), but
    // almost always a typo; saying so early saves a confused operator.
    problems.push(ATTACHMENT_OVER_TRAINING);
  }
  if ((values.BACKUP_S3_ACCESS_KEY_ID === undefined) !== (values.BACKUP_S3_SECRET_ACCESS_KEY === undefined)) {
    problems.push(
      'BACKUP_S3_ACCESS_KEY_ID, BACKUP_S3_SECRET_ACCESS_KEY: set both, or neither (then the AWS SDK looks for credentials itself)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const dataDir = resolve(cwd, values.DATA_DIR ?? DEFAULT_FOLDERS.dataDir);
  return {
    token: values.DISCORD_TOKEN ?? null,
    apiUrl: values.DISCORD_API_URL ? values.DISCORD_API_URL.replace(/\/+$/, '') : null,
    devGuildId: values.DEV_GUILD_ID ?? null,
    dataDir,
    modelsDir: resolve(cwd, values.MODELS_DIR ?? DEFAULT_FOLDERS.modelsDir),
    limits: {
      maxAttachmentBytes: values.MAX_ATTACHMENT_BYTES,
      maxTrainingBytes: values.MAX_TRAINING_BYTES,
      maxModelsPerGuild: values.MAX_MODELS_PER_GUILD,
      maxBytesPerGuild: values.MAX_BYTES_PER_GUILD,
      maxVersionsPerModel: values.MAX_VERSIONS_PER_MODEL,
    },
    trainingWorkers: values.TRAINING_WORKERS,
    maxConcurrentTrainings: values.MAX_CONCURRENT_TRAININGS,
    maxQueuedTrainings: values.MAX_QUEUED_TRAININGS,
    cacheBytes: values.CACHE_BYTES,
    generateCooldownMs: Math.round(values.GENERATE_COOLDOWN_SECONDS * 1000),
    logLevel: values.LOG_LEVEL,
    shards: values.SHARDS,
    learnFromChannels:
      values.LEARN_FROM_CHANNELS === 'true' ||
      values.LEARN_FROM_CHANNELS === '1' ||
      values.LEARN_FROM_CHANNELS === 'yes',
    listenBatchMinutes: values.LISTEN_BATCH_MINUTES,
    replyCooldownMs: values.REPLY_COOLDOWN_SECONDS * 1000,
    maxCollectedMessages: values.MAX_COLLECTED_MESSAGES,
    backup: {
      dir: resolve(cwd, values.BACKUP_DIR ?? DEFAULT_FOLDERS.backupDir),
      intervalHours: values.BACKUP_INTERVAL_HOURS,
      keep: values.BACKUP_KEEP,
      s3: s3Config(values),
    },
  };
}

function s3Config(values: {
  BACKUP_S3_URL?: string;
  BACKUP_S3_ENDPOINT?: string;
  BACKUP_S3_REGION?: string;
  BACKUP_S3_ACCESS_KEY_ID?: string;
  BACKUP_S3_SECRET_ACCESS_KEY?: string;
  BACKUP_S3_FORCE_PATH_STYLE?: string;
}): S3Config | null {
  if (!values.BACKUP_S3_URL) return null;
  const rest = values.BACKUP_S3_URL.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  const endpoint = values.BACKUP_S3_ENDPOINT ? values.BACKUP_S3_ENDPOINT.replace(/\/+$/, '') : null;
  const pathStyle = values.BACKUP_S3_FORCE_PATH_STYLE;
  return {
    bucket,
    prefix,
    endpoint,
    region: values.BACKUP_S3_REGION ?? 'us-east-1',
    accessKeyId: values.BACKUP_S3_ACCESS_KEY_ID ?? null,
    secretAccessKey: values.BACKUP_S3_SECRET_ACCESS_KEY ?? null,
    // Most S3-compatible servers (MinIO, Ceph, local ones) want path-style URLs; AWS does not.
    forcePathStyle: pathStyle === undefined ? endpoint !== null : ['true', '1', 'yes'].includes(pathStyle),
  };
}

/** Reads .env (if present; real environment variables win) and validates the result. */
export async function loadConfig(
  options: { cwd?: string; envFile?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<BotConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const dotenv = await import('dotenv');
  dotenv.config({
    path: options.envFile ?? resolve(cwd, '.env'),
    processEnv: env as Record<string, string>,
    quiet: true,
  });
  return parseConfig(env, cwd);
}

/** The model manager's configuration for this bot (shared by every shard process). */
export function managerConfigFor(config: BotConfig, extra: Partial<ManagerConfig> = {}): ManagerConfig {
  return {
    dataDir: config.dataDir,
    modelsDir: config.modelsDir,
    workers: config.trainingWorkers,
    maxConcurrentJobs: config.maxConcurrentTrainings,
    maxQueuedJobs: config.maxQueuedTrainings,
    cacheBytes: config.cacheBytes,
    limits: {
      maxModels: config.limits.maxModelsPerGuild,
      maxBytes: config.limits.maxBytesPerGuild,
      maxTrainingBytes: config.limits.maxTrainingBytes,
      maxAttachmentBytes: config.limits.maxAttachmentBytes,
      maxFiles: MAX_FILES_PER_TRAINING,
      maxVersionsPerModel: config.limits.maxVersionsPerModel,
    },
    ...extra,
  };
}
