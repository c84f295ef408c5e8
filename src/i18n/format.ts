// Numbers, sizes, durations and dates as a reader of each language expects them. Pure: the
// caller passes every value, including "now".
import type { Locale } from './types.js';

const INTL_LOCALE: Record<Locale, string> = { en: 'en-US', es: 'es-ES' };

const integerFormats = new Map<Locale, Intl.NumberFormat>();
const decimalFormats = new Map<Locale, Intl.NumberFormat>();

function integerFormat(locale: Locale): Intl.NumberFormat {
  let format = integerFormats.get(locale);
  if (!format) {
    // useGrouping 'always': Spanish otherwise leaves four-digit numbers ungrouped, which reads
    // inconsistently beside five-digit ones in the same table.
    format = new Intl.NumberFormat(INTL_LOCALE[locale], {
      maximumFractionDigits: 0,
      useGrouping: 'always',
    } as Intl.NumberFormatOptions);
    integerFormats.set(locale, format);
  }
  return format;
}

function decimalFormat(locale: Locale): Intl.NumberFormat {
  let format = decimalFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(INTL_LOCALE[locale], { maximumFractionDigits: 1, minimumFractionDigits: 0 });
    decimalFormats.set(locale, format);
  }
  return format;
}

export function formatInteger(locale: Locale, value: number): string {
  return integerFormat(locale).format(Math.round(value));
}

export function formatDecimal(locale: Locale, value: number): string {
  return decimalFormat(locale).format(value);
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Binary multiples with the familiar short names ("KB" for 1,024 bytes, as file managers show them). */
export function formatBytes(locale: Locale, bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? formatInteger(locale, value) : formatDecimal(locale, value)} ${BYTE_UNITS[unit]}`;
}

/** "850 ms", "42 s", "3 min 5 s", "2 h 3 min", "1 d 4 h": two units at most. */
export function formatDuration(locale: Locale, ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1000) return `${formatInteger(locale, value)} ms`;
  const seconds = Math.round(value / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return joinUnits(minutes, 'min', seconds % 60, 's');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return joinUnits(hours, 'h', minutes % 60, 'min');
  const days = Math.floor(hours / 24);
  return joinUnits(days, 'd', hours % 24, 'h');
}

function joinUnits(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major} ${majorUnit}` : `${major} ${majorUnit} ${minor} ${minorUnit}`;
}

/** Seconds with one decimal when under ten ("2.4 s"), whole seconds above. */
export function formatSeconds(locale: Locale, seconds: number): string {
  return seconds < 10 ? `${formatDecimal(locale, Math.max(0, seconds))} s` : `${formatInteger(locale, seconds)} s`;
}

/** ISO date in UTC (YYYY-MM-DD): unambiguous in both languages and short enough for autocomplete. */
export function formatDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function formatPercent(locale: Locale, fraction: number): string {
  const percent = formatInteger(locale, Math.floor(Math.min(1, Math.max(0, fraction)) * 100));
  // Spanish typography separates the sign (RAE); English does not.
  return locale === 'es' ? `${percent} %` : `${percent}%`;
}
