// One console session: runs command lines through the same command files the bot uses, with a
// CommandContext whose replies go to the screen and whose buttons, menus and forms are answered
// on the next input lines.
import type {
  Actor,
  AwaitComponentOptions,
  BotInfo,
  CommandContext,
  ComponentInteraction,
  Locale,
  ModalSpec,
  Reply,
  ReplyEmbed,
  Translate,
} from '../commands/context.js';
import { UserError, isUserError } from '../errors.js';
import type { ConsoleStrings } from '../i18n/console.js';
import type { ModelManagerApi } from '../manager/types.js';
import { resolveOptionValues } from './attachments.js';
import { localized, OptionType, type OptionDefinition } from '../commands/option-values.js';
import { commandNamesFor, findCommand, type ConsoleCommand } from './command-definitions.js';
import { commandNameOf, parseCommandLine } from './command-line.js';
import type { LineReader } from './line-reader.js';
import { saveReplyFiles } from './exports.js';
import { paint, renderEmbed, renderReply, type Choice } from './render.js';
import type { Screen } from './screen.js';
import { discordMarkdownToPlain, wrapText } from './text.js';

export interface SessionOptions {
  /** Loaded on the first command line: a pipe that carries none never pays for discord.js. */
  commands: () => Promise<readonly ConsoleCommand[]>;
  /** Opened on first use: a pipe that carries no command never creates a database. */
  manager: () => Promise<ModelManagerApi>;
  guildId: string;
  user: Actor;
  locale: Locale;
  t: Translate;
  /** A UserError as a sentence in the session's language (the bot's catalogue). */
  describeError: (error: UserError) => string;
  strings: ConsoleStrings;
  screen: Screen;
  reader: LineReader;
  /** Relative attachment paths are resolved from here. */
  cwd: string;
  color: boolean;
  /** Logs an unexpected error and returns the reference the user is shown. */
  reportUnexpected: (error: unknown, commandLine: string) => { reference: string; logFile: string };
  now: () => number;
  /** Version and start time for /status; no /generate cooldown for the console's single user. */
  bot?: BotInfo;
  /**
   * Whether a reply reports a failure; a command that answers with one has failed (the exit
   * code of a piped session). Defaults to looksLikeErrorReply.
   */
  isErrorReply?: (reply: Reply) => boolean;
}

export type LineOutcome = 'ok' | 'failed' | 'skipped' | 'exit';

interface ConsoleMessage {
  id: number;
  reply: Reply;
  lines: string[];
  bodyLength: number;
  choices: Choice[];
}

const EXIT_NAMES = new Set(['exit', 'quit', 'salir']);
const HELP_NAMES = new Set(['help', 'ayuda']);

/**
 * How the commands answer an expected failure they catch themselves (errorReply in
 * src/commands/render.ts): an ephemeral text with no embed and no buttons. Failures they throw
 * are seen directly.
 */
function looksLikeErrorReply(reply: Reply): boolean {
  return reply.ephemeral === true && Boolean(reply.content) && !reply.embeds?.length && !reply.components?.length;
}

/** Discord's edit semantics: a field left out keeps its value. */
function mergeReply(previous: Reply, next: Reply): Reply {
  const merged: Reply = { ...previous };
  if (next.content !== undefined) merged.content = next.content;
  if (next.embeds !== undefined) merged.embeds = next.embeds;
  if (next.components !== undefined) merged.components = next.components;
  if (next.files !== undefined) merged.files = next.files;
  if (next.ephemeral !== undefined) merged.ephemeral = next.ephemeral;
  return merged;
}

export class ConsoleSession {
  private readonly messages = new Map<number, ConsoleMessage>();
  private nextMessageId = 1;
  /** Form answers collected by showModal, waiting for the command to ask for them. */
  private readonly modalAnswers = new Map<string, Record<string, string> | null>();
  private running: string | null = null;
  /** Ends the answer being read (a choice, a form field) when the user presses Ctrl+C. */
  private answerInterrupt: AbortController | null = null;

  constructor(private readonly options: SessionOptions) {}

  /** The command name being run, or null at the prompt. */
  get busy(): string | null {
    return this.running;
  }

  private get strings(): ConsoleStrings {
    return this.options.strings;
  }

