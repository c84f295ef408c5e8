// A section of a file left unread by a load and read later from the file kept open (a model image's
// embeddings, read on first use: src/cli/image-file.ts for `ultra`, images.ts for the manager). An
// open file reads as it was when opened, so a file replaced or deleted meanwhile (writes rename a
// new file over it) still gives the bytes of the one loaded. Synchronous: the model reads it inside
// a generation.
import { readSync } from 'node:fs';

export interface SectionLater {
  /** Fills `into` with the file's bytes from `offset` on, or throws (a file cut meanwhile, let go); then lets it go. */
  read(into: Uint8Array, offset: number): void;
  /** Lets the file go without reading (the model is gone, or its buffer is reused). */
  close(): void;
}

/** Fills `into` with the bytes of the open file `fd` from `offset` on; throws when `what` ends first. */
export function readFullySync(fd: number, into: Uint8Array, offset: number, what = 'the file'): void {
  for (let done = 0; done < into.length; ) {
    const got = readSync(fd, into, done, into.length - done, offset + done);
    if (got === 0) throw new Error(`${what} is shorter than when it was opened`);
    done += got;
  }
}

/** The SectionLater of the open file `fd`; `release` closes it, once, after the read or at `close`. */
export function keptSection(fd: number, release: () => void, what = 'the file'): SectionLater {
  let open = true;
  const close = () => {
    if (open) release();
    open = false;
  };
  return {
    read(into, offset) {
      if (!open) throw new Error(`${what} was let go before this section was read`);
      try {
        readFullySync(fd, into, offset, what);
      } finally {
        close();
      }
    },
    close,
  };
}
