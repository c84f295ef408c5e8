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
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelFiles } from './files.js';
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
   */
  async read(
    guildId: string,
    checksum: string,
    bufferFor: (size: number) => ArrayBuffer | null = () => null,
  ): Promise<Uint8Array | null> {
    let handle;
    try {
      handle = await open(this.pathOf(guildId, checksum), 'r');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      const given = bufferFor(size);
      const view = new Uint8Array(given !== null && given.byteLength >= size ? given : new ArrayBuffer(size), 0, size);
      let at = 0;
      while (at < size) {
        const { bytesRead } = await handle.read(view, at, size - at, at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return at === size ? view : view.subarray(0, at);
    } finally {
      await handle.close();
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
