// Issue 18 ("also fix"): Discord's own client enforces each option's registered type and limits
// (min/max value, length, choices), but a request can carry anything, and the local server (like
// any other client) may send a temperature of 99, a max_length of "abc" or a 600-character prompt.
// The bot refuses those itself with the same localized errors as the console, whose parser reads
// the same registered definitions (one rule for both adapters: src/commands/option-values.ts).
import { ApplicationCommandOptionType, type CommandInteractionOption } from 'discord.js';
import type { Locale } from '../commands/context.js';
import {
  badLine,
  convertOptionValue,
  localized,
  OptionType,
  type OptionDefinition,
} from '../commands/option-values.js';

interface DefinitionNode {
  options?: (OptionDefinition & { options?: OptionDefinition[] })[];
}

const CHECKED = new Set<number>([OptionType.String, OptionType.Integer, OptionType.Number, OptionType.Boolean]);

/** Throws BAD_COMMAND_LINE (too-large, not-an-integer, not-a-choice …) for the first option outside its definition. */
export function checkOptionValues(
  definition: DefinitionNode,
  received: readonly CommandInteractionOption[],
  locale: Locale,
): void {
  for (const option of received) {
    const known = definition.options?.find((candidate) => candidate.name === option.name);
    if (!known) continue;
    if (
      option.type === ApplicationCommandOptionType.Subcommand ||
      option.type === ApplicationCommandOptionType.SubcommandGroup
    ) {
      checkOptionValues(known as DefinitionNode, option.options ?? [], locale);
      continue;
    }
    if (!CHECKED.has(known.type)) continue;
    const shown = localized(known.name, known.name_localizations, locale);
    const value = option.value;
    if (value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value))) {
      throw badLine(
        known.type === OptionType.Integer
          ? 'not-an-integer'
          : known.type === OptionType.Number
            ? 'not-a-number'
            : 'empty-value',
        { option: shown, value: '' },
      );
    }
    if (known.type === OptionType.String && typeof value !== 'string') throw badLine('empty-value', { option: shown });
    if ((known.type === OptionType.Integer || known.type === OptionType.Number) && typeof value !== 'number') {
      throw badLine(known.type === OptionType.Integer ? 'not-an-integer' : 'not-a-number', {
        option: shown,
        value: String(value).slice(0, 40),
      });
    }
    if (known.type === OptionType.Boolean) {
      if (typeof value !== 'boolean')
        throw badLine('not-a-boolean', { option: shown, value: String(value).slice(0, 40) });
      continue;
    }
    convertOptionValue(known, String(value), shown);
  }
}
