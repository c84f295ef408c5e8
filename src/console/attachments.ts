// Attachments in the console are local file paths. They become the same AttachmentOption a
// Discord upload becomes (name, size, content type), with `path` instead of `url`, so the
// command and the manager check size and type exactly as they do for Discord.
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, resolve } from 'node:path';
import type { AttachmentOption, OptionValue } from '../commands/context.js';
import { badLine, type ParsedValue } from '../commands/option-values.js';

// What Discord's CDN reports for the same files, so the ingest's type check sees the same thing.
const CONTENT_TYPE_BY_EXTENSION: Record<string, string> = {
  txt: 'text/plain; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  log: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  tsv: 'text/tab-separated-values; charset=utf-8',
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  zip: 'application/zip',
};

function contentTypeFor(fileName: string): string | null {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return null;
  return CONTENT_TYPE_BY_EXTENSION[fileName.slice(dot + 1).toLowerCase()] ?? 'application/octet-stream';
}

/** `~/x` and relative paths, from the console's working directory. */
export function expandPath(typed: string, cwd: string): string {
  if (typed === '~' || typed.startsWith('~/')) return resolve(homedir(), typed.slice(2));
  return resolve(cwd, typed);
}

async function attachmentFromPath(option: string, typed: string, cwd: string): Promise<AttachmentOption> {
  const path = expandPath(typed, cwd);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw badLine('file-not-found', { option, path: typed });
  }
  if (!info.isFile()) throw badLine('not-a-file', { option, path: typed });
  const name = basename(path);
  return { name, size: info.size, contentType: contentTypeFor(name), path };
}

/**
 * Turns parsed values into the options a command receives (attachments looked up on disk).
 * `shown` gives an option's name as the user sees it, for the error messages.
 */
export async function resolveOptionValues(
  parsed: Record<string, ParsedValue>,
  cwd: string,
  shown: (name: string) => string = (name) => name,
): Promise<Record<string, OptionValue>> {
  const options: Record<string, OptionValue> = {};
  for (const [name, value] of Object.entries(parsed)) {
    options[name] =
      typeof value === 'object' ? await attachmentFromPath(shown(name), value.attachmentPath, cwd) : value;
  }
  return options;
}
