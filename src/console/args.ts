// Command-line flags of the console and the terminal's language.
import type { Locale } from '../commands/context.js';
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
  '  --data-dir DIR    SQLite database folder (default: DATA_DIR or ./data)',
  '  --models-dir DIR  model files folder (default: MODELS_DIR or ./models)',
].join('\n');

/** Parses the console's flags (`process.argv.slice(2)`); `--flag value` and `--flag=value`. */
export function parseConsoleArgs(argv: readonly string[]): ParsedConsoleArgs {
  const flags: ConsoleFlags = {};
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--help' || argument === '-h') return { kind: 'help' };
    const match = /^(--[a-z-]+)(?:=(.*))?$/s.exec(argument);
    const flag = match?.[1];
    if (!flag || !['--guild', '--lang', '--data-dir', '--models-dir'].includes(flag)) {
      return { kind: 'error', code: 'UNKNOWN_ARGUMENT', argument, message: `unknown argument "${argument}"` };
    }
    let value = match[2];
    if (value === undefined) {
      value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) {
        return { kind: 'error', code: 'MISSING_VALUE', argument: flag, message: `${flag} needs a value` };
      }
      index++;
    }
    switch (flag) {
      case '--guild':
        // The store's rule, so a bad --guild fails here with a clear message instead of on the first command.
        if (!isValidGuildId(value)) {
          return {
            kind: 'error',
            code: 'BAD_VALUE',
            argument: flag,
            message: `--guild must be 1–32 lower-case letters, digits, "-" or "_" (a Discord server id works), not "${value}"`,
          };
        }
        flags.guildId = value;
        break;
      case '--lang': {
        const locale = parseLocale(value);
        if (!locale)
          return {
            kind: 'error',
            code: 'BAD_VALUE',
            argument: flag,
            message: `--lang must be en or es, not "${value}"`,
          };
        flags.locale = locale;
        break;
      }
      case '--data-dir':
        flags.dataDir = value;
        break;
      case '--models-dir':
        flags.modelsDir = value;
        break;
    }
  }
  return { kind: 'run', flags };
}
