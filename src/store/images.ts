// Model images on disk: `<root>/.images/<guild_id>/<sha256 of the model file>.uli`, in the
// models directory beside the guild's model files (in a tree of their own, so the guild
// directories hold exactly the model files, as reconcile and backups expect). An image is derived data (src/lm/image/):
// named by the checksum of the
// model file it was built from, it serves every file with those bytes (a draft and the saved
// model made from it), and it can never be taken for the image of another file. Writes are
// atomic (temp file, rename) but not fsynced: a crash may leave a torn or empty image, which its
// CRCs refuse and the manager rebuilds from the model file, so a derived file does not pay the
// cost of a sync. Reconcile removes images no model file of the guild has any more (sweep).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelFiles } from './files.js';
import { keptSection, type SectionLater } from './kept-section.js';
import { IMAGES_DIR, TEMP_PREFIX, validateGuildId } from './names.js';

const IMAGE_FILE_EXTENSION = '.uli';
const CHECKSUM = /^[0-9a-f]{64}$/;

function imageName(checksum: string): string {
  if (!CHECKSUM.test(checksum))
    throw new Error(`an image is named by a sha256 checksum, not ${JSON.stringify(checksum)}`);
  return `${checksum}${IMAGE_FILE_EXTENSION}`;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** What ModelImageFiles.read read: the image's bytes, and the section read apart when one was asked for and found. */
export interface ImageRead<T> {
  bytes: Uint8Array;
  apart: T | undefined;
  /** The range `laterOf` gave, left unread in `bytes`, read from the file (still open) on first use; undefined when none. */
  later?: SectionLater;
}

/** A range of an image file: where a section lies. */
export interface FileRange {
  offset: number;
  bytes: number;
}

/**
 * A section ModelImageFiles.read leaves unwritten in its buffer, as the caller found it in the image's first bytes (the
 * store does not know the layout): where it lies, and what its bytes become (null when they do not check out: the
 * image is then read whole).
 */
export interface SectionApart<T> {
  offset: number;
  bytes: number;
  decode(bytes: Uint8Array): T | null;
}

/** What read reads first for `apartOf`: an image's frame and header (a model image's are ~2 KB). */
const IMAGE_HEAD_BYTES = 16 * 1024;

export class ModelImageFiles {
  constructor(private readonly files: ModelFiles) {}

  /** The guild's image directory (named by its validated guild id). */
  dirOf(guildId: string): string {
    return join(this.files.root, IMAGES_DIR, validateGuildId(guildId));
  }

  pathOf(guildId: string, checksum: string): string {
    return join(this.dirOf(guildId), imageName(checksum));
  }

  /**
   * The image's bytes, or null when there is none. `bufferFor(size)` may give the memory to read
   * into (a spare buffer of an evicted model, at least `size` bytes): the bytes are then a view of
   * its first `size` bytes. A file that shrinks while read comes back short (and is refused).
   * `apartOf(head, size)`: a section to leave unwritten in the buffer, found in the image's first bytes (up to 16 KB;
   * the model image's vocabulary text, which the model keeps as a string): its bytes are read into the buffer's room
   * just after it, decoded there, and overwritten by the rest. When there is none or it does not check out, the image
   * is read whole and `apart` is undefined. `laterOf(head, size)`: a range after the one apart to leave unread too (the
   * model image's embeddings, which it reads on first use): the file is then kept open for `later` to read it.
   */
  async read<T>(
    guildId: string,
    checksum: string,
    bufferFor: (size: number) => ArrayBuffer | null = () => null,
    apartOf?: (head: Uint8Array, size: number) => SectionApart<T> | null,
    laterOf?: (head: Uint8Array, size: number) => FileRange | null,
  ): Promise<ImageRead<T> | null> {
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(guildId, checksum), 'r');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    let kept = false;
    try {
      const { size } = await handle.stat();
      const given = bufferFor(size);
      const view = new Uint8Array(given !== null && given.byteLength >= size ? given : new ArrayBuffer(size), 0, size);
      /** Reads file bytes [from, to) into `into` (the view's own place by default); false when the file ended first. */
      const read = async (from: number, to: number, into = view.subarray(from, to)): Promise<boolean> => {
        for (let done = 0; done < to - from; ) {
          const { bytesRead } = await handle.read(into, done, to - from - done, from + done);
          if (bytesRead === 0) return false;
          done += bytesRead;
        }
        return true;
      };
      const head = Math.min(size, IMAGE_HEAD_BYTES);
      let value: T | null = null;
      if (apartOf !== undefined && (await read(0, head))) {
        const place = apartOf(view.subarray(0, head), size);
        if (place !== null && place.offset + 2 * place.bytes <= size) {
          const after = place.offset + place.bytes;
          const room = view.subarray(after, after + place.bytes);
          if (await read(place.offset, after, room)) value = place.decode(room);
          const later = value === null ? null : (laterOf?.(view.subarray(0, head), size) ?? null);
          const rest = later !== null && later.offset >= after ? later.offset : size;
          if (
            value !== null &&
            (head >= place.offset || (await read(head, place.offset))) &&
            (await read(after, rest))
          ) {
            if (later === null || rest === size) return { bytes: view, apart: value };
            if (await read(later.offset + later.bytes, size)) {
              kept = true;
              return {
                bytes: view,
                apart: value,
                later: keptSection(handle.fd, () => void handle.close().catch(() => undefined), 'the image file'),
              };
            }
          }
        }
      }
      // Whole (also after a short read above: the file shrank, and is read again as far as it goes).
      let at = 0;
      while (at < size) {
        const { bytesRead } = await handle.read(view, at, size - at, at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return { bytes: at === size ? view : view.subarray(0, at), apart: undefined };
    } finally {
      if (!kept) await handle.close();
    }
  }

  /** The image's size in bytes, or null when there is none. */
  async size(guildId: string, checksum: string): Promise<number | null> {
    try {
      const info = await stat(this.pathOf(guildId, checksum));
      return info.isFile() ? info.size : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async write(guildId: string, checksum: string, bytes: Uint8Array): Promise<void> {
    const target = this.pathOf(guildId, checksum);
    const dir = this.dirOf(guildId);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      await writeFile(temp, bytes, { flag: 'wx', mode: 0o644 });
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async remove(guildId: string, checksum: string): Promise<void> {
    await rm(this.pathOf(guildId, checksum), { force: true });
  }

  /**
   * Removes every image of the guild whose checksum is not in `keep`, and leftover temp files
   * (reconcile, at startup, when no write can be running); returns the names removed.
   */
  async sweep(guildId: string, keep: ReadonlySet<string>): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dirOf(guildId));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const removed: string[] = [];
    for (const name of names.sort()) {
      const checksum = name.endsWith(IMAGE_FILE_EXTENSION) ? name.slice(0, -IMAGE_FILE_EXTENSION.length) : null;
      if (checksum !== null && CHECKSUM.test(checksum) && keep.has(checksum)) continue;
      if (!name.startsWith(TEMP_PREFIX) && (checksum === null || !CHECKSUM.test(checksum))) continue; // not ours: left alone
      await rm(join(this.dirOf(guildId), name), { force: true });
      removed.push(name);
    }
    return removed;
  }
}
