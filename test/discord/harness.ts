// Logs a real discord.js client in to the local server. Bot logic stays in each test; this only
// saves the boilerplate of options, the ready wait and clean-up.
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, type ClientOptions } from 'discord.js';
import type { DiscordServer } from './server.js';

/** discord.js 14.28 renamed `ready` to `clientReady` (the old name still fires, with a deprecation warning). */
export const CLIENT_READY_EVENT: string = (Events as Record<string, string>).ClientReady ?? 'ready';

export interface LoginOptions extends Partial<ClientOptions> {
  /** Resolve after login without waiting for the ready event. */
  skipReadyWait?: boolean;
}

export function createClient(server: Pick<DiscordServer, 'apiBase'>, options: Partial<ClientOptions> = {}): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    ...options,
    rest: { ...options.rest, api: server.apiBase },
  });
}

/** Only the server's address and token are used, so a bot in another process can log in with them too. */
export async function loginClient(
  server: Pick<DiscordServer, 'apiBase' | 'token'>,
  options: LoginOptions = {},
): Promise<Client> {
  const { skipReadyWait, ...clientOptions } = options;
  const client = createClient(server, clientOptions);
  const ready = once(client, CLIENT_READY_EVENT);
  ready.catch(() => undefined);
  await client.login(server.token);
  if (!skipReadyWait) await ready;
  return client;
}
