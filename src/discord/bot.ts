// The running bot: the model manager, the command registry, a discord.js client with the Guilds
// intent only (slash commands and attachments need nothing privileged), the interaction adapter,
// registration on ready, and an orderly stop.
import { readFileSync } from 'node:fs';
import {
  ApplicationFlags,
  Client,
  Events,
  GatewayIntentBits,
  IntentsBitField,
  Options,
  Partials,
  Routes,
  ShardClientUtil,
  type ClientOptions,
} from 'discord.js';
import { Cooldowns } from '../commands/cooldowns.js';
import type { BotInfo } from '../commands/context.js';
import { loadCommands, type CommandRegistry } from '../commands/loader.js';
import { ModelManager } from '../manager/index.js';
import { ChannelLearning } from '../manager/channel-learning.js';
import { ChannelEvents, type ChannelEventsOptions } from './channel-events.js';
import { DiscordChannels } from './channel-history.js';
import { managerConfigFor, type BotConfig } from '../config/index.js';
import { InteractionAdapter, type AdapterOptions } from './interaction-adapter.js';
import { tellInterruptedTrainings } from './interrupted-notices.js';
import { createLogger, type Logger } from './logger.js';
import { registerIfChanged, type RegistrationOutcome } from './registration.js';
import type { ManagerConfig } from '../manager/types.js';
import { startBackupSchedule, type ScheduleOptions } from '../ops/backup-schedule.js';

export interface BotOptions {
  config: BotConfig;
  logger?: Logger;
  /** Default: the commands/ folder. */
  registry?: CommandRegistry;
  /** Extra discord.js client options (tests pick shards here; ShardingManager sets them by env). */
  client?: Partial<ClientOptions>;
  adapter?: Pick<AdapterOptions, 'autoDeferMs' | 'componentTimeout' | 'autocompleteTimeoutMs' | 'now'>;
  manager?: Partial<ManagerConfig>;
  /** Register slash commands on ready when they changed (default true; only shard 0 does). */
  registerCommands?: boolean;
  /** Reply randomness, clock and cooldown of channel replies (tests). */
  channelEvents?: Partial<Pick<ChannelEventsOptions, 'random' | 'now' | 'cooldownMs'>>;
  /** Running trainings get this long to finish on stop before they are cancelled (default 10 s). */
  shutdownGraceMs?: number;
  /** Take snapshots every BACKUP_INTERVAL_HOURS (default true); tests shorten the first wait. */
  backups?: boolean | ScheduleOptions;
}

export interface RunningBot {
  client: Client;
  manager: ModelManager;
  adapter: InteractionAdapter;
  registry: CommandRegistry;
  logger: Logger;
  /** Resolves after login and, on the registering shard, registration. */
  ready: Promise<{ registration: RegistrationOutcome | 'skipped' }>;
  stop(reason?: string): Promise<void>;
  /** With LEARN_FROM_CHANNELS: listened channels and their batches (tests run `learning.runAll()`). */
  learning?: ChannelLearning;
  channelEvents?: ChannelEvents;
}

const VERSION: string = readPackageVersion();

function readPackageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * What discord.js keeps in memory. By default it caches every user and member it meets, forever
 * (and 200 messages per channel): with slash commands from ever new users that grows without
 * bound. The bot needs only guilds and channels; users, members and messages come with each
 * interaction's payload. So the user and member caches keep only the bot itself, and messages,
 * presences, reactions and voice states are not cached (MessageManager covers the guild and DM
 * message managers, which fall back to their base class's setting).
 */
function clientCacheOptions(): Pick<ClientOptions, 'makeCache'> {
  const self = <T extends { id: string; client: { user: { id: string } | null } }>(entry: T) =>
    entry.id === entry.client.user?.id;
  return {
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      UserManager: { maxSize: 0, keepOverLimit: self },
      GuildMemberManager: { maxSize: 0, keepOverLimit: self },
      MessageManager: 0,
      PresenceManager: 0,
      ReactionManager: 0,
      ReactionUserManager: 0,
      ThreadMemberManager: 0,
      VoiceStateManager: 0,
    }),
  };
}

/**
 * Slash commands and attachments need only Guilds. Learning from channels (LEARN_FROM_CHANNELS)
 * also needs the messages (GuildMessages) and their text (MessageContent, privileged: enabled
 * per application in the Developer Portal).
 */
function intentsFor(config: Pick<BotConfig, 'learnFromChannels'>): GatewayIntentBits[] {
  return config.learnFromChannels
    ? [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent]
    : [GatewayIntentBits.Guilds];
}

/** The application flags that say the Message Content intent is enabled in the Developer Portal. */
const MESSAGE_CONTENT_FLAGS = ApplicationFlags.GatewayMessageContent | ApplicationFlags.GatewayMessageContentLimited;

/**
 * Logs in. With LEARN_FROM_CHANNELS, the application's flags are read first: when the Message
 * Content intent is not enabled in the portal, Discord would close the gateway (4014) and the bot
 * would crash at every restart. Instead it says so once in the log and logs in without it
 * (channel learning off, every other command served).
 */
