// JSON → message texts. Accepted shapes, the ones chat tools actually export:
//   ["hola", "qué tal"]                                  plain array of strings
//   [{"message": "hola"}, …]                            markov-discord's training format
//   [{"content": "…"}, {"text": "…"}]                   any array of message objects
//   {"messages": [{"content": "…", "author": {…}}, …]}  DiscordChatExporter
// Anything else is refused with the shape that was found, rather than guessed at.
import { UserError } from '../errors.js';
import type { MalformedReason } from './types.js';

const MESSAGE_FIELDS = ['content', 'message', 'text'];

export function extractJsonMessages(name: string, text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof SyntaxError ? error.message : String(error);
    throw new UserError('MALFORMED_FILE', { name, reason: 'json-syntax' satisfies MalformedReason, detail });
  }
  const messages = isObject(value) && Array.isArray(value.messages) ? value.messages : value;
  if (!Array.isArray(messages)) {
    throw new UserError('MALFORMED_FILE', {
      name,
      reason: 'json-shape' satisfies MalformedReason,
      detail: `top level is ${describe(value)}`,
    });
  }
  const texts: string[] = [];
  let unusable = 0;
  for (const item of messages) {
    const message = typeof item === 'string' ? item : isObject(item) ? messageField(item) : undefined;
    if (message === undefined) unusable++;
    else texts.push(message);
  }
  // Some items without text are normal (DiscordChatExporter lists attachment-only messages with
  // an empty content); an array where nothing is text is the wrong file.
  if (texts.length === 0 && unusable > 0) {
    throw new UserError('MALFORMED_FILE', {
      name,
      reason: 'json-shape' satisfies MalformedReason,
      detail: `none of ${messages.length} items is a string or has a content, message or text field (the first is ${describe(messages[0])})`,
    });
  }
  return texts;
}

function messageField(item: Record<string, unknown>): string | undefined {
  for (const field of MESSAGE_FIELDS) {
    const value = item[field];
    if (typeof value === 'string') return value;
  }
  // Exporters that capitalise their keys ("Content", "Message").
  for (const [key, value] of Object.entries(item)) {
    if (typeof value === 'string' && MESSAGE_FIELDS.includes(key.toLowerCase())) return value;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (isObject(value)) return 'an object';
  return `a ${typeof value}`;
}
