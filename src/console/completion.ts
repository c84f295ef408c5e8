// Tab completion: command names, option names, and values — choices from the definition,
// model names from the command's own autocomplete (as Discord asks it), file paths for
// attachments.
import { readdir } from 'node:fs/promises';
import type { Locale } from '../commands/context.js';
import { expandPath } from './attachments.js';
import {
  commandNamesFor,
  findCommand,
  findOption,
  optionNamesFor,
  type ConsoleCommand,
} from './command-definitions.js';
import { OptionType } from '../commands/option-values.js';

export interface CompletionSources {
  commands: readonly ConsoleCommand[];
  locale: Locale;
  /** Console built-ins offered beside the commands (help, exit). */
  builtins: readonly string[];
  /** The command's autocomplete for a focused option; [] when it has none or fails. */
  autocomplete: (
    command: ConsoleCommand,
    focused: { name: string; value: string },
  ) => Promise<{ name: string; value: string }[]>;
  cwd: string;
}

/** readline's completer result: candidate replacements, and the text at the end they replace. */
export type Completion = [string[], string];

const MAX_PATHS = 200;

function quoteIfNeeded(value: string): string {
  return /[\s"'\\]/u.test(value) || value.length === 0 ? `"${value.replace(/(["\\])/g, '\\$1')}"` : value;
}

async function completePath(partial: string, cwd: string): Promise<string[]> {
  const slash = partial.lastIndexOf('/');
  const directoryPart = slash >= 0 ? partial.slice(0, slash + 1) : '';
  const basePart = slash >= 0 ? partial.slice(slash + 1) : partial;
  let entries;
  try {
    entries = await readdir(expandPath(directoryPart || '.', cwd), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.name.startsWith(basePart) && (basePart.startsWith('.') || !entry.name.startsWith('.')))
    .map((entry) => `${directoryPart}${entry.name}${entry.isDirectory() ? '/' : ''}`)
    .sort()
    .slice(0, MAX_PATHS);
}

export async function completeLine(line: string, sources: CompletionSources): Promise<Completion> {
  const lead = line.trimStart();
  if (!lead.startsWith('/')) return [[], line];
  const firstSpace = lead.search(/\s/u);
  if (firstSpace < 0) {
    const prefix = lead.slice(1).toLowerCase();
    const names = [
      ...sources.commands.flatMap((command) => commandNamesFor(command, sources.locale)),
      ...sources.builtins,
    ];
    const matches = [...new Set(names)]
      .filter((name) => name.toLowerCase().startsWith(prefix))
      .map((name) => `/${name} `);
    return [matches, lead];
  }
  const command = findCommand(sources.commands, lead.slice(1, firstSpace));
  if (!command) return [[], line];

  // Inside an opened quote: `prompt:"En un` completes the quoted value.
  const quoted = /(?:^|\s)([^\s:"']+):(["'“«])([^"'”»]*)$/u.exec(line);
  const lastWord = quoted ? `${quoted[1]}:${quoted[2]}${quoted[3]}` : /\S*$/u.exec(line)![0];
  const colon = lastWord.indexOf(':');
  if (colon < 0) {
    const used = new Set(
      [...line.matchAll(/(?:^|\s)([^\s:"']+):/gu)].map((match) => findOption(command, match[1]!)?.name).filter(Boolean),
    );
    const prefix = lastWord.toLowerCase();
    const matches = (command.definition.options ?? [])
      .filter((option) => !used.has(option.name))
      .flatMap((option) => optionNamesFor(option, sources.locale))
      .filter((name) => name.toLowerCase().startsWith(prefix))
      .map((name) => `${name}:`);
    return [matches, lastWord];
  }
  const typedName = lastWord.slice(0, colon);
  const option = findOption(command, typedName);
  if (!option) return [[], lastWord];
  const partial = quoted ? quoted[3]! : lastWord.slice(colon + 1);
  let values: string[] = [];
  if (option.choices?.length) {
    values = option.choices
      .map((choice) => String(choice.value))
      .filter((value) => value.toLowerCase().startsWith(partial.toLowerCase()));
  } else if (option.autocomplete) {
    const suggestions = await sources.autocomplete(command, { name: option.name, value: partial });
    values = suggestions.map((suggestion) => suggestion.value);
  } else if (option.type === OptionType.Attachment) {
    values = await completePath(partial, sources.cwd);
  } else if (option.type === OptionType.Boolean) {
    values = ['true', 'false'].filter((value) => value.startsWith(partial.toLowerCase()));
  }
  // A directory is not an answer yet: no closing quote or space, so Tab can go on into it.
  return [
    [...new Set(values)].map((value) =>
      value.endsWith('/') ? `${typedName}:${value}` : `${typedName}:${quoteIfNeeded(value)} `,
    ),
    lastWord,
  ];
}
