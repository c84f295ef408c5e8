// Shapes shared by the ingestion stages, and what a training reads (TrainingSource). The manager
// imports these through ./index.js.
import type { CleanMode } from './clean.js';

export interface IngestLimits {
  /** Files per training request. */
  maxFiles: number;
  /** Bytes of one file, as declared and as actually read. */
  maxFileBytes: number;
  /** Bytes of all files of one request together. */
  maxTotalBytes: number;
  /** Per file, from the request until the last byte of the body. */
  downloadTimeoutMs: number;
}

export type TextFormat = 'txt' | 'md' | 'csv' | 'json' | 'log';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface IngestedFile {
  name: string;
  /** Raw bytes read, before decoding. */
  bytes: number;
  format: TextFormat;
  encoding: TextEncoding;
  lines: string[];
}

/** One source as read, before decoding: what the pure half (parseSources) needs. */
export interface SourceBytes {
  name: string;
  format: TextFormat;
  /** The raw bytes read. */
  bytes: Uint8Array;
  /** What clean.ts removes or replaces in this source's text (default 'off'). */
  clean?: CleanMode;
}

export interface ReadResult {
  /** In source order. */
  files: SourceBytes[];
  /** Raw bytes of all files. */
  bytes: number;
}

export interface IngestResult {
  files: IngestedFile[];
  /** Every file's lines, in source order. */
  lines: string[];
  /** Raw bytes of all files. */
  bytes: number;
}

export interface IngestOptions {
  /** Cancels the whole ingestion; the signal's reason is rethrown unchanged. */
  signal?: AbortSignal;
  /** Injected in tests; defaults to the global fetch of Node 20. */
  fetchImpl?: typeof fetch;
  /** 0–1 over the bytes of all sources (declared sizes until the real ones are known). */
  onProgress?: (fraction: number) => void;
  /** Pauses before retrying a download that failed transiently (5xx, timeout); default 250 ms, 1 s. */
  retryDelaysMs?: readonly number[];
}

/**
 * Stable reasons carried by MALFORMED_FILE {name, reason, detail?}. The i18n layer maps the
 * reason to a sentence; `detail` (a position, what was found) is shown as is.
 */
export type MalformedReason = 'json-syntax' | 'json-shape' | 'csv-unclosed-quote' | 'csv-no-text-column';

/** Stable reasons carried by DOWNLOAD_FAILED {name, reason, status?, detail?}. */
export type DownloadFailure =
  | 'no-location' // neither url nor path
  | 'not-http-url' // a url whose scheme is not http(s)
  | 'http-status' // the server answered with a non-2xx status (see `status`)
  | 'network' // connection refused, reset, closed before the end of the body …
  | 'not-found' // local path does not exist
  | 'not-a-file' // local path is a directory, FIFO, device …
  | 'read-error'; // any other local read failure

/**
 * An uploaded file: a Discord attachment (url) or a local file (path, console and tests); or
 * text the bot gathers itself (a channel's history) through `produce`.
 */
export interface TrainingSource {
  name: string;
  size: number;
  contentType?: string | null;
  url?: string;
  path?: string;
  produce?: ProduceSource;
  /** What is stripped or replaced from the text before training (src/ingest/clean.ts); default off. */
  clean?: CleanMode;
}

/**
 * Reads a source that is not a file (a channel's history): resolves with its bytes
 * (the name's extension gives the format), never more than `maxBytes` (else it throws
 * `tooLarge(bytesSeen)`), reports 0–1 through `onFraction`, and stops when `signal` aborts.
 */
type ProduceSource = (context: {
  signal?: AbortSignal;
  maxBytes: number;
  tooLarge: (bytesSeen: number) => Error;
  onFraction: (fraction: number) => void;
}) => Promise<Uint8Array>;
