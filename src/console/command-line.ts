// A console line → the command and its options, validated the way Discord's client validates
// an invocation before sending it: known options only, required ones present, integers and
// numbers in range, strings within their lengths, values among the choices.
//
// Syntax: `/name option:value option:"quoted value"`. An unquoted value may contain spaces (as
// Discord shows an invocation: `/generate prompt:En un lugar max_length:40`); it runs until the
// next word that starts with one of the command's option names and a colon. Quotes ("…", '…',
// “…”) keep anything literal, `\"` and `\\` inside them; outside quotes a backslash escapes a
// quote, a space or another backslash, and is literal before anything else (Windows paths).
import type { Locale } from '../commands/context.js';
import {
  badLine,
  convertOptionValue,
  localized,
  OptionType,
  type OptionDefinition,
  type ParsedValue,
} from '../commands/option-values.js';
import { UserError } from '../errors.js';
import { editDistance } from '../store/names.js';
import { allNames, findCommand, findOption, type ConsoleCommand } from './command-definitions.js';

interface OptionSegment {
  /** As typed (may be a localized name). */
  typedName: string;
  /** Offset of the option name in the line. */
  start: number;
  /** Offset of the first character after `name:`. */
  valueStart: number;
  value: string;
  quoted: boolean;
}

export interface ScannedLine {
  commandName: string;
  segments: OptionSegment[];
}

const OPEN_QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '«': '»' };
const OPTION_START = /^([^\s:"'“«\\]+):/u;

function isSpace(character: string | undefined): boolean {
  return character !== undefined && /\s/u.test(character);
}

function skipSpaces(line: string, position: number): number {
  while (position < line.length && isSpace(line[position])) position++;
  return position;
}

/** The command name of a line (`/generate …` → `generate`); throws when it is not a command. */
export function commandNameOf(line: string): { name: string; end: number } {
  const position = skipSpaces(line, 0);
  if (line[position] !== '/') throw badLine('not-a-command', { text: line.trim().slice(0, 40) });
  const end = line.slice(position).search(/\s|$/u) + position;
  const name = line.slice(position + 1, end);
  if (name.length === 0) throw badLine('not-a-command', { text: line.trim().slice(0, 40) });
  return { name, end };
}

/**
 * Splits a line into the command name and `name:value` segments. `isOptionName` says which
 * words end an unquoted value.
 */
export function scanCommandLine(line: string, isOptionName: (typed: string) => boolean): ScannedLine {
  const { name: commandName, end } = commandNameOf(line);
  let position = end;
  const segments: OptionSegment[] = [];
  for (;;) {
    position = skipSpaces(line, position);
    if (position >= line.length) break;
    const start = position;
    const head = OPTION_START.exec(line.slice(position));
    if (!head) {
      const word = line.slice(position).split(/\s/u)[0]!;
      throw badLine('expected-option', { word: word.slice(0, 40), command: commandName });
    }
    const typedName = head[1]!;
    const valueStart = position + head[0].length;
    position = valueStart;
    const close = OPEN_QUOTES[line[position] ?? ''];
    if (close !== undefined) {
      let value = '';
      position++;
      let closed = false;
      while (position < line.length) {
        const character = line[position]!;
        if (character === '\\' && (line[position + 1] === close || line[position + 1] === '\\')) {
          value += line[position + 1];
          position += 2;
          continue;
        }
        if (character === close) {
          closed = true;
          position++;
          break;
        }
        value += character;
        position++;
      }
      if (!closed) throw badLine('unclosed-quote', { option: typedName });
      if (position < line.length && !isSpace(line[position])) throw badLine('text-after-quote', { option: typedName });
      segments.push({ typedName, start, valueStart, value, quoted: true });
      continue;
    }
    let value = '';
    for (;;) {
      // One word of the value.
      while (position < line.length && !isSpace(line[position])) {
        const character = line[position]!;
        const next = line[position + 1];
        if (
          character === '\\' &&
          next !== undefined &&
          (next === '\\' || next === '"' || next === "'" || isSpace(next))
        ) {
          value += next;
          position += 2;
          continue;
        }
        value += character;
        position++;
      }
      const nextWord = skipSpaces(line, position);
      if (nextWord >= line.length) break;
      const following = OPTION_START.exec(line.slice(nextWord));
      if (following && isOptionName(following[1]!)) break;
      value += line.slice(position, nextWord);
      position = nextWord;
    }
    segments.push({ typedName, start, valueStart, value, quoted: false });
  }
  return { commandName, segments };
}

export interface ParsedInvocation {
  command: ConsoleCommand;
  /** By registered option name. */
  options: Record<string, ParsedValue>;
}

/**
 * A word `x:` inside an unquoted value that is meant as an option of the command though it is
 * none: another number of a numbered option (`file6:` beside `file1`…`file5`) or a near miss of
 * an option's name in any language (`max_lenght:`, `semila:`). It ends the value, so the line is
 * refused naming it instead of the word becoming part of the value (a path, a prompt). Other
 * words with a colon (`Nota:`, `C:\textos`) stay in the value.
 */
export function looksLikeOptionName(command: ConsoleCommand, typed: string): boolean {
  const wanted = typed.toLowerCase();
  if (!/^\p{L}[\p{L}\p{N}_-]*$/u.test(wanted)) return false;
  const stem = (name: string) => name.replace(/\d+$/, '');
  return (command.definition.options ?? []).some((option) =>
    allNames(option.name, option.name_localizations).some(
      (name) =>
        (/\d$/.test(name) && /\d$/.test(wanted) && stem(name) === stem(wanted)) ||
        (wanted.length >= 4 && editDistance(wanted, name) <= 2),
    ),
  );
}

/**
 * Parses and validates a command line against the loaded commands. Throws UserError
 * UNKNOWN_COMMAND {name} or BAD_COMMAND_LINE {reason, …}; the names of commands and options in
 * the error are the ones a user of `locale` sees (`/entrenar`, `archivo1`).
 */
export function parseCommandLine(
  line: string,
  commands: readonly ConsoleCommand[],
  locale: Locale = 'en',
): ParsedInvocation {
  const { name } = commandNameOf(line);
  const found = findCommand(commands, name);
  if (!found) throw new UserError('UNKNOWN_COMMAND', { name: name.slice(0, 40) });
  const shownCommand = localized(found.definition.name, found.definition.name_localizations, locale);
  const shown = (option: OptionDefinition) => localized(option.name, option.name_localizations, locale);
  if (
    (found.definition.options ?? []).some(
      (option) => option.type === OptionType.Subcommand || option.type === OptionType.SubcommandGroup,
    )
  ) {
    throw badLine('subcommands-unsupported', { command: shownCommand });
  }
  const { segments } = scanCommandLine(
    line,
    (typed) => findOption(found, typed) !== undefined || looksLikeOptionName(found, typed),
  );
  const options: Record<string, ParsedValue> = {};
  for (const segment of segments) {
    const option = findOption(found, segment.typedName);
    if (!option) {
      throw badLine('unknown-option', {
        option: segment.typedName.slice(0, 40),
        command: shownCommand,
        known: (found.definition.options ?? []).map(shown),
      });
    }
    if (option.name in options) throw badLine('duplicate-option', { option: shown(option) });
    options[option.name] = convertOptionValue(option, segment.value, shown(option));
  }
  const missing = (found.definition.options ?? []).filter((option) => option.required && !(option.name in options));
  if (missing.length > 0) {
    throw badLine('missing-option', { command: shownCommand, options: missing.map(shown) });
  }
  return { command: found, options };
}
