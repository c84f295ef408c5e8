// Slash-command registration. Discord allows 200 command creations per day per guild, so the
// bot registers at start only when the definitions differ from what it last registered in that
// scope; the fingerprint lives in SQLite's meta table beside the models it describes
// (src/store/meta-store.ts).
import { REST, Routes } from 'discord.js';
import type { MetaStore } from '../store/index.js';
import type { CommandRegistry } from '../commands/loader.js';
import type { Logger } from './logger.js';

export interface RegistrationTarget {
  rest: REST;
  applicationId: string;
  /** A development guild (instant updates), or null for global commands. */
  guildId: string | null;
}

/** The meta key of one application's commands in one scope. */
function registrationKey(target: Pick<RegistrationTarget, 'applicationId' | 'guildId'>): string {
  return `discord.commands.${target.applicationId}.${target.guildId ?? 'global'}`;
}

/** Overwrites the scope's commands with ours (one bulk PUT: deleted commands disappear too). */
async function registerCommands(target: RegistrationTarget, registry: CommandRegistry): Promise<void> {
  const route = target.guildId
    ? Routes.applicationGuildCommands(target.applicationId, target.guildId)
    : Routes.applicationCommands(target.applicationId);
  await target.rest.put(route, { body: registry.definitions() });
}

export type RegistrationOutcome = 'registered' | 'unchanged';

export async function registerIfChanged(
  target: RegistrationTarget,
  registry: CommandRegistry,
  meta: MetaStore,
  logger?: Logger,
  { force = false } = {},
): Promise<RegistrationOutcome> {
  const key = registrationKey(target);
  const hash = registry.definitionsHash();
  if (!force && meta.get(key) === hash) {
    logger?.info(
      { scope: target.guildId ?? 'global', hash: hash.slice(0, 12) },
      'slash commands unchanged; not registering',
    );
    return 'unchanged';
  }
  await registerCommands(target, registry);
  meta.set(key, hash);
  logger?.info(
    { scope: target.guildId ?? 'global', hash: hash.slice(0, 12), commands: registry.names },
    'slash commands registered',
  );
  return 'registered';
}

/** The application id is the bot user's id; read it from the API rather than asking for it. */
export async function fetchApplicationId(rest: REST): Promise<string> {
  const application = (await rest.get(Routes.currentApplication())) as { id: string };
  return application.id;
}

export function restFor(token: string, apiUrl: string | null): REST {
  return new REST(apiUrl ? { api: apiUrl } : {}).setToken(token);
}