  private renderOptions() {
    return {
      width: Math.max(20, this.options.screen.width() - 1),
      color: this.options.color,
      locale: this.options.locale === 'es' ? 'es-ES' : 'en-US',
      nowMs: this.options.now(),
    };
  }

  /** Ctrl+C while a choice or a form waits for an answer: leaves it unanswered. */
  interrupt(): boolean {
    if (!this.answerInterrupt) return false;
    this.answerInterrupt.abort();
    return true;
  }

  private async readAnswer(prompt: string, timeoutMs?: number, signal?: AbortSignal) {
    const interrupt = new AbortController();
    this.answerInterrupt = interrupt;
    try {
      return await this.options.reader.read(
        prompt,
        timeoutMs,
        signal ? AbortSignal.any([signal, interrupt.signal]) : interrupt.signal,
      );
    } finally {
      this.answerInterrupt = null;
    }
  }

  /** Prints a notice that belongs to no message. */
  notice(lines: string[] | string, tone: 'plain' | 'error' | 'dim' = 'plain'): void {
    const code = tone === 'error' ? '31' : tone === 'dim' ? '2' : '';
    const width = this.renderOptions().width;
    const list = (Array.isArray(lines) ? lines : [lines]).flatMap((line) => wrapText(line, width));
    this.options.screen.print(code ? list.map((line) => paint(line, code, this.options.color)) : list);
  }

  // ---- messages ------------------------------------------------------------------------------

  private createMessage(reply: Reply): ConsoleMessage {
    const rendered = renderReply(reply, this.renderOptions());
    const message: ConsoleMessage = { id: this.nextMessageId++, reply, ...rendered };
    this.messages.set(message.id, message);
    if (rendered.lines.length > 0) this.options.screen.showMessage(message.id, rendered.lines);
    return message;
  }

  private updateMessage(message: ConsoleMessage, next: Reply, merge = true): void {
    const reply = merge ? mergeReply(message.reply, next) : next;
    const rendered = renderReply(reply, this.renderOptions());
    const previous = message.lines;
    const previousBody = message.bodyLength;
    Object.assign(message, rendered, { reply });
    this.options.screen.updateMessage(message.id, rendered.lines, previous, previousBody);
  }

  // ---- lines ---------------------------------------------------------------------------------

  /** Runs one input line: a command, a console built-in, a comment or nothing. */
  async runLine(line: string): Promise<LineOutcome> {
    const text = line.trim();
    if (text.length === 0 || text.startsWith('#')) return 'skipped';
    let name: string;
    try {
      name = commandNameOf(text).name.toLowerCase();
    } catch (error) {
      this.showError(error, text);
      return 'failed';
    }
    if (EXIT_NAMES.has(name)) return 'exit';
    const commands = await this.options.commands();
    if (HELP_NAMES.has(name)) {
      this.showHelp(commands, text.split(/\s+/)[1]);
      return 'ok';
    }
    let invocation;
    try {
      invocation = parseCommandLine(text, commands, this.options.locale);
    } catch (error) {
      this.showError(error, text);
      return 'failed';
    }
    this.running = invocation.command.definition.name;
    try {
      const locale = this.options.locale;
      const definitions = invocation.command.definition.options ?? [];
      const shownOption = (name: string) => {
        const option = definitions.find((candidate) => candidate.name === name);
        return option ? localized(option.name, option.name_localizations, locale) : name;
      };
      const options = await resolveOptionValues(invocation.options, this.options.cwd, shownOption);
      const manager = await this.options.manager();
      const run = new Invocation(this, manager, options);
      await invocation.command.module.execute(run.context);
      return run.failed ? 'failed' : 'ok';
    } catch (error) {
      this.showError(error, text);
      return 'failed';
    } finally {
      this.running = null;
    }
  }

  showError(error: unknown, commandLine: string): void {
    let message: string;
    if (isUserError(error)) {
      // The catalogue writes Discord markdown (bold names, `code`); the terminal shows it plain.
      const { locale, nowMs } = this.renderOptions();
      message = discordMarkdownToPlain(this.options.describeError(error), { locale, nowMs });
    } else {
      const { reference, logFile } = this.options.reportUnexpected(error, commandLine);
      message = this.strings.internalError(reference, logFile);
    }
    this.notice(`✖ ${message}`, 'error');
  }

