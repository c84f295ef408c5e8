// The bytes of one source, never more than a cap. A download is cut off as soon as the body
// passes the cap (Content-Length is only a hint: servers omit it, and compressed bodies grow),
// and the timeout covers the whole body, so a server that trickles or hangs cannot hold a job.
import { open, stat } from 'node:fs/promises';
import { UserError } from '../errors.js';
import type { DownloadFailure } from './types.js';

export interface ByteCap {
  limit: number;
  /** The error for a source found to hold `bytesSeen` (> limit) bytes. */
  refuse: (bytesSeen: number) => UserError;
}

export interface ReadContext {
  cap: ByteCap;
  timeoutMs: number;
  signal?: AbortSignal;
  fetchImpl: typeof fetch;
  /** Bytes of this source read so far. */
  onBytes: (bytesRead: number) => void;
}

/** Reads are split so progress moves and a cancellation is noticed within a few milliseconds. */
const LOCAL_CHUNK_BYTES = 4 << 20;

export function downloadFailed(name: string, reason: DownloadFailure, extra: { status?: number; detail?: string } = {}): UserError {
  return new UserError('DOWNLOAD_FAILED', { name, reason, ...extra });
}

export async function readSourceBytes(source: { name: string; url?: string; path?: string }, context: ReadContext): Promise<Uint8Array> {
  context.signal?.throwIfAborted();
  if (source.url !== undefined) return download(source.name, source.url, context);
  if (source.path !== undefined) return readLocalFile(source.name, source.path, context);
  throw downloadFailed(source.name, 'no-location');
}

async function download(name: string, url: string, context: ReadContext): Promise<Uint8Array> {
  const { cap, signal } = context;
  const controller = new AbortController();
  let stoppedBy: 'timeout' | 'caller' | null = null;
  const timer = setTimeout(() => {
    stoppedBy = 'timeout';
    controller.abort();
  }, context.timeoutMs);
  const onCallerAbort = () => {
    stoppedBy = 'caller';
    controller.abort(signal?.reason);
  };
  signal?.addEventListener('abort', onCallerAbort, { once: true });

  const failure = (error: unknown): unknown => {
    if (stoppedBy === 'timeout') {
      return new UserError('DOWNLOAD_TIMEOUT', { name, seconds: Math.round(context.timeoutMs / 100) / 10 });
    }
    if (stoppedBy === 'caller') return signal?.reason ?? error;
    return downloadFailed(name, 'network', { detail: networkDetail(error) });
  };

  try {
    let response: Response;
    try {
      response = await context.fetchImpl(url, { signal: controller.signal, redirect: 'follow' });
    } catch (error) {
      throw failure(error);
    }
    if (!response.ok) {
      controller.abort();
      throw downloadFailed(name, 'http-status', { status: response.status });
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > cap.limit) {
      controller.abort();
      throw cap.refuse(declared);
    }
    if (!response.body) return new Uint8Array(0);

    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let received = 0;
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw failure(error);
      }
      if (chunk.done) break;
      received += chunk.value.byteLength;
      if (received > cap.limit) {
        controller.abort();
        throw cap.refuse(received);
      }
      chunks.push(chunk.value);
      context.onBytes(received);
    }
    // A caller abort that lands after the last chunk still cancels the job.
    if (stoppedBy === 'caller') throw signal?.reason;
    return Buffer.concat(chunks, received);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  }
}

function networkDetail(error: unknown): string {
  // undici reports "fetch failed" with the useful part (ECONNREFUSED, "other side closed") in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}

async function readLocalFile(name: string, path: string, context: ReadContext): Promise<Uint8Array> {
  const { cap, signal } = context;
  let size: number;
  try {
    const info = await stat(path);
    // A FIFO or device would block or never end; only regular files are read.
    if (!info.isFile()) throw downloadFailed(name, 'not-a-file');
    size = info.size;
  } catch (error) {
    throw localFailure(name, error);
  }
  if (size > cap.limit) throw cap.refuse(size);

  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw localFailure(name, error);
  }
  try {
    // One buffer of the size stat promised, plus a byte to notice a file that grew since:
    // no copies for the common case, and the cap still holds for what is actually read.
    let buffer = Buffer.allocUnsafe(size + 1);
    let received = 0;
    for (;;) {
      signal?.throwIfAborted();
      if (received === buffer.length) {
        if (received > cap.limit) throw cap.refuse(received);
        const grown = Buffer.allocUnsafe(Math.min(buffer.length * 2, cap.limit + 1));
        buffer.copy(grown, 0, 0, received);
        buffer = grown;
      }
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, received, Math.min(LOCAL_CHUNK_BYTES, buffer.length - received), null));
      } catch (error) {
        throw localFailure(name, error);
      }
      if (bytesRead === 0) break;
      received += bytesRead;
      if (received > cap.limit) throw cap.refuse(received);
      context.onBytes(received);
    }
    return buffer.subarray(0, received);
  } finally {
    await handle.close();
  }
}

function localFailure(name: string, error: unknown): unknown {
  if (error instanceof UserError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return downloadFailed(name, 'not-found');
  if (code === 'EISDIR') return downloadFailed(name, 'not-a-file');
  return downloadFailed(name, 'read-error', { detail: code ?? String(error) });
}
