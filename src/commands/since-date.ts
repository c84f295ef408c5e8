// `/train channel since:` — when a history starts: a date (2024-05-31, UTC), a date and time in
// ISO 8601, or a span back from now (`12h`, `30d`, `8w`). Anything else, or a moment in the
// future, is refused with INVALID_DATE, whose sentence shows the accepted forms.
import { UserError } from '../errors.js';

const SPAN_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

export function parseSince(option: string, text: string, now: number): number {
  const value = text.trim();
  const span = /^(\d{1,5})\s*([hdw])$/i.exec(value);
  if (span) return now - Number(span[1]) * SPAN_MS[span[2].toLowerCase()];
  const isoDate = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const isoDateTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(value);
  const at = isoDate
    ? Date.parse(`${value}T00:00:00Z`)
    : isoDateTime
      ? Date.parse(/Z|[+-]\d{2}:?\d{2}$/i.test(value) ? value.replace(' ', 'T') : `${value.replace(' ', 'T')}Z`)
      : NaN;
  if (!Number.isFinite(at) || at > now) throw new UserError('INVALID_DATE', { option, value: text });
  return at;
}