  // ---- help ----------------------------------------------------------------------------------

  private optionSummary(option: OptionDefinition): string {
    const typeName =
      option.type === OptionType.String
        ? 'string'
        : option.type === OptionType.Integer
          ? 'integer'
          : option.type === OptionType.Number
            ? 'number'
            : option.type === OptionType.Boolean
              ? 'boolean'
              : option.type === OptionType.Attachment
                ? 'attachment'
                : 'other';
    const parts = [this.strings.optionType[typeName]];
    if (option.required) parts.push(this.strings.required);
    if (option.min_value !== undefined || option.max_value !== undefined)
      parts.push(this.strings.range(option.min_value, option.max_value));
    if (option.choices?.length)
      parts.push(this.strings.choicesOf(option.choices.map((choice) => String(choice.value))));
    return parts.join(', ');
  }

  /** `/name option:…` in the names the console's user sees (`/entrenar archivo1:<archivo>` in Spanish). */
  usageOf(command: ConsoleCommand): string {
    const locale = this.options.locale;
    const words = [`/${localized(command.definition.name, command.definition.name_localizations, locale)}`];
    for (const option of command.definition.options ?? []) {
      const name = localized(option.name, option.name_localizations, locale);
      const placeholder =
        option.type === OptionType.Attachment ? `${name}:<${this.strings.optionType.attachment}>` : `${name}:…`;
      words.push(option.required ? placeholder : `[${placeholder}]`);
    }
    return words.join(' ');
  }

