// Everything a user typed or uploaded (model names, file names, prompts, generated text) goes
// through escapeMarkdown before it reaches a message, so a model called `**x**` or a file
// called `[click](https://…)` shows literally instead of formatting or linking.

// Inline markers anywhere; `<` so "<@123>" and "<#1>" show as typed; `@` is left alone because
// allowedMentions already stops pings and "\@" would show its backslash in some clients.
const INLINE = /[\\*_~`|<>[\]()#]/g;
// Block markers only mean something at the start of a line: lists, quotes and subtext ("-#").
const BULLET = /^(\s*)([-+])(?=\s)/gm;
const ORDERED = /^(\s*)(\d+)\.(?=\s)/gm;

export function escapeMarkdown(text: string): string {
  return text
    .replace(INLINE, (marker) => `\\${marker}`)
    .replace(BULLET, '$1\\$2')
    .replace(ORDERED, '$1$2\\.');
}
