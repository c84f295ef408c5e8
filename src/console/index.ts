// The local console: the bot's seven commands in a terminal, or driven by a script through
// standard input. `npm start` opens it when there is no DISCORD_TOKEN.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Actor, AutocompleteContext, CommandModule, Locale } from '../commands/context.js';
import { ConfigError } from '../config/index.js';
import { consoleStrings } from '../i18n/console.js';
import { describeError, translator } from '../i18n/index.js';
import type { ModelManagerApi } from '../manager/types.js';
import { dataPaths } from '../store/index.js';
import { CONSOLE_USAGE, parseConsoleArgs, terminalLocale } from './args.js';
import { localized } from '../commands/option-values.js';
import { toConsoleCommand, type ConsoleCommand } from './command-definitions.js';
import { completeLine } from './completion.js';
import { consoleSetup, loadConsoleCommands, openConsoleManager } from './defaults.js';
import { LineReader } from './line-reader.js';
import { Screen } from './screen.js';
import { ConsoleSession, type LineOutcome } from './session.js';

export interface ConsoleOptions {
  /** Server the console acts in (default "local"). */
  guildId?: string;
  /** Reply language (default: from LC_ALL / LC_MESSAGES / LANG). */
  locale?: Locale;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Where the no-input message and argument errors go (default standard error). */
  errorOutput?: NodeJS.WritableStream;
  /** Prompt, completion, history, live redraws (default: both streams are terminals). */
  interactive?: boolean;
  dataDir?: string;
  modelsDir?: string;
  /** Command-line flags (`--guild`, `--lang`, …), parsed here; they override nothing given above. */
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Relative attachment paths start here (default process.cwd()). */
  cwd?: string;
  /** The command files (default: the ones in commands/, through the loader). */
  commands?: readonly CommandModule[];
  /** A manager to use instead of opening one; the caller closes it. */
  manager?: ModelManagerApi;
  user?: Actor;
  color?: boolean;
  /** Terminal columns (default: the output's, else 80). */
  width?: number;
  now?: () => number;
}

const PROMPT = 'ultra> ';
const SAMPLE: Record<Locale, string> = { en: 'data/samples/en-stories.txt', es: 'data/samples/es-cuentos.txt' };
const HISTORY_SIZE = 500;
const AUTOCOMPLETE_TIMEOUT_MS = 3_000;

function localUser(env: NodeJS.ProcessEnv): Actor {
  let name = env.USER || env.USERNAME || 'console';
  try {
    name = userInfo().username || name;
  } catch {
    // Containers without a passwd entry: the environment's name will do.
  }
  return { id: 'console', name };
}

