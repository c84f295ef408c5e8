// Builds the command registry from the files in commands/ (one file per slash command, as the
// discord.js guide lays it out). The Discord adapter, the registration script and the local
// console all load commands here, so they always agree on what exists.
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { CommandModule } from './context.js';

/** commands/ beside src/ — the same relative place in the source tree and in dist/. */
const COMMANDS_DIR = fileURLToPath(new URL('../../commands/', import.meta.url));

export class CommandRegistry {
  private readonly byName: Map<string, CommandModule>;

  constructor(modules: CommandModule[]) {
    this.byName = new Map();
    for (const module of modules) {
      const name = module.data.name;
      if (this.byName.has(name)) throw new Error(`two command files define /${name}`);
      this.byName.set(name, module);
    }
  }

  get(name: string): CommandModule | undefined {
    return this.byName.get(name);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get modules(): CommandModule[] {
    return [...this.byName.values()];
  }

  /** What Discord's bulk-overwrite endpoint takes, in name order so the hash is stable. */
  definitions(): unknown[] {
    return [...this.byName.values()]
      .sort((a, b) => a.data.name.localeCompare(b.data.name))
      .map((module) => module.data.toJSON());
  }

  /** A fingerprint of the definitions: registration is needed only when it changes. */
  definitionsHash(): string {
    return createHash('sha256').update(stableJson(this.definitions())).digest('hex');
  }
}

export async function loadCommands(directory: string = COMMANDS_DIR): Promise<CommandRegistry> {
  const entries = (await readdir(directory)).filter(isCommandFile).sort();
  const modules: CommandModule[] = [];
  for (const entry of entries) {
    const loaded = (await import(pathToFileURL(join(directory, entry)).href)) as Partial<CommandModule>;
    if (!isCommandModule(loaded))
      throw new Error(`${entry} must export \`data\` (a SlashCommandBuilder) and \`execute(ctx)\``);
    modules.push({
      data: loaded.data,
      execute: loaded.execute,
      ...(loaded.autocomplete ? { autocomplete: loaded.autocomplete } : {}),
    });
  }
  return new CommandRegistry(modules);
}

function isCommandFile(entry: string): boolean {
  return /\.(ts|js|mjs)$/.test(entry) && !/\.d\.ts$/.test(entry) && !/\.(test|spec)\./.test(entry);
}

function isCommandModule(value: Partial<CommandModule>): value is CommandModule {
  return (
    typeof value.execute === 'function' &&
    typeof value.data === 'object' &&
    value.data !== null &&
    typeof value.data.name === 'string' &&
    typeof value.data.toJSON === 'function'
  );
}

/** JSON with object keys sorted, so equal definitions always hash the same. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
