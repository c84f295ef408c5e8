// The console reads each command's options from the same JSON that is registered with Discord
// (`data.toJSON()`), so it accepts and refuses exactly what Discord's client would.
import type { CommandModule, Locale } from '../commands/context.js';
import { localized, type Localizations, type OptionDefinition } from '../commands/option-values.js';

interface CommandDefinition {
  name: string;
  name_localizations?: Localizations;
  description: string;
  description_localizations?: Localizations;
  options?: OptionDefinition[];
}

/** A loaded command with its registered definition beside it. */
export interface ConsoleCommand {
  module: CommandModule;
  definition: CommandDefinition;
}

export function toConsoleCommand(module: CommandModule): ConsoleCommand {
  return { module, definition: module.data.toJSON() as CommandDefinition };
}

/** Every name a thing answers to: the registered one and each localization, lower-cased. */
export function allNames(base: string, localizations: Localizations): string[] {
  const names = new Set([base.toLowerCase()]);
  for (const value of Object.values(localizations ?? {})) if (value) names.add(value.toLowerCase());
  return [...names];
}

export function findCommand(commands: readonly ConsoleCommand[], typed: string): ConsoleCommand | undefined {
  const wanted = typed.toLowerCase();
  return (
    commands.find((command) => command.definition.name.toLowerCase() === wanted) ??
    commands.find((command) =>
      allNames(command.definition.name, command.definition.name_localizations).includes(wanted),
    )
  );
}

export function findOption(command: ConsoleCommand, typed: string): OptionDefinition | undefined {
  const wanted = typed.toLowerCase();
  const options = command.definition.options ?? [];
  return (
    options.find((option) => option.name.toLowerCase() === wanted) ??
    options.find((option) => allNames(option.name, option.name_localizations).includes(wanted))
  );
}

/** Names a user of `locale` may type for the command, registered name first. */
export function commandNamesFor(command: ConsoleCommand, locale: Locale): string[] {
  const { name, name_localizations } = command.definition;
  const shown = localized(name, name_localizations, locale);
  return shown === name ? [name] : [name, shown];
}

export function optionNamesFor(option: OptionDefinition, locale: Locale): string[] {
  const shown = localized(option.name, option.name_localizations, locale);
  return shown === option.name ? [option.name] : [option.name, shown];
}
