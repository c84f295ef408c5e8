// Placeholder contract; the bot helper replaces this with the real catalogues.
export type Locale = 'en' | 'es';
export type Translate = (key: string, params?: Record<string, unknown>) => string;
