// What chat text carries that a model should not learn to write: user, role and channel
// mentions (`<@123456>`), links, custom emoji codes (`<:name:123>`), code blocks and bot
// commands (`!play …`, `/roll`). `strip` removes them, `replace` puts a short word in their
// place (so "thanks <@1>" stays a sentence: "thanks @user"), `off` keeps the text as it is.
// Pure: text in, text out, so the training worker runs it with the rest of parsing.

const CLEAN_MODES = ['strip', 'replace', 'off'] as const;
export type CleanMode = (typeof CLEAN_MODES)[number];

export const DEFAULT_CLEAN_MODE: CleanMode = 'strip';

export function isCleanMode(value: unknown): value is CleanMode {
  return typeof value === 'string' && (CLEAN_MODES as readonly string[]).includes(value);
}

/** The words `replace` uses; plain text a model may write without pinging anyone or linking anywhere. */
const PLACEHOLDERS = {
  user: '@user',
  role: '@role',
  channel: '#channel',
  everyone: '@everyone',
  link: 'link',
  code: 'code',
} as const;

// Fenced code blocks first (they may hold anything else), then inline code.
const CODE_BLOCK = /```[\s\S]*?(?:```|$)/g;
const INLINE_CODE = /`[^`\n]+`/g;
const USER_MENTION = /<@!?\d{15,21}>/g;
const ROLE_MENTION = /<@&\d{15,21}>/g;
const CHANNEL_MENTION = /<#\d{15,21}>/g;
const SLASH_MENTION = /<\/[\w-]+(?: [\w-]+){0,2}:\d{15,21}>/g;
const TIMESTAMP = /<t:-?\d+(?::[tTdDfFR])?>/g;
const CUSTOM_EMOJI = /<a?:(\w{2,32}):\d{15,21}>/g;
const EVERYONE = /@(?:everyone|here)\b/g;
// Links with a scheme or starting with www.; `<…>` around a link (Discord's no-embed form) goes too.
const LINK = /<?(?:https?:\/\/|www\.)[^\s<>]+>?/gi;
// A line that starts with a usual bot prefix followed by a word is a command, not conversation.
const BOT_COMMAND = /^[!/$?][\p{L}\p{N}_-]/u;

/**
 * Cleans one message (or a whole file: code fences may span lines). Command lines are dropped
 * whole in both modes; runs of spaces left behind are collapsed so the tokenizer sees words.
 */
export function cleanText(text: string, mode: CleanMode): string {
  if (mode === 'off' || text === '') return text;
  const replace = mode === 'replace';
  const put = (word: string) => (replace ? ` ${word} ` : ' ');
  let cleaned = text
    .replace(CODE_BLOCK, put(PLACEHOLDERS.code))
    .replace(INLINE_CODE, put(PLACEHOLDERS.code))
    .replace(SLASH_MENTION, ' ')
    .replace(TIMESTAMP, ' ')
    .replace(USER_MENTION, put(PLACEHOLDERS.user))
    .replace(ROLE_MENTION, put(PLACEHOLDERS.role))
    .replace(CHANNEL_MENTION, put(PLACEHOLDERS.channel))
    .replace(CUSTOM_EMOJI, (_match, name: string) => (replace ? ` :${name}: ` : ' '))
    .replace(EVERYONE, replace ? ` ${PLACEHOLDERS.everyone} ` : ' ')
    .replace(LINK, put(PLACEHOLDERS.link));
  cleaned = cleaned
    .split('\n')
    .filter((line) => !BOT_COMMAND.test(line.trimStart()))
    .map((line) => line.replace(/[ \t]{2,}/g, ' ').trim())
    .join('\n');
  return cleaned;
}
