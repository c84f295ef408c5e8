// Command-line flags of the console and the terminal's language.
import { parseArgs } from 'node:util';
import type { Locale } from '../commands/context.js';
import { DEFAULT_FOLDERS } from '../config/index.js';
import { isValidGuildId } from '../store/names.js';

/** POSIX precedence: LC_ALL overrides LC_MESSAGES, which overrides LANG. */
export function terminalLocale(env: NodeJS.ProcessEnv): Locale {
  const setting = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value !== undefined && value !== '') ?? '';
  return /^es([_.@-]|$)/i.test(setting) ? 'es' : 'en';
}

function parseLocale(value: string): Locale | null {
  const lower = value.toLowerCase();
  if (/^es([_.@-]|$)/.test(lower)) return 'es';
  if (/^en([_.@-]|$)/.test(lower)) return 'en';
  return null;
}

interface ConsoleFlags {
  guildId?: string;
  locale?: Locale;
  dataDir?: string;
  modelsDir?: string;
}

export type ParsedConsoleArgs =
  | { kind: 'run'; flags: ConsoleFlags }
  | { kind: 'help' }
  | { kind: 'error'; code: 'UNKNOWN_ARGUMENT' | 'MISSING_VALUE' | 'BAD_VALUE'; argument: string; message: string };

export const CONSOLE_USAGE = [
  'Usage: npm start -- [--guild ID] [--lang en|es] [--data-dir DIR] [--models-dir DIR]',
  '  --guild ID        act as the owner of this server (default "local")',
  '  --lang en|es      language of the replies (default: from LC_ALL / LC_MESSAGES / LANG)',
  `  --data-dir DIR    SQLite database folder (default: DATA_DIR or ${DEFAULT_FOLDERS.dataDir})`,
  `  --models-dir DIR  model files folder (default: MODELS_DIR or ${DEFAULT_FOLDERS.modelsDir})`,
].join('\n');

const FLAGS = {
  guild: { type: 'string' },
  lang: { type: 'string' },
  'data-dir': { type: 'string' },
  'models-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type ArgumentError = Extract<ParsedConsoleArgs, { kind: 'error' }>;

/**
 * Parses the console's flags (`process.argv.slice(2)`); `--flag value` and `--flag=value`. The
 * reading is `node:util`'s parseArgs, as in the `ultra` CLI; its tokens are checked here so each
 * mistake gets its own code and names the argument as typed.
 */
export function parseConsoleArgs(argv: readonly string[]): ParsedConsoleArgs {
  const { tokens } = parseArgs({
    args: [...argv],
    options: FLAGS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const unknown = (argument: string): ArgumentError => ({
    kind: 'error',
    code: 'UNKNOWN_ARGUMENT',
    argument,
    message: `unknown argument "${argument}"`,
  });
  const flags: ConsoleFlags = {};
  for (const token of tokens) {
    if (token.kind !== 'option') return unknown(argv[token.index]!);
    const flag = `--${token.name}`;
    if (token.name === 'help') {
      if (token.value !== undefined) return unknown(argv[token.index]!);
      return { kind: 'help' };
    }
    if (!Object.hasOwn(FLAGS, token.name)) return unknown(argv[token.index]!);
    const value = token.value;
    // `--guild --lang es`: parseArgs would take "--lang" as the value.
    if (value === undefined || (!token.inlineValue && value.startsWith('--'))) {
      return { kind: 'error', code: 'MISSING_VALUE', argument: flag, message: `${flag} needs a value` };
    }
    const refused = applyFlag(flags, token.name as Exclude<keyof typeof FLAGS, 'help'>, value);
    if (refused) return refused;
  }
  return { kind: 'run', flags };
}

function applyFlag(
  flags: ConsoleFlags,
  name: 'guild' | 'lang' | 'data-dir' | 'models-dir',
  value: string,
): ArgumentError | null {
  switch (name) {
    case 'guild':
      // The store's rule, so a bad --guild fails here with a clear message instead of on the first command.
      if (!isValidGuildId(value)) {
        return {
          kind: 'error',
          code: 'BAD_VALUE',
          argument: '--guild',
          message: `--guild must be 1–32 lower-case letters, digits, "-" or "_" (a Discord server id works), not "${value}"`,
        };
      }
      flags.guildId = value;
      return null;
    case 'lang': {
      const locale = parseLocale(value);
      if (!locale)
        return {
          kind: 'error',
          code: 'BAD_VALUE',
          argument: '--lang',
          message: `--lang must be en or es, not "${value}"`,
        };
      flags.locale = locale;
      return null;
    }
    case 'data-dir':
      flags.dataDir = value;
      return null;
    case 'models-dir':
      flags.modelsDir = value;
      return null;
  }
}
