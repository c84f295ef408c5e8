// `npm run deploy-commands`: registers the slash commands now (to DEV_GUILD_ID when set, which
// updates instantly; globally otherwise) and records their fingerprint, so the next start does
// not register them again.
import { pathToFileURL } from 'node:url';
import { loadCommands } from '../commands/loader.js';
import { dataPaths, openMetaStore } from '../store/index.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { createLogger } from './logger.js';
import { fetchApplicationId, registerIfChanged, restFor } from './registration.js';

export async function deployCommands(): Promise<number> {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (!config.token) {
    process.stderr.write('DISCORD_TOKEN is not set. Put the bot token in .env (see .env.example).\n');
    return 1;
  }
  const logger = createLogger(config.logLevel, { role: 'deploy-commands' });
  const rest = restFor(config.token, config.apiUrl);
  const registry = await loadCommands();
  const applicationId = await fetchApplicationId(rest);
  const meta = openMetaStore(dataPaths(config).database);
  try {
    await registerIfChanged({ rest, applicationId, guildId: config.devGuildId }, registry, meta, logger, {
      force: true,
    });
  } finally {
    meta.close();
  }
  process.stdout.write(
    `Registered ${registry.names.length} commands (${registry.names.map((name) => `/${name}`).join(', ')}) ` +
      `${config.devGuildId ? `in guild ${config.devGuildId}` : 'globally (may take up to an hour to appear everywhere)'}.\n`,
  );
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  deployCommands().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`Registration failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
