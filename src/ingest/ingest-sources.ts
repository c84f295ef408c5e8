// The two entry points the manager calls: checkSources before it takes a job slot (no I/O, so a
// request that can never succeed is refused at once), ingestSources inside the job.
import { UserError } from '../errors.js';
import type { TrainingSource } from '../manager/types.js';
import { decodeText } from './decode-text.js';
import { describeFileType, detectFormat } from './detect-format.js';
import { extractLines } from './extract-lines.js';
import { downloadFailed, readSourceBytes, type ByteCap } from './read-source.js';
import type { IngestedFile, IngestLimits, IngestOptions, IngestResult, TextFormat } from './types.js';

/** Cheap checks before any download: count, declared sizes, extension/content type, location. */
export function checkSources(sources: TrainingSource[], limits: IngestLimits): void {
  if (sources.length === 0) throw new UserError('EMPTY_INPUT', {});
  if (sources.length > limits.maxFiles) {
    throw new UserError('TOO_MANY_FILES', { count: sources.length, limit: limits.maxFiles });
  }
  let declaredTotal = 0;
  for (const source of sources) {
    formatOf(source);
    checkLocation(source);
    const declared = declaredSize(source);
    if (declared > limits.maxFileBytes) {
      throw new UserError('ATTACHMENT_TOO_LARGE', { name: source.name, bytes: declared, limit: limits.maxFileBytes });
    }
    declaredTotal += declared;
  }
  if (declaredTotal > limits.maxTotalBytes) {
    throw new UserError('TRAINING_INPUT_TOO_LARGE', { bytes: declaredTotal, limit: limits.maxTotalBytes });
  }
}

/**
 * Reads every source in order and turns it into training lines. Any refusal stops the whole
 * request: training on part of what the user sent, without saying so, would be worse.
 */
export async function ingestSources(sources: TrainingSource[], limits: IngestLimits, options: IngestOptions = {}): Promise<IngestResult> {
  checkSources(sources, limits);
  const { signal, onProgress } = options;
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;
  const declaredTotal = sources.reduce((sum, source) => sum + declaredSize(source), 0);

  const files: IngestedFile[] = [];
  const lines: string[] = [];
  let bytesBefore = 0;
  let reported = 0;
  const report = (bytesOfCurrent: number) => {
    if (!onProgress) return;
    const done = bytesBefore + bytesOfCurrent;
    // Without declared sizes (local files from old clients), count whole files instead.
    const fraction = declaredTotal > 0 ? Math.min(1, done / Math.max(declaredTotal, done)) : files.length / sources.length;
    // Per chunk would be thousands of calls for a large file; whole percents are plenty.
    if (fraction - reported >= 0.01) {
      reported = fraction;
      onProgress(fraction);
    }
  };

  for (const source of sources) {
    const format = formatOf(source);
    const bytes = await readSourceBytes(source, {
      cap: capFor(source.name, limits, bytesBefore),
      timeoutMs: limits.downloadTimeoutMs,
      signal,
      fetchImpl,
      onBytes: report,
    });
    signal?.throwIfAborted();
    const { text, encoding } = decodeText(source.name, bytes);
    if (!/\S/.test(text)) throw new UserError('EMPTY_FILE', { name: source.name });
    const fileLines = extractLines(source.name, text, format);
    if (fileLines.length === 0) throw new UserError('EMPTY_FILE', { name: source.name });
    files.push({ name: source.name, bytes: bytes.byteLength, format, encoding, lines: fileLines });
    // Not lines.push(...fileLines): spreading millions of arguments overflows the stack.
    for (const line of fileLines) lines.push(line);
    bytesBefore += bytes.byteLength;
    report(0);
  }
  if (lines.length === 0) throw new UserError('EMPTY_INPUT', {});
  if (onProgress && reported < 1) onProgress(1);
  return { files, lines, bytes: bytesBefore };
}

function formatOf(source: TrainingSource): TextFormat {
  const format = detectFormat(source.name, source.contentType);
  if (!format) {
    throw new UserError('UNSUPPORTED_FILE_TYPE', { name: source.name, type: describeFileType(source.name, source.contentType) });
  }
  return format;
}

function checkLocation(source: TrainingSource): void {
  if (source.url !== undefined) {
    let protocol: string;
    try {
      protocol = new URL(source.url).protocol;
    } catch {
      throw downloadFailed(source.name, 'not-http-url');
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw downloadFailed(source.name, 'not-http-url');
  } else if (source.path === undefined) {
    throw downloadFailed(source.name, 'no-location');
  }
}

/** A missing or nonsensical declared size counts as unknown (0): the real size is capped anyway. */
function declaredSize(source: TrainingSource): number {
  return Number.isFinite(source.size) && source.size > 0 ? source.size : 0;
}

/** The tighter of the file's own limit and what is left of the request's total. */
function capFor(name: string, limits: IngestLimits, bytesBefore: number): ByteCap {
  const leftOfTotal = limits.maxTotalBytes - bytesBefore;
  return {
    limit: Math.max(0, Math.min(limits.maxFileBytes, leftOfTotal)),
    // A byte count over the file's own limit proves the file alone is too large; otherwise it
    // is the running total that overflowed.
    refuse: (bytesSeen) =>
      bytesSeen > limits.maxFileBytes
        ? new UserError('ATTACHMENT_TOO_LARGE', { name, bytes: bytesSeen, limit: limits.maxFileBytes })
        : new UserError('TRAINING_INPUT_TOO_LARGE', { name, bytes: bytesBefore + bytesSeen, limit: limits.maxTotalBytes }),
  };
}