function isTerminal(stream: NodeJS.ReadableStream | NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** Runs the console until input ends or the user exits. Resolves to the process exit code. */
export async function runConsole(options: ConsoleOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const errorOutput = options.errorOutput ?? process.stderr;
  let flags = {};
  if (options.argv) {
    const parsed = parseConsoleArgs(options.argv);
    if (parsed.kind === 'help') {
      output.write(`${CONSOLE_USAGE}\n`);
      return 0;
    }
    if (parsed.kind === 'error') {
      const strings = consoleStrings(options.locale ?? terminalLocale(env));
      errorOutput.write(`${strings.consoleArgumentError(parsed.message)}\n${CONSOLE_USAGE}\n`);
      return 2;
    }
    flags = parsed.flags;
  }
  const settings = { ...flags, ...definedOnly(options) } as ConsoleOptions;
  const locale = settings.locale ?? terminalLocale(env);
  const strings = consoleStrings(locale);
  const interactive = options.interactive ?? (isTerminal(input) && isTerminal(output));
  const cwd = options.cwd ?? process.cwd();
  let setup;
  try {
    setup = await consoleSetup(env, {
      dataDir: settings.dataDir,
      modelsDir: settings.modelsDir,
      cwd,
      readDotenv: options.env === undefined,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    errorOutput.write(error.report());
    return 1;
  }
  const { dataDir } = setup.managerConfig;
  const paths = dataPaths(setup.managerConfig);
  const guildId = settings.guildId ?? 'local';
  const user = options.user ?? localUser(env);
  const color = options.color ?? (interactive && isTerminal(output) && !env.NO_COLOR);
  const now = options.now ?? Date.now;

  let commandsPromise: Promise<ConsoleCommand[]> | null = null;
  const commands = (): Promise<ConsoleCommand[]> => {
    commandsPromise ??= (options.commands ? Promise.resolve(options.commands) : loadConsoleCommands()).then((modules) =>
      modules.map(toConsoleCommand),
    );
    return commandsPromise;
  };

  let managerPromise: Promise<ModelManagerApi> | null = options.manager ? Promise.resolve(options.manager) : null;
  const openedHere = !options.manager;
  const manager = (): Promise<ModelManagerApi> => {
    if (!managerPromise) {
      managerPromise = openConsoleManager(setup.managerConfig);
    }
    return managerPromise;
  };

  const logFile = paths.consoleLog;
  const shownLogFile = relative(cwd, logFile) || logFile;
  const reportUnexpected = (error: unknown, commandLine: string) => {
    const reference = randomBytes(4).toString('hex');
    const detail = error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
    try {
      mkdirSync(dataDir, { recursive: true });
      appendFileSync(
        logFile,
        `${JSON.stringify({ time: new Date(now()).toISOString(), reference, guildId, commandLine, error: detail })}\n`,
      );
    } catch {
      // The reference is still shown; a read-only data folder must not hide the original error.
    }
    return { reference, logFile: shownLogFile };
  };

  const readline = createInterface({
    input,
    output: interactive ? output : undefined,
    terminal: interactive,
    historySize: HISTORY_SIZE,
    history: interactive ? readHistory(paths.consoleHistory) : [],
    removeHistoryDuplicates: true,
    tabSize: 4,
    completer: interactive
      ? (line: string, callback: (error: Error | null, result: [string[], string]) => void) => {
          commands()
            .then((loaded) =>
              completeLine(line, {
                commands: loaded,
                locale,
                builtins: ['help', 'exit'],
                cwd,
                autocomplete: (command, focused) => autocomplete(command, focused),
              }),
            )
            .then(
              (result) => callback(null, result),
              () => callback(null, [[], line]),
            );
        }
      : undefined,
  });
  const reader = new LineReader(readline, interactive);
  const columns = () => options.width ?? (output as { columns?: number }).columns ?? 80;
  const rows = () => (output as { rows?: number }).rows ?? 24;
  const screen = new Screen(output, { live: interactive && isTerminal(output), width: columns, height: rows });
  const session = new ConsoleSession({
    commands,
    manager,
    guildId,
    user,
    locale,
    t: translator(locale),
    describeError: (error) => describeError(locale, error),
    strings,
    screen,
    reader,
    cwd,
    color,
    reportUnexpected,
    now,
    bot: { version: packageVersion(), startedAt: now() },
  });

  async function autocomplete(command: ConsoleCommand, focused: { name: string; value: string }) {
    if (!command.module.autocomplete) return [];
    const context: AutocompleteContext = {
      guildId,
      user,
      locale,
      t: translator(locale),
      focused,
      manager: await manager(),
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never[]>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout([]), AUTOCOMPLETE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([command.module.autocomplete(context), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  let interruptedAtPrompt = false;
  if (interactive) {
    readline.on('SIGINT', () => {
      if (session.busy) {
        if (session.interrupt()) {
          output.write('\n');
          return;
        }
        void manager().then((opened) => {
          if (opened.cancel(guildId)) session.notice(strings.cancellingTraining, 'dim');
        });
        return;
      }
      if (interruptedAtPrompt || readline.line.length === 0) {
        readline.close();
        return;
      }
      interruptedAtPrompt = true;
      readline.write(null, { ctrl: true, name: 'u' });
      session.notice(['', strings.interruptHint], 'dim');
      readline.prompt();
    });
    try {
      const loaded = await commands();
      // Not wrapped: a command cut in two cannot be copied back into the prompt.
      screen.print(
        strings.greeting({
          guildId,
          sample: SAMPLE[locale],
          dataDir: setup.shownDataDir,
          modelsDir: setup.shownModelsDir,
          localizedTrain: localizedTrainExample(loaded, locale),
        }),
      );
      // Opening now reports a broken database at once, and makes the first Tab on a model name fast.
      await manager();
    } catch (error) {
      session.showError(error, '(start)');
      readline.close();
      return 1;
    }
  }

  let commandsRun = 0;
  let failures = 0;
  let endedAtPrompt = false;
  for (;;) {
    const next = await reader.read(PROMPT);
    if (next.kind !== 'line') {
      endedAtPrompt = true;
      break;
    }
    interruptedAtPrompt = false;
    screen.invalidate();
    const text = next.text.trim();
    if (!interactive && text.length > 0 && !text.startsWith('#')) session.notice(`${PROMPT}${text}`, 'dim');
    let outcome: LineOutcome;
    try {
      outcome = await session.runLine(next.text);
    } catch (error) {
      session.showError(error, text);
      outcome = 'failed';
    }
    if (outcome === 'exit') break;
    if (outcome === 'skipped') continue;
    commandsRun++;
    if (outcome === 'failed') failures++;
  }

  if (interactive) {
    writeHistory(paths.consoleHistory, (readline as unknown as { history: string[] }).history);
    // Ctrl+D and Ctrl+C leave the cursor after the prompt; /exit already ended its line.
    if (endedAtPrompt) output.write('\n');
    session.notice(strings.goodbye, 'dim');
  }
  readline.close();
  if (openedHere && managerPromise) {
    try {
      await (await managerPromise).close();
    } catch {
      // Already reported when it failed to open.
    }
  }
  if (!interactive && commandsRun === 0) {
    errorOutput.write(`${strings.noInput.join('\n')}\n`);
    return 1;
  }
  return !interactive && failures > 0 ? 1 : 0;
}

/** `/entrenar archivo1:…` when the train command has names in the console's language. */
function localizedTrainExample(commands: readonly ConsoleCommand[], locale: Locale): string | null {
  const train = commands.find((command) => command.definition.name === 'train');
  const file = train?.definition.options?.find((option) => option.name === 'file1');
  if (!train || !file) return null;
  const commandName = localized(train.definition.name, train.definition.name_localizations, locale);
  const optionName = localized(file.name, file.name_localizations, locale);
  if (commandName === 'train' && optionName === 'file1') return null;
  return `/${commandName} ${optionName}:${SAMPLE[locale]}`;
}

function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return manifest.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function definedOnly(options: ConsoleOptions): ConsoleOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as ConsoleOptions;
}

function readHistory(file: string): string[] {
  try {
    // readline keeps the newest entry first; the file is oldest first, like a shell's.
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

function writeHistory(file: string, newestFirst: readonly string[]): void {
  try {
    mkdirSync(resolve(file, '..'), { recursive: true });
    writeFileSync(file, `${[...newestFirst].slice(0, HISTORY_SIZE).reverse().join('\n')}\n`);
  } catch {
    // History is a convenience; a read-only data folder only loses it.
  }
}