  private showHelp(commands: readonly ConsoleCommand[], topic: string | undefined): void {
    const locale = this.options.locale;
    const renderOptions = this.renderOptions();
    const wanted = topic?.replace(/^\//, '');
    const command = wanted ? findCommand(commands, wanted) : undefined;
    if (wanted && !command) {
      this.showError(new UserError('UNKNOWN_COMMAND', { name: wanted }), `/help ${wanted}`);
      return;
    }
    if (command) {
      const { definition } = command;
      const embed: ReplyEmbed = {
        title: `/${localized(definition.name, definition.name_localizations, locale)} — ${localized(definition.description, definition.description_localizations, locale)}`,
        description: this.strings.usage(this.usageOf(command)),
        fields: (definition.options ?? []).map((option) => ({
          name: localized(option.name, option.name_localizations, locale),
          value: `${localized(option.description, option.description_localizations, locale)} (${this.optionSummary(option)})`,
        })),
      };
      this.options.screen.print(renderEmbed(embed, renderOptions));
      return;
    }
    const embed: ReplyEmbed = {
      title: this.strings.helpTitle,
      fields: commands.map((entry) => ({
        name: commandNamesFor(entry, locale)
          .map((name) => `/${name}`)
          .join(' · '),
        value: localized(entry.definition.description, entry.definition.description_localizations, locale),
      })),
      footer: this.strings.helpFooter.join('\n'),
    };
    this.options.screen.print(renderEmbed(embed, renderOptions));
  }

  // ---- components and forms ------------------------------------------------------------------

  /** The most recent message showing one of the awaited components. */
  private messageWith(ids: readonly string[]): ConsoleMessage | undefined {
    const newestFirst = [...this.messages.values()].reverse();
    return newestFirst.find((message) => message.choices.some((choice) => ids.includes(choice.customId)));
  }

  /**
   * Reads the user's choice among a message's numbered components. null when the user moves on
   * (a new /command, an empty line, the end of input) or the wait times out.
   */
  async readChoice(options: AwaitComponentOptions): Promise<{ choice: Choice; message: ConsoleMessage } | null> {
    // A command racing two waits (a form answer against another press) aborts the loser at once;
    // starting the read a turn later keeps a prompt from flashing for a wait already over.
    await new Promise((resolve) => setImmediate(resolve));
    if (options.signal?.aborted) return null;
    const message = this.messageWith(options.ids);
    if (!message) return null;
    const deadline = this.options.now() + options.timeoutMs;
    const { reader, screen } = this.options;
    let hinted = false;
    for (;;) {
      const available = message.choices.filter((choice) => options.ids.includes(choice.customId));
      if (available.length === 0) return null;
      const highest = Math.max(...message.choices.map((choice) => choice.number));
      if (screen.live && !hinted) {
        this.notice(this.strings.chooseHint(highest), 'dim');
        hinted = true;
      }
      const remaining = deadline - this.options.now();
      if (remaining <= 0) return null;
      const result = await this.readAnswer(this.strings.choosePrompt(highest), remaining, options.signal);
      screen.invalidate();
      if (result.kind === 'cancelled') {
        // Aborted by the command itself (it got its answer elsewhere) says nothing; Ctrl+C does.
        if (!options.signal?.aborted) this.notice(this.strings.choiceDismissed, 'dim');
        return null;
      }
      if (result.kind !== 'line') {
        if (result.kind === 'timeout') this.notice(this.strings.choiceDismissed, 'dim');
        return null;
      }
      const answer = result.text.trim();
      if (!screen.live) this.notice(`${this.strings.choosePrompt(highest)}${answer}`, 'dim');
      if (answer.startsWith('/')) {
        // The user moved on: the line is the next command, and the choice stays unanswered.
        reader.unread(result.text);
        return null;
      }
      if (answer.length === 0) {
        this.notice(this.strings.choiceDismissed, 'dim');
        return null;
      }
      const choice = pickChoice(message.choices, answer);
      if (choice && options.ids.includes(choice.customId)) return { choice, message };
      this.notice(`${this.strings.choiceNotAvailable(answer)} ${this.strings.chooseHint(highest)}`, 'error');
    }
  }

  /** Asks each field of a form on its own line. null when the user gives up. */
  async collectModal(modal: ModalSpec): Promise<Record<string, string> | null> {
    const { reader, screen } = this.options;
    this.notice(this.strings.modalIntro(modal.title));
    const answers: Record<string, string> = {};
    for (const field of modal.fields) {
      const required = field.required ?? true;
      const prompt = this.strings.modalField(field.label, required);
      for (;;) {
        const result = await this.readAnswer(prompt);
        screen.invalidate();
        if (result.kind !== 'line') {
          this.notice(this.strings.modalCancelled, 'dim');
          return null;
        }
        let value = result.text.trim();
        if (!screen.live) this.notice(`${prompt}${value}`, 'dim');
        if (value.startsWith('/')) {
          reader.unread(result.text);
          this.notice(this.strings.modalCancelled, 'dim');
          return null;
        }
        if (value.length === 0 && field.value !== undefined) value = field.value;
        const problem =
          value.length === 0 && required
            ? this.strings.modalTooShort(Math.max(1, field.minLength ?? 1))
            : value.length > 0 && field.minLength !== undefined && [...value].length < field.minLength
              ? this.strings.modalTooShort(field.minLength)
              : field.maxLength !== undefined && [...value].length > field.maxLength
                ? this.strings.modalTooLong(field.maxLength)
                : null;
        if (problem === null) {
          answers[field.id] = value;
          break;
        }
        this.notice(problem, 'error');
        // A script cannot correct itself: the form is abandoned instead of eating its next lines.
        if (!screen.live) {
          this.notice(this.strings.modalCancelled, 'dim');
          return null;
        }
      }
    }
    return answers;
  }

  async showModal(modal: ModalSpec): Promise<void> {
    this.modalAnswers.set(modal.id, await this.collectModal(modal));
  }

  takeModalAnswers(modalId: string): Record<string, string> | null | undefined {
    const answers = this.modalAnswers.get(modalId);
    this.modalAnswers.delete(modalId);
    return answers;
  }

  // ---- used by Invocation --------------------------------------------------------------------

  /** @internal */ get sessionOptions(): SessionOptions {
    return this.options;
  }
  /** @internal */ newMessage(reply: Reply): ConsoleMessage {
    return this.createMessage(reply);
  }
  /** @internal */ editMessage(message: ConsoleMessage, reply: Reply): void {
    this.updateMessage(message, reply);
  }
}

/** A typed answer → one of the numbered choices: "2", "[2]", "!2", or a label ("save"). */
function pickChoice(choices: readonly Choice[], answer: string): Choice | undefined {
  const numeric = /^[![]?\s*(\d+)\s*]?$/.exec(answer);
  if (numeric) return choices.find((choice) => choice.number === Number(numeric[1]));
  const wanted = answer.replace(/^!/, '').toLowerCase();
  const exact = choices.filter((choice) => choice.label.toLowerCase() === wanted);
  if (exact.length === 1) return exact[0];
  const prefixed = choices.filter((choice) => choice.label.toLowerCase().startsWith(wanted));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** One command run: its original answer, its follow-ups, and whether it reported a failure. */
class Invocation {
  failed = false;
  private original: ConsoleMessage | null = null;
  private answered = false;
  readonly context: CommandContext;

  constructor(
    private readonly session: ConsoleSession,
    manager: ModelManagerApi,
    options: CommandContext['options'],
  ) {
    const settings = session.sessionOptions;
    this.context = {
      guildId: settings.guildId,
      channelId: 'console',
      user: settings.user,
      locale: settings.locale,
      t: settings.t,
      // The console user runs the bot on their own machine: the owner of its server.
      canManageGuild: true,
      options,
      manager,
      defer: async () => {
        if (this.original) return;
        this.original = session.newMessage(
          session.sessionOptions.screen.live ? { content: session.sessionOptions.strings.working } : {},
        );
      },
      reply: async (given) => {
        const reply = await saveReplyFiles(given, settings.cwd);
        this.note(reply);
        if (this.original && !this.answered) {
          // The deferred placeholder becomes the answer: nothing of it is kept.
          session.editMessage(this.original, { content: '', embeds: [], components: [], files: [], ...reply });
        } else if (this.original) {
          session.newMessage(reply);
        } else {
          this.original = session.newMessage(reply);
        }
        this.answered = true;
      },
      edit: async (given) => {
        const reply = await saveReplyFiles(given, settings.cwd);
        this.note(reply);
        if (this.original && !this.answered) {
          session.editMessage(this.original, { content: '', embeds: [], components: [], files: [], ...reply });
        } else if (this.original) {
          session.editMessage(this.original, reply);
        } else {
          this.original = session.newMessage(reply);
        }
        this.answered = true;
      },
      followUp: async (given) => {
        const reply = await saveReplyFiles(given, settings.cwd);
        this.note(reply);
        session.newMessage(reply);
      },
      showModal: async (modal) => {
        this.answered = true;
        await session.showModal(modal);
      },
      awaitComponent: (awaitOptions) => this.awaitComponent(awaitOptions),
      postToChannel: async (reply) => {
        this.note(reply);
        session.newMessage(reply);
        return true;
      },
      now: () => settings.now(),
      bot: settings.bot,
    };
  }

  private note(reply: Reply): void {
    const isError = this.session.sessionOptions.isErrorReply ?? looksLikeErrorReply;
    if (isError(reply)) this.failed = true;
  }

  private async awaitComponent(options: AwaitComponentOptions): Promise<ComponentInteraction | null> {
    for (const id of options.ids) {
      const answers = this.session.takeModalAnswers(id);
      if (answers !== undefined) return answers === null ? null : this.interaction('modal', id, [], answers, null);
    }
    const picked = await this.session.readChoice(options);
    if (!picked) return null;
    const { choice, message } = picked;
    return this.interaction(choice.kind, choice.customId, choice.kind === 'select' ? [choice.value] : [], {}, message);
  }

  private interaction(
    kind: ComponentInteraction['kind'],
    customId: string,
    values: string[],
    fields: Record<string, string>,
    message: ConsoleMessage | null,
  ): ComponentInteraction {
    const session = this.session;
    const settings = session.sessionOptions;
    const holder = message ?? this.original;
    return {
      kind,
      customId,
      values,
      fields,
      user: settings.user,
      locale: settings.locale,
      update: async (reply) => {
        this.note(reply);
        if (holder) session.editMessage(holder, reply);
        else this.original = session.newMessage(reply);
      },
      deferUpdate: async () => {},
      reply: async (given) => {
        const reply = await saveReplyFiles(given, settings.cwd);
        this.note(reply);
        session.newMessage(reply);
      },
      showModal: async (modal) => {
        await session.showModal(modal);
      },
      awaitModal: async (modalId) => {
        const answers = session.takeModalAnswers(modalId);
        return answers ? this.interaction('modal', modalId, [], answers, holder) : null;
      },
    };
  }
}
