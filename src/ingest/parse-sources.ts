// The pure half of ingestion: bytes already read → training lines. No I/O and no Node-only
// modules beyond decode-text's TextDecoder, so the training worker runs it off the main thread
// (decoding and splitting a 20 MB upload takes the event loop tens of milliseconds).
import { UserError } from '../errors.js';
import { decodeText } from './decode-text.js';
import { extractLines } from './extract-lines.js';
import type { IngestedFile, IngestResult, SourceBytes } from './types.js';

/**
 * Decodes each file and extracts its lines, in order. The first refusal (BINARY_FILE,
 * BAD_ENCODING, MALFORMED_FILE, EMPTY_FILE, then EMPTY_INPUT for no lines at all) is thrown.
 */
export function parseSources(files: readonly SourceBytes[]): IngestResult {
  const parsed: IngestedFile[] = [];
  const lines: string[] = [];
  let bytes = 0;
  for (const file of files) {
    const { text, encoding } = decodeText(file.name, file.bytes);
    if (!/\S/.test(text)) throw new UserError('EMPTY_FILE', { name: file.name });
    const fileLines = extractLines(file.name, text, file.format, file.clean);
    if (fileLines.length === 0) throw new UserError('EMPTY_FILE', { name: file.name });
    parsed.push({ name: file.name, bytes: file.bytes.byteLength, format: file.format, encoding, lines: fileLines });
    // Not lines.push(...fileLines): spreading millions of arguments overflows the stack.
    for (const line of fileLines) lines.push(line);
    bytes += file.bytes.byteLength;
  }
  if (lines.length === 0) throw new UserError('EMPTY_INPUT', {});
  return { files: parsed, lines, bytes };
}
