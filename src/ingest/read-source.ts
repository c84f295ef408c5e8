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
  /** Pauses before retrying a transient failure (default DEFAULT_RETRY_DELAYS_MS; [] never retries). */
  retryDelaysMs?: readonly number[];
}

/** Reads are split so progress moves and a cancellation is noticed within a few milliseconds. */
const LOCAL_CHUNK_BYTES = 4 << 20;

export function downloadFailed(
  name: string,
  reason: DownloadFailure,
  extra: { status?: number; detail?: string } = {},
): UserError {
  return new UserError('DOWNLOAD_FAILED', { name, reason, ...extra });
}

/** Waits before the second and third attempt of a download that failed transiently. */
const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [250, 1_000];

/**
 * A 5xx (or 408, 429) answer or a timeout may not happen again: such downloads are retried after
 * each of `retryDelaysMs`; the last failure is reported with the number of attempts. Anything else
 * (404, a refused connection, too large) fails at once.
 */
function isTransient(error: unknown): boolean {
  if (!(error instanceof UserError)) return false;
  if (error.code === 'DOWNLOAD_TIMEOUT') return true;
  const status = Number(error.params.status);
  return (
    error.code === 'DOWNLOAD_FAILED' &&
    error.params.reason === 'http-status' &&
    (status >= 500 || status === 408 || status === 429)
  );
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function readSourceBytes(
  source: { name: string; url?: string; path?: string },
  context: ReadContext,
): Promise<Uint8Array> {
  context.signal?.throwIfAborted();
  if (source.url !== undefined) {
    const delays = context.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await download(source.name, source.url, context);
      } catch (error) {
        if (!isTransient(error)) throw error;
        if (attempt >= delays.length) {
          const failure = error as UserError;
          throw UserError.rebuild(failure.code, { ...failure.params, attempts: attempt + 1 });
        }
        await pause(delays[attempt], context.signal);
      }
    }
  }
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
  const readInto = async (target: Buffer, from: number): Promise<number> => {
    let received = from;
    while (received < target.length) {
      signal?.throwIfAborted();
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(
          target,
          received,
          Math.min(LOCAL_CHUNK_BYTES, target.length - received),
          null,
        ));
      } catch (error) {
        throw localFailure(name, error);
      }
      if (bytesRead === 0) break;
      received += bytesRead;
      if (received > cap.limit) throw cap.refuse(received);
      context.onBytes(received);
    }
    return received;
  };
  try {
    // Exactly the size stat promised, outside Node's shared buffer pool: in the common case the
    // bytes come back uncopied, in a buffer of their own that can be transferred to a worker whole.
    const exact = Buffer.allocUnsafeSlow(size);
    let received = await readInto(exact, 0);
    // A file that shrank since stat: what there is.
    if (received < size) return exact.subarray(0, received);
    // One byte more tells whether it grew since; only then does the buffer grow (the cap still
    // holds for what is actually read).
    const probe = Buffer.allocUnsafe(1);
    let probed: number;
    try {
      ({ bytesRead: probed } = await handle.read(probe, 0, 1, null));
    } catch (error) {
      throw localFailure(name, error);
    }
    if (probed === 0) return exact;
    received += 1;
    if (received > cap.limit) throw cap.refuse(received);
    let buffer = Buffer.allocUnsafeSlow(Math.min(Math.max(size * 2, 64 * 1024), cap.limit + 1));
    exact.copy(buffer, 0, 0, size);
    buffer[size] = probe[0];
    context.onBytes(received);
    for (;;) {
      received = await readInto(buffer, received);
      if (received < buffer.length) return buffer.subarray(0, received);
      const grown = Buffer.allocUnsafeSlow(Math.min(buffer.length * 2, cap.limit + 1));
      buffer.copy(grown, 0, 0, received);
      buffer = grown;
    }
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