async function loginWithChannelIntents(
  client: Client,
  config: BotConfig,
  channels: DiscordChannels,
  logger: Logger,
): Promise<void> {
  if (config.learnFromChannels) {
    client.rest.setToken(config.token!);
    let flags: number | null = null;
    try {
      flags = Number(((await client.rest.get(Routes.currentApplication())) as { flags?: number }).flags ?? 0);
    } catch (error) {
      logger.warn({ err: error }, 'could not read the application flags; logging in with the Message Content intent');
    }
    if (flags !== null && (flags & MESSAGE_CONTENT_FLAGS) === 0) {
      logger.error(
        'LEARN_FROM_CHANNELS=true but the Message Content intent is not enabled for this application: enable "Message Content Intent" under Bot → Privileged Gateway Intents in the Discord Developer Portal, then restart. Running without channel learning meanwhile.',
      );
      channels.disable();
      client.options.intents = new IntentsBitField([GatewayIntentBits.Guilds]);
    }
  }
  await client.login(config.token!);
}

export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { config } = options;
  if (!config.token) throw new Error('DISCORD_TOKEN is not set');
  const client = new Client({
    intents: intentsFor(config),
    // Edits and deletes of messages not in the cache (none is kept) arrive as partial messages.
    ...(config.learnFromChannels ? { partials: [Partials.Message] } : {}),
    ...clientCacheOptions(),
    ...(config.apiUrl ? { rest: { api: config.apiUrl } } : {}),
    ...options.client,
  });
  const shardIds = Array.isArray(client.options.shards) ? client.options.shards : [0];
  const shardCount = client.options.shardCount ?? 1;
  const logger = (options.logger ?? createLogger(config.logLevel)).child(shardCount > 1 ? { shards: shardIds } : {});
  const registry = options.registry ?? (await loadCommands());

  // Each guild belongs to exactly one shard; a shard reconciles and serves only its own.
  const ownsGuild =
    shardCount > 1
      ? (guildId: string) => shardIds.includes(ShardClientUtil.shardIdForGuildId(guildId, shardCount))
      : undefined;
  const manager = await ModelManager.open(
    managerConfigFor(config, { ...(ownsGuild ? { ownsGuild } : {}), logger, ...options.manager }),
  );
  const bot: BotInfo = {
    version: VERSION,
    startedAt: Date.now(),
    generateCooldown: new Cooldowns(config.generateCooldownMs),
  };
  const channels = new DiscordChannels(client, config.learnFromChannels);
  const learning = config.learnFromChannels
    ? new ChannelLearning(manager, {
        store: manager.learningStore(),
        batchIntervalMs: config.listenBatchMinutes * 60_000,
        maxMessagesPerGuild: config.maxCollectedMessages,
        onBatchError: (guildId, error) => logger.warn({ guildId, err: error }, 'listening batch failed'),
        ...(ownsGuild ? { ownsGuild } : {}),
      })
    : undefined;
  const adapter = new InteractionAdapter({ registry, manager, logger, bot, channels, learning, ...options.adapter });
  const channelEvents = learning
    ? new ChannelEvents({
        client,
        manager,
        learning,
        logger,
        cooldownMs: config.replyCooldownMs,
        ...options.channelEvents,
      })
    : undefined;
  client.on(Events.InteractionCreate, (interaction) => void adapter.handle(interaction));
  client.on(Events.Error, (error) => logger.error({ err: error }, 'discord client error'));
  client.on(Events.ShardDisconnect, (event, shardId) =>
    logger.warn({ shardId, code: event.code }, 'gateway disconnected'),
  );
  client.on(Events.ShardResume, (shardId, replayed) => logger.info({ shardId, replayed }, 'gateway resumed'));

  const registering = options.registerCommands !== false && shardIds.includes(0);
  // Snapshots every BACKUP_INTERVAL_HOURS, by one process only.
  const backups =
    shardIds.includes(0) && options.backups !== false
      ? startBackupSchedule(config, logger, typeof options.backups === 'object' ? options.backups : {})
      : null;
  const readyEvent = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));

  let stopping: Promise<void> | null = null;
  const stop = (reason = 'stop') => {
    stopping ??= (async () => {
      const grace = options.shutdownGraceMs ?? 10_000;
      logger.info({ reason, running: adapter.runningCount, graceMs: grace }, 'shutting down');
      adapter.stopAccepting();
      await backups?.stop();
      // Confirmation and Save waits end now; trainings get the grace period to finish.
      await adapter.drain(grace);
      // No new listening batch from now on; a running one is cancelled with the other trainings.
      const learningClosed = learning?.close();
      await channelEvents?.idle();
      // Whatever still runs is cancelled: its job row is closed with the reason, and the
      // command answers its user with SHUTTING_DOWN before the client goes.
      await manager.close();
      await learningClosed;
      await adapter.drain(3_000);
      await client.destroy();
      logger.info('stopped');
    })();
    return stopping;
  };

  const ready = (async () => {
    await loginWithChannelIntents(client, config, channels, logger);
    await readyEvent;
    if (learning && channels.enabled) {
      channelEvents!.attach();
      learning.start();
    }
    logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size, version: VERSION }, 'bot ready');
    await tellInterruptedTrainings(client, manager, logger);
    if (!registering) return { registration: 'skipped' as const };
    const registration = await registerIfChanged(
      { rest: client.rest, applicationId: client.application!.id, guildId: config.devGuildId },
      registry,
      manager.metaStore(),
      logger,
    );
    return { registration };
  })();
  // A failed login must not leave the manager (and its worker threads) running.
  ready.catch(async (error: unknown) => {
    logger.error({ err: error }, 'bot failed to start');
    await stop('start failed').catch(() => undefined);
  });

  return { client, manager, adapter, registry, logger, ready, stop, learning, channelEvents };
}
