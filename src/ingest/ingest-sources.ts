// The entry points the manager calls: checkSources before it takes a job slot (no I/O, so a
// request that can never succeed is refused at once), readSources inside the job (the bytes then
// go to the training worker, which runs parseSources). ingestSources does both halves in one call.
import { UserError } from '../errors.js';
import { describeFileType, detectFormat } from './detect-format.js';
import { parseSources } from './parse-sources.js';
import { downloadFailed, readSourceBytes, type ByteCap } from './read-source.js';
import type {
  IngestLimits,
  IngestOptions,
  IngestResult,
  ReadResult,
  SourceBytes,
  TextFormat,
  TrainingSource,
} from './types.js';

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
 * Reads every source in order and turns it into training lines: readSources then parseSources.
 * Any refusal stops the whole request: training on part of what the user sent, without saying
 * so, would be worse. The manager calls the two halves itself, parsing in the training worker.
 */
export async function ingestSources(
  sources: TrainingSource[],
  limits: IngestLimits,
  options: IngestOptions = {},
): Promise<IngestResult> {
  return parseSources((await readSources(sources, limits, options)).files);
}

/**
 * The I/O half: checks the sources, then reads each one's bytes in order under the per-file and
 * total caps, reporting progress over the bytes. Nothing is decoded here (see parseSources).
 */
export async function readSources(
  sources: TrainingSource[],
  limits: IngestLimits,
  options: IngestOptions = {},
): Promise<ReadResult> {
  checkSources(sources, limits);
  const { signal, onProgress } = options;
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;
  const declaredTotal = sources.reduce((sum, source) => sum + declaredSize(source), 0);

  const files: SourceBytes[] = [];
  let bytesBefore = 0;
  let reported = 0;
  const reportFraction = (fraction: number) => {
    // Per chunk would be thousands of calls for a large file; whole percents are plenty.
    if (onProgress && fraction - reported >= 0.01) {
      reported = fraction;
      onProgress(fraction);
    }
  };
  const report = (bytesOfCurrent: number) => {
    if (!onProgress) return;
    const done = bytesBefore + bytesOfCurrent;
    // Without declared sizes (local files from old clients), count whole files instead.
    reportFraction(
      declaredTotal > 0 ? Math.min(1, done / Math.max(declaredTotal, done)) : files.length / sources.length,
    );
  };

  for (const source of sources) {
    const format = formatOf(source);
    const cap = capFor(source.name, limits, bytesBefore);
    const bytes = source.produce
      ? await source.produce({
          signal,
          maxBytes: cap.limit,
          tooLarge: cap.refuse,
          // A produced source has no declared size: its own fraction stands for its share.
          onFraction: (fraction) =>
            reportFraction((files.length + Math.min(1, Math.max(0, fraction))) / sources.length),
        })
      : await readSourceBytes(source, {
          cap,
          timeoutMs: limits.downloadTimeoutMs,
          signal,
          fetchImpl,
          onBytes: report,
          retryDelaysMs: options.retryDelaysMs,
        });
    signal?.throwIfAborted();
    if (bytes.byteLength > cap.limit) throw cap.refuse(bytes.byteLength);
    files.push({ name: source.name, format, bytes, ...(source.clean ? { clean: source.clean } : {}) });
    bytesBefore += bytes.byteLength;
    report(0);
  }
  if (onProgress && reported < 1) onProgress(1);
  return { files, bytes: bytesBefore };
}

function formatOf(source: TrainingSource): TextFormat {
  const format = detectFormat(source.name, source.contentType);
  if (!format) {
    throw new UserError('UNSUPPORTED_FILE_TYPE', {
      name: source.name,
      type: describeFileType(source.name, source.contentType),
    });
  }
  return format;
}

function checkLocation(source: TrainingSource): void {
  if (source.produce !== undefined) return;
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
        : new UserError('TRAINING_INPUT_TOO_LARGE', {
            name,
            bytes: bytesBefore + bytesSeen,
            limit: limits.maxTotalBytes,
          }),
  };
}
