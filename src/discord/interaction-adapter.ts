// discord.js interactions → CommandContexts, and replies → Discord messages. The handler is the
// discord.js guide's few lines (look the command up, run it, catch errors) plus what the guide
// leaves to each bot: a 3-second safety net (commands that have not answered in 2 s are
// deferred), component routing, ephemeral localized errors, and reference ids for the rest.
import { performance } from 'node:perf_hooks';
import {
  ApplicationCommandOptionType,
  MessageFlags,
  PermissionFlagsBits,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type Interaction,
  type MessageComponentInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { UserError, isUserError } from '../errors.js';
import { describeCode, resolveLocale, translator, type Locale } from '../i18n/index.js';
import type { ModelManagerApi } from '../manager/types.js';
import type {
  Actor,
  AwaitComponentOptions,
  BotInfo,
  CommandContext,
  ComponentInteraction,
  ModalSpec,
  OptionValue,
  Reply,
  ChannelAccess,
} from '../commands/context.js';
import type { CommandRegistry } from '../commands/loader.js';
import type { ChannelLearning } from '../manager/channel-learning.js';
import { SUBCOMMAND_OPTION } from '../commands/learning.js';
import { checkOptionValues } from './check-options.js';
import { errorReply } from '../commands/render.js';
import { ComponentRouter, type RoutedInteraction } from './component-router.js';
import { newReference, type Logger } from './logger.js';
import { toModal, toPayload } from './replies.js';

export interface AdapterOptions {
  registry: CommandRegistry;
  manager: ModelManagerApi;
  logger: Logger;
  bot: BotInfo;
  router?: ComponentRouter;
  /** A command (or a pressed component) not answered after this long is deferred (default 2000 ms). */
  autoDeferMs?: number;
  /** Autocomplete answers after this long are given up on (Discord drops them after 3 s). */
  autocompleteTimeoutMs?: number;
  /** Test hook: maps the waits commands ask for (60 s confirmations…) onto shorter ones. */
  componentTimeout?: (requestedMs: number) => number;
  now?: () => number;
  /** Channel reading and listening for commands. */
  channels?: ChannelAccess;
  learning?: ChannelLearning;
}

const DEFAULT_AUTO_DEFER_MS = 2_000;
const DEFAULT_AUTOCOMPLETE_TIMEOUT_MS = 2_500;
/** How long a press nobody waits for is kept for a command about to wait (still answered < 3 s). */
const HOLD_UNCLAIMED_MS = 1_000;

export class InteractionAdapter {
  readonly router: ComponentRouter;
  private accepting = true;
  private readonly running = new Set<Promise<void>>();
  private readonly answers = new WeakMap<RoutedInteraction, ComponentAnswer>();

  constructor(readonly options: AdapterOptions) {
    this.router = options.router ?? new ComponentRouter();
  }

  get autoDeferMs(): number {
    return this.options.autoDeferMs ?? DEFAULT_AUTO_DEFER_MS;
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** `now` as a standalone function, shared by every command context. */
  readonly clock = (): number => this.now();

  timeoutFor(requestedMs: number): number {
    return this.options.componentTimeout ? this.options.componentTimeout(requestedMs) : requestedMs;
  }

  /** The interactionCreate listener. Never throws: failures are answered and logged. */
  handle(interaction: Interaction): Promise<void> {
    let work: Promise<void>;
    if (interaction.isChatInputCommand()) work = this.runCommand(interaction);
    else if (interaction.isAutocomplete()) work = this.runAutocomplete(interaction);
    else if (interaction.isMessageComponent() || interaction.isModalSubmit()) work = this.routeComponent(interaction);
    else return Promise.resolve();
    const tracked = work.catch((error: unknown) =>
      this.options.logger.error({ err: error }, 'interaction handler failed'),
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
    return tracked;
  }

  /** New commands are answered SHUTTING_DOWN from now on; running ones continue. */
  stopAccepting(): void {
    this.accepting = false;
  }

  /** Waits for running commands (at most `timeoutMs`), ending confirmation waits first. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.router.closeAll();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = Promise.allSettled([...this.running]).then(() => true as const);
    const finished = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    return finished;
  }

  get runningCount(): number {
    return this.running.size;
  }

  private async runCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const started = performance.now();
    const session = new CommandSession(this, interaction);
    const bindings = {
      command: interaction.commandName,
      guildId: interaction.guildId,
      userId: interaction.user.id,
      interactionId: interaction.id,
    };
    const logger = this.options.logger;
    try {
      if (!this.accepting) throw new UserError('SHUTTING_DOWN', {});
      const module = this.options.registry.get(interaction.commandName);
      if (!module) throw new UserError('UNKNOWN_COMMAND', { name: interaction.commandName, discord: true });
      checkOptionValues(
        module.data.toJSON() as Parameters<typeof checkOptionValues>[0],
        interaction.options.data,
        session.context.locale,
      );
      await module.execute(session.context);
      if (logger.isLevelEnabled('info'))
        logger.info({ ...bindings, ms: Math.round(performance.now() - started) }, 'command done');
    } catch (error) {
      await session.fail(error, logger.child(bindings));
      logger.info(
        {
          ...bindings,
          ms: Math.round(performance.now() - started),
          code: isUserError(error) ? error.code : 'INTERNAL',
        },
        'command refused',
      );
    } finally {
      session.dispose();
    }
  }

  private async runAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const module = this.options.registry.get(interaction.commandName);
    let choices: { name: string; value: string }[] = [];
    try {
      if (module?.autocomplete && this.accepting) {
        const focused = interaction.options.getFocused(true);
        const locale = resolveLocale(interaction.locale, interaction.guildLocale);
        const answer = module.autocomplete({
          guildId: interaction.guildId,
          user: actorOf(interaction),
          locale,
          t: translator(locale),
          focused: { name: focused.name, value: String(focused.value ?? '') },
          manager: this.options.manager,
        });
        choices =
          (await withTimeout(answer, this.options.autocompleteTimeoutMs ?? DEFAULT_AUTOCOMPLETE_TIMEOUT_MS)) ?? [];
      }
    } catch (error) {
      this.options.logger.warn(
        { err: error, command: interaction.commandName, guildId: interaction.guildId },
        'autocomplete failed',
      );
    }
    try {
      await interaction.respond(choices.slice(0, 25));
    } catch (error) {
      this.options.logger.warn({ err: error, command: interaction.commandName }, 'autocomplete answer not delivered');
    }
  }

  private async routeComponent(interaction: MessageComponentInteraction | ModalSubmitInteraction): Promise<void> {
    let outcome = this.router.dispatch(interaction);
    if (outcome === 'unclaimed') outcome = await this.router.hold(interaction, HOLD_UNCLAIMED_MS);
    if (outcome === 'delivered') return;
    const locale = resolveLocale(interaction.locale, interaction.guildLocale);
    const code = outcome === 'not-yours' ? 'NOT_YOUR_BUTTON' : 'CONFIRMATION_EXPIRED';
    try {
      await interaction.reply(toPayload({ content: describeCode(locale, code) }, { ephemeral: true }));
    } catch (error) {
      this.options.logger.warn({ err: error, customId: interaction.customId }, 'could not answer a stray component');
    }
  }

  /** One wrapper per routed interaction, so two waits that receive it share its state. */
  answerFor(interaction: RoutedInteraction): ComponentAnswer {
    let answer = this.answers.get(interaction);
    if (!answer) {
      answer = new ComponentAnswer(this, interaction);
      this.answers.set(interaction, answer);
    }
    return answer;
  }
}

type SessionState = 'fresh' | 'deferred' | 'answered' | 'modal';

/** One slash command's lifetime: its context, its original message, and how it ends. */
class CommandSession {
  readonly context: CommandContext;
  private state: SessionState = 'fresh';
  private originalEphemeral = false;
  /** The original message began as a "thinking…" deferral (ours or the safety net's). */
  private startedAsDeferral = false;
  /** Once an ephemeral answer had to replace a public deferral, the command's message is that follow-up. */
  private followUpTarget: string | null = null;
  private messageId: string | null = null;
  private autoDefer: NodeJS.Timeout | null;
  private acknowledging: Promise<void> | null = null;
  private lastComponent: ComponentAnswer | null = null;
  private readonly locale: Locale;

  constructor(
    private readonly adapter: InteractionAdapter,
    private readonly interaction: ChatInputCommandInteraction,
  ) {
    this.locale = resolveLocale(interaction.locale, interaction.guildLocale);
    const user = actorOf(interaction);
    // Bound methods rather than arrow functions: the same behaviour (commands may pass them
    // around), without a closure per method per command, each named through
    // Object.defineProperty by tsx's keepNames transform (~2 µs per command under `npm start`).
    this.context = {
      guildId: interaction.guildId,
      channelId: interaction.channelId,
      user,
      locale: this.locale,
      t: translator(this.locale),
      canManageGuild: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
      options: optionsOf(interaction.options.data),
      manager: adapter.options.manager,
      defer: this.deferWith.bind(this),
      reply: this.reply.bind(this),
      edit: this.edit.bind(this),
      followUp: this.followUp.bind(this),
      showModal: this.showModal.bind(this),
      awaitComponent: this.awaitComponent.bind(this),
      postToChannel: this.postToChannel.bind(this),
      now: adapter.clock,
      bot: adapter.options.bot,
      attachmentSizeLimit: interaction.attachmentSizeLimit,
      channels: adapter.options.channels,
      learning: adapter.options.learning,
    };
    // Discord drops an interaction that is not acknowledged within 3 s; a command that is still
    // working after 2 s (a cold model load, a slow disk) is deferred so it can answer later.
    this.autoDefer = setTimeout(() => {
      this.autoDefer = null;
      if (this.state === 'fresh') void this.defer(false).catch(() => undefined);
    }, adapter.autoDeferMs);
  }

  dispose(): void {
    if (this.autoDefer) clearTimeout(this.autoDefer);
    this.autoDefer = null;
  }

  private deferWith(options?: { ephemeral?: boolean }): Promise<void> {
    return this.defer(options?.ephemeral ?? false);
  }

  private async defer(ephemeral: boolean): Promise<void> {
    await this.acknowledging;
    if (this.state !== 'fresh') return;
    this.dispose();
    this.state = 'deferred';
    this.startedAsDeferral = true;
    this.originalEphemeral = ephemeral;
    this.acknowledging = (async () => {
      await this.interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    })();
    try {
      await this.acknowledging;
    } finally {
      this.acknowledging = null;
    }
  }

  private async reply(reply: Reply): Promise<void> {
    await this.acknowledging;
    if (this.state === 'fresh') {
      this.dispose();
      this.state = 'answered';
      this.originalEphemeral = reply.ephemeral ?? false;
      // `withResponse` only for replies with components: the message id is what presses are
      // matched on, and the other replies need not pay for the bigger response.
      this.acknowledging = (async () => {
        if (reply.components?.length) {
          const response = await this.interaction.reply({
            ...toPayload(reply, { ephemeral: reply.ephemeral }),
            withResponse: true,
          });
          this.messageId = response.resource?.message?.id ?? null;
        } else {
          await this.interaction.reply(toPayload(reply, { ephemeral: reply.ephemeral }));
        }
      })();
      try {
        await this.acknowledging;
      } finally {
        this.acknowledging = null;
      }
      return;
    }
    if (this.state === 'deferred') {
      this.state = 'answered';
      if (reply.ephemeral && !this.originalEphemeral) {
        // A public "thinking…" cannot become ephemeral: replace it by an ephemeral follow-up.
        await this.interaction.deleteReply().catch(() => undefined);
        const message = await this.interaction.followUp(toPayload(reply, { ephemeral: true }));
        this.followUpTarget = message.id;
        this.messageId = message.id;
        return;
      }
      const message = await this.interaction.editReply(toPayload(reply));
      this.messageId = message.id;
      return;
    }
    await this.followUp(reply);
  }

  private async edit(reply: Reply): Promise<void> {
    await this.acknowledging;
    if (this.state === 'fresh') return this.reply(reply);
    if (this.state === 'deferred') this.state = 'answered';
    const payload = toPayload(reply, { forEdit: true });
    const message = await this.interaction.editReply(
      this.followUpTarget ? { ...payload, message: this.followUpTarget } : payload,
    );
    this.messageId = message.id;
  }

  private async followUp(reply: Reply): Promise<void> {
    await this.acknowledging;
    if (this.state === 'fresh') return this.reply(reply);
    await this.interaction.followUp(toPayload(reply, { ephemeral: reply.ephemeral }));
  }

  private async showModal(modal: ModalSpec): Promise<void> {
    await this.acknowledging;
    if (this.state !== 'fresh') throw new Error('showModal must be the first answer to a command');
    this.dispose();
    this.state = 'modal';
    await this.interaction.showModal(toModal(modal));
  }

  private async awaitComponent(options: AwaitComponentOptions): Promise<ComponentInteraction | null> {
    await this.acknowledging;
    if (this.state === 'fresh' || this.state === 'modal')
      throw new Error('awaitComponent needs an answer with components first');
    if (!this.messageId) {
      const message = await this.interaction.fetchReply(this.followUpTarget ?? '@original');
      this.messageId = message.id;
    }
    const routed = await this.adapter.router.waitForComponent({
      messageId: this.messageId,
      ids: options.ids,
      ownerId: this.interaction.user.id,
      others: options.others ?? 'reject',
      timeoutMs: this.adapter.timeoutFor(options.timeoutMs),
      signal: options.signal,
    });
    if (!routed) return null;
    const answer = this.adapter.answerFor(routed);
    this.lastComponent = answer;
    return answer;
  }

  private async postToChannel(reply: Reply): Promise<boolean> {
    const permissions = this.interaction.appPermissions;
    if (permissions && !permissions.has([PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages]))
      return false;
    try {
      const channel =
        this.interaction.channel ??
        (this.interaction.channelId ? await this.interaction.client.channels.fetch(this.interaction.channelId) : null);
      if (!channel?.isSendable()) return false;
      await channel.send(toPayload(reply));
      return true;
    } catch (error) {
      this.adapter.options.logger.warn(
        { err: error, channelId: this.interaction.channelId },
        'could not post to the channel',
      );
      return false;
    }
  }

  /** Answers a failed command: the sentence for a UserError, a reference id for anything else. */
  async fail(error: unknown, log: Logger): Promise<void> {
    this.dispose();
    if (isExpiredInteraction(error)) {
      // Answered too late (the 3 s window or the 15-minute token passed): there is nobody left
      // to tell through this interaction. Logged as a warning, for the operator's latency view.
      log.warn({ err: error }, 'interaction expired before the bot answered');
      return;
    }
    let shown: UserError;
    if (isUserError(error)) {
      shown = error;
    } else {
      const reference = newReference();
      log.error({ err: error, reference }, 'command failed');
      shown = new UserError('INTERNAL', { reference });
    }
    const reply = errorReply(this.locale, shown);
    try {
      await this.acknowledging?.catch(() => undefined);
      // A press the command received but never answered would show "interaction failed": the
      // error belongs there, where the user just clicked.
      if (this.lastComponent && !this.lastComponent.acknowledged) {
        await this.lastComponent.reply(errorReply(this.lastComponent.locale, shown));
        return;
      }
      switch (this.state) {
        case 'fresh':
          this.state = 'answered';
          await this.interaction.reply(toPayload(reply, { ephemeral: true }));
          return;
        case 'modal':
          return;
        case 'deferred':
        case 'answered':
          if (this.startedAsDeferral && !this.followUpTarget) {
            if (this.originalEphemeral && this.state === 'deferred') {
              await this.interaction.editReply(toPayload(reply));
              return;
            }
            // The public "thinking…" (or progress) message would stay behind forever.
            await this.interaction.deleteReply().catch(() => undefined);
          }
          await this.interaction.followUp(toPayload(reply, { ephemeral: true }));
          return;
      }
    } catch (replyError) {
      log.warn({ err: replyError, code: shown.code }, 'could not deliver the error reply');
    }
  }
}

/** A pressed button, a chosen select option or a submitted modal, as commands see it. */
class ComponentAnswer implements ComponentInteraction {
  readonly kind: ComponentInteraction['kind'];
  readonly customId: string;
  readonly values: string[];
  readonly fields: Record<string, string>;
  readonly user: Actor;
  readonly locale: Locale;
  acknowledged = false;
  private autoDefer: NodeJS.Timeout | null;

  constructor(
    private readonly adapter: InteractionAdapter,
    private readonly interaction: RoutedInteraction,
  ) {
    this.customId = interaction.customId;
    this.user = actorOf(interaction);
    this.locale = resolveLocale(interaction.locale, interaction.guildLocale);
    if (interaction.isModalSubmit()) {
      this.kind = 'modal';
      this.values = [];
      this.fields = {};
      for (const [id, field] of interaction.fields.fields) {
        if ('value' in field && typeof field.value === 'string') this.fields[id] = field.value;
      }
    } else {
      this.kind = interaction.isAnySelectMenu() ? 'select' : 'button';
      this.values = interaction.isAnySelectMenu() ? [...interaction.values] : [];
      this.fields = {};
    }
    // Same safety net as for commands: a press the command is slow to answer is acknowledged.
    this.autoDefer = setTimeout(() => {
      this.autoDefer = null;
      if (!this.acknowledged) void this.deferUpdate().catch(() => undefined);
    }, adapter.autoDeferMs);
  }

  private settle(): void {
    this.acknowledged = true;
    if (this.autoDefer) clearTimeout(this.autoDefer);
    this.autoDefer = null;
  }

  async update(reply: Reply): Promise<void> {
    const payload = toPayload(reply, { forEdit: true });
    if (this.acknowledged) {
      await this.interaction.editReply(payload);
      return;
    }
    this.settle();
    if (this.interaction.isMessageComponent()) await this.interaction.update(payload);
    else if (this.interaction.isFromMessage()) await this.interaction.update(payload);
    else await this.interaction.reply(toPayload(reply));
  }

  async deferUpdate(): Promise<void> {
    if (this.acknowledged) return;
    this.settle();
    if (this.interaction.isMessageComponent()) await this.interaction.deferUpdate();
    else if (this.interaction.isFromMessage()) await this.interaction.deferUpdate();
    else await this.interaction.deferReply();
  }

  async reply(reply: Reply): Promise<void> {
    const payload = toPayload(reply, { ephemeral: reply.ephemeral });
    if (this.acknowledged) {
      await this.interaction.followUp(payload);
      return;
    }
    this.settle();
    await this.interaction.reply(payload);
  }

  async showModal(modal: ModalSpec): Promise<void> {
    if (!this.interaction.isMessageComponent()) throw new Error('a modal can only answer a button or select');
    if (this.acknowledged) throw new Error('showModal must be the first answer to a press');
    this.settle();
    await this.interaction.showModal(toModal(modal));
  }

  async awaitModal(modalId: string, timeoutMs: number): Promise<ComponentInteraction | null> {
    const submitted = await this.adapter.router.waitForModal({
      userId: this.interaction.user.id,
      modalId,
      timeoutMs: this.adapter.timeoutFor(timeoutMs),
    });
    return submitted ? this.adapter.answerFor(submitted) : null;
  }
}

function actorOf(interaction: {
  user: { id: string; globalName: string | null; username: string };
  member: unknown;
}): Actor {
  const member = interaction.member as { nick?: string | null; displayName?: string } | null;
  const name = member?.displayName ?? member?.nick ?? interaction.user.globalName ?? interaction.user.username;
  return { id: interaction.user.id, name };
}

function optionsOf(data: readonly CommandInteractionOption[]): Record<string, OptionValue | undefined> {
  const options: Record<string, OptionValue | undefined> = {};
  for (const option of data) {
    // `/listen add`: the subcommand's name is an option too, for commands to read.
    if (option.type === ApplicationCommandOptionType.Subcommand) options[SUBCOMMAND_OPTION] = option.name;
    if (option.options?.length) Object.assign(options, optionsOf(option.options));
    if (option.type === ApplicationCommandOptionType.Attachment && option.attachment) {
      const attachment = option.attachment;
      options[option.name] = {
        name: attachment.name,
        size: attachment.size,
        contentType: attachment.contentType,
        url: attachment.url,
      };
    } else if (option.value !== undefined && option.value !== null) {
      options[option.name] = option.value;
    }
  }
  return options;
}

/** Discord's "Unknown interaction" (10062) and "Invalid Webhook Token" (50027). */
function isExpiredInteraction(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 10062 || code === 50027;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
