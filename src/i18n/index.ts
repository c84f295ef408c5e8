// The bot's two languages. Commands and adapters ask for text by key; user-supplied values are
// escaped for Discord markdown on the way in, so no caller has to remember to.
import { isUserError, type ErrorCode, type ErrorParams } from '../errors.js';
import { en, type MessageKey } from './en.js';
import { es } from './es.js';
import { formatBytes, formatDecimal, formatDuration, formatInteger, formatSeconds } from './format.js';
import { escapeMarkdown } from './markdown.js';
import type { Locale, Markdown, Message, MessageParams, MessageTools, Translate } from './types.js';

export type { Locale, Markdown, Message, MessageKey, MessageParams, Translate };
export { escapeMarkdown };
export { formatBytes, formatDate, formatDecimal, formatDuration, formatInteger, formatPercent } from './format.js';

const LOCALES: readonly Locale[] = ['en', 'es'];

export const CATALOGUES: Record<Locale, Record<MessageKey, Message>> = { en, es };

/** Discord's locale codes for each language, as used in command localizations. */
export const DISCORD_LOCALES: Record<Locale, readonly string[]> = {
  en: ['en-US', 'en-GB'],
  es: ['es-ES', 'es-419'],
};

/** A Discord or BCP 47 locale ("es-419", "en-GB", "es") → our language, or null. */
function languageOf(locale: string | null | undefined): Locale | null {
  if (!locale) return null;
  const language = locale.toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(language) ? (language as Locale) : null;
}

/** The user's language when we speak it, else the guild's, else English. */
export function resolveLocale(userLocale: string | null | undefined, guildLocale?: string | null): Locale {
  return languageOf(userLocale) ?? languageOf(guildLocale) ?? 'en';
}

/** Marks text as already-safe markdown so a translator inserts it unescaped. */
export function markdown(text: string): Markdown {
  return { markdown: text };
}

function isMarkdown(value: unknown): value is Markdown {
  return typeof value === 'object' && value !== null && typeof (value as Markdown).markdown === 'string';
}

function toolsFor(locale: Locale): MessageTools {
  const tools: MessageTools = {
    locale,
    int: (value) => formatInteger(locale, value),
    dec: (value) => formatDecimal(locale, value),
    bytes: (value) => formatBytes(locale, value),
    duration: (ms) => formatDuration(locale, ms),
    seconds: (value) => formatSeconds(locale, value),
    list: (items) => {
      if (items.length <= 1) return items.join('');
      const last = items[items.length - 1];
      return `${items.slice(0, -1).join(', ')} ${locale === 'es' ? 'y' : 'and'} ${last}`;
    },
    text: (value) => {
      if (isMarkdown(value)) return value.markdown;
      if (typeof value === 'number')
        return Number.isInteger(value) ? formatInteger(locale, value) : formatDecimal(locale, value);
      if (Array.isArray(value)) return value.map((item) => tools.text(item)).join(', ');
      return escapeMarkdown(value === null || value === undefined ? '' : String(value));
    },
    code: (value) => {
      const text = (isMarkdown(value) ? value.markdown : String(value ?? '')).replace(/`/g, 'ˋ');
      return `\`${text}\``;
    },
  };
  return tools;
}

const TOOLS: Record<Locale, MessageTools> = { en: toolsFor('en'), es: toolsFor('es') };

export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** Renders one message. An unknown key renders as itself, so a typo shows instead of crashing. */
export function translate(locale: Locale, key: string, params: MessageParams = {}): string {
  const message = hasMessage(key) ? (CATALOGUES[locale][key] ?? en[key]) : undefined;
  if (message === undefined) return key;
  const tools = TOOLS[locale];
  if (typeof message === 'function') return message(params, tools);
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? tools.text(params[name]) : whole));
}

const TRANSLATORS = new Map<Locale, Translate>();

/** The translate function of a locale; one per locale, shared (every command asks for one). */
export function translator(locale: Locale): Translate {
  let translateIn = TRANSLATORS.get(locale);
  if (translateIn === undefined) {
    translateIn = (key, params) => translate(locale, key, params);
    TRANSLATORS.set(locale, translateIn);
  }
  return translateIn;
}

/** Discord localization maps for a command or option string: en-US, en-GB, es-ES, es-419. */
export function localizations(key: MessageKey): Record<string, string> {
  const map: Record<string, string> = {};
  for (const locale of LOCALES) {
    for (const code of DISCORD_LOCALES[locale]) map[code] = translate(locale, key);
  }
  return map;
}

// Parameters whose values are our own codes, shown in the reader's language.
const CODED_PARAMS: Record<string, (locale: Locale, value: unknown) => string | undefined> = {
  phase: (locale, value) =>
    hasMessage(`phase.${String(value)}`) ? translate(locale, `phase.${String(value)}`) : undefined,
};

/** The sentence a user sees for an expected failure; anything else becomes INTERNAL. */
export function describeError(locale: Locale, error: unknown): string {
  if (!isUserError(error)) return describeCode(locale, 'INTERNAL', { reference: '—' });
  return describeCode(locale, error.code, error.params);
}

export function describeCode(locale: Locale, code: ErrorCode, params: ErrorParams = {}): string {
  const shown: MessageParams = { ...params };
  for (const [name, render] of Object.entries(CODED_PARAMS)) {
    if (name in shown) {
      const rendered = render(locale, shown[name]);
      if (rendered !== undefined) shown[name] = rendered;
    }
  }
  return translate(locale, `error.${code}`, shown);
}
