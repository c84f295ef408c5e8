// Shared shapes of the catalogues. A message is a template ("Saved {name}") or, where grammar
// depends on the values (plurals, optional clauses), a function of the parameters.

export type Locale = 'en' | 'es';

export type Translate = (key: string, params?: Record<string, unknown>) => string;

/** Text that is already Discord markdown: a translator inserts it as is instead of escaping it. */
export interface Markdown {
  readonly markdown: string;
}

/** Formatting bound to the message's locale, for catalogue functions. */
export interface MessageTools {
  readonly locale: Locale;
  int(value: number): string;
  dec(value: number): string;
  bytes(value: number): string;
  duration(ms: number): string;
  seconds(value: number): string;
  /** "a, b and c" / "a, b y c". */
  list(items: readonly string[]): string;
  /** A parameter as text, escaped for Discord markdown unless it is Markdown. */
  text(value: unknown): string;
  /** A parameter as an inline code span (backticks removed from the value, nothing escaped). */
  code(value: unknown): string;
}

export type MessageParams = Record<string, unknown>;

export type Message = string | ((params: MessageParams, tools: MessageTools) => string);
