// A typed option value read against the option's registered definition (`data.toJSON()`, what
// Discord's client validates an invocation with): its type, range, length and choices. The
// console's parser (src/console/command-line.ts) converts what a user typed with it, and the
// Discord adapter (src/discord/check-options.ts) refuses what a request carries outside it: one
// rule, the same localized BAD_COMMAND_LINE errors, for both adapters.
import { ApplicationCommandOptionType } from 'discord.js';
import { UserError, type ErrorParams } from '../errors.js';
import { DISCORD_LOCALES } from '../i18n/index.js';
import type { Locale } from './context.js';

/** Discord's option types, as discord.js names them. */
export const OptionType = ApplicationCommandOptionType;

export type Localizations = Partial<Record<string, string | null>> | null | undefined;

interface OptionChoice {
  name: string;
  name_localizations?: Localizations;
  value: string | number;
}

export interface OptionDefinition {
  type: number;
  name: string;
  name_localizations?: Localizations;
  description: string;
  description_localizations?: Localizations;
  required?: boolean;
  choices?: OptionChoice[];
  autocomplete?: boolean;
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  options?: OptionDefinition[];
}

/** The name or description as Discord shows it to a user of `locale`. */
export function localized(base: string, localizations: Localizations, locale: Locale): string {
  for (const code of DISCORD_LOCALES[locale]) {
    const value = localizations?.[code];
    if (value) return value;
  }
  return base;
}

export function badLine(reason: string, params: ErrorParams = {}): UserError {
  return new UserError('BAD_COMMAND_LINE', { reason, ...params });
}

/** An option value before attachments are looked up on disk. */
export type ParsedValue = string | number | boolean | { attachmentPath: string };

function characters(text: string): number {
  return [...text].length;
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', 'on', '1', 'sí', 'si', 's', 'verdadero']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'off', '0', 'falso']);

function checkRange(option: OptionDefinition, value: number, typed: string, shown: string): void {
  if (option.min_value !== undefined && value < option.min_value) {
    throw badLine('too-small', { option: shown, value: typed, min: option.min_value });
  }
  if (option.max_value !== undefined && value > option.max_value) {
    throw badLine('too-large', { option: shown, value: typed, max: option.max_value });
  }
}

function matchChoice(option: OptionDefinition, typed: string, value: string | number, shown: string): string | number {
  const choices = option.choices;
  if (!choices || choices.length === 0) return value;
  const wanted = typed.toLowerCase();
  const found = choices.find(
    (choice) =>
      String(choice.value).toLowerCase() === wanted ||
      choice.name.toLowerCase() === wanted ||
      Object.values(choice.name_localizations ?? {}).some((name) => name?.toLowerCase() === wanted),
  );
  if (!found) {
    throw badLine('not-a-choice', {
      option: shown,
      value: typed,
      choices: choices.map((choice) => String(choice.value)),
    });
  }
  return found.value;
}

/**
 * Converts one typed value to what Discord would deliver for the option's type. `shown` is the
 * option's name as the user sees it (localized), for the error messages.
 */
export function convertOptionValue(option: OptionDefinition, typed: string, shown: string = option.name): ParsedValue {
  if (typed.length === 0) throw badLine('empty-value', { option: shown });
  switch (option.type) {
    case OptionType.Integer: {
      const text = typed.trim();
      if (!/^[-+]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
        // A listed choice may be typed by its name ("Alto" for 3).
        if (option.choices?.length) return matchChoice(option, text, text, shown);
        throw badLine('not-an-integer', { option: shown, value: text.slice(0, 40) });
      }
      const value = Number(text);
      checkRange(option, value, text, shown);
      return option.choices?.length ? matchChoice(option, text, value, shown) : value;
    }
    case OptionType.Number: {
      // A decimal comma is what Spanish users type ("0,8"); Discord's client accepts only the
      // point, and the console is forgiving where there is no ambiguity.
      const text = typed.trim().replace(/^([-+]?\d*),(\d+)$/, '$1.$2');
      const value = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
      if (!Number.isFinite(value)) {
        if (option.choices?.length) return matchChoice(option, typed.trim(), typed.trim(), shown);
        throw badLine('not-a-number', { option: shown, value: typed.trim().slice(0, 40) });
      }
      checkRange(option, value, typed.trim(), shown);
      return option.choices?.length ? matchChoice(option, text, value, shown) : value;
    }
    case OptionType.Boolean: {
      const word = typed.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw badLine('not-a-boolean', { option: shown, value: typed.trim().slice(0, 40) });
    }
    case OptionType.Attachment:
      return { attachmentPath: typed };
    default: {
      if (option.min_length !== undefined && characters(typed) < option.min_length) {
        throw badLine('too-short', { option: shown, min: option.min_length });
      }
      if (option.max_length !== undefined && characters(typed) > option.max_length) {
        throw badLine('too-long', { option: shown, max: option.max_length });
      }
      // Discord caps every string option at 6000 characters even without max_length.
      if (characters(typed) > 6000) throw badLine('too-long', { option: shown, max: 6000 });
      return matchChoice(option, typed, typed, shown);
    }
  }
}
