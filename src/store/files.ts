// The model file store: `<root>/<guild_id>/<file>`. Every path is built from a validated guild
// id and a file name this module checks again, and every resolved path is asserted to stay in
// its guild's directory. Writes are atomic (temp file in the same directory, fsync, rename or
// link, fsync of the directory), so a crash leaves either the old state or the new one plus a
// temp file that reconcile removes.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { syncDirectory } from './durable.js';
import { validateGuildId, IMAGES_DIR, ORPHANS_DIR, TEMP_PREFIX } from './names.js';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export type FileCheck = { kind: 'ok'; bytes: number } | { kind: 'missing' } | { kind: 'checksum'; bytes: number };

export interface GuildDirEntry {
  name: string;
  kind: 'file' | 'directory' | 'other';
}

export class ModelFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  guildDir(guildId: string): string {
    return this.contained(join(this.root, validateGuildId(guildId)), this.root);
  }

  /** The absolute path of a file in a guild's directory (or its .orphans/). */
  pathOf(guildId: string, filename: string): string {
    assertPlainFilename(filename);
    const dir = this.guildDir(guildId);
    return this.contained(join(dir, filename), dir);
  }

  /**
   * Writes `bytes` as `filename` atomically. 'no-clobber' never overwrites: it returns false when
   * the name is taken (the caller picks another), using link(2), which fails atomically on an
   * existing target, instead of an existence check followed by a rename. 'replace' renames over.
   */
  async writeAtomic(
    guildId: string,
    filename: string,
    bytes: Uint8Array,
    mode: 'replace' | 'no-clobber',
  ): Promise<boolean> {
    const target = this.pathOf(guildId, filename);
    const dir = this.guildDir(guildId);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      const handle = await open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (mode === 'replace') {
        await rename(temp, target);
      } else {
        const placed = await placeWithoutOverwrite(temp, target);
        if (!placed) return false;
      }
      await syncDirectory(dir);
      return true;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async read(guildId: string, filename: string): Promise<Uint8Array | null> {
    try {
      return await readFile(this.pathOf(guildId, filename));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /** Streams the file through sha256, so a startup check of many large files holds no buffers. */
  async check(guildId: string, filename: string, checksum: string, deep: boolean): Promise<FileCheck> {
    const path = this.pathOf(guildId, filename);
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) return { kind: 'missing' };
      size = info.size;
    } catch (error) {
      if (isMissing(error)) return { kind: 'missing' };
      throw error;
    }
    if (!deep) return { kind: 'ok', bytes: size };
    const hash = createHash('sha256');
    await new Promise<void>((done, fail) => {
      createReadStream(path)
        .on('data', (chunk) => hash.update(chunk))
        .on('end', done)
        .on('error', fail);
    });
    return hash.digest('hex') === checksum ? { kind: 'ok', bytes: size } : { kind: 'checksum', bytes: size };
  }

  /**
   * Not followed by a directory fsync: if a power cut undoes the unlink, the file reappears
   * without a row and reconcile moves it to .orphans/, which is harmless.
   */
  async remove(guildId: string, filename: string): Promise<boolean> {
    try {
      await unlink(this.pathOf(guildId, filename));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** Moves a file into the guild's .orphans/, renaming it if that name is taken there. */
  async moveToOrphans(guildId: string, filename: string): Promise<string> {
    const source = this.pathOf(guildId, filename);
    const orphans = this.contained(join(this.guildDir(guildId), ORPHANS_DIR), this.guildDir(guildId));
    await mkdir(orphans, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      const name = attempt === 1 ? filename : `${filename}.${attempt}`;
      const target = this.contained(join(orphans, name), orphans);
      if (await placeWithoutOverwrite(source, target)) {
        await unlink(source).catch((error: unknown) => {
          if (!isMissing(error)) throw error;
        });
        await syncDirectory(orphans);
        await syncDirectory(this.guildDir(guildId));
        return `${ORPHANS_DIR}/${name}`;
      }
    }
  }

  /** Plain files in the guild's .orphans/ (what `npm run recover` looks at). */
  async orphanFiles(guildId: string): Promise<string[]> {
    const dir = this.contained(join(this.guildDir(guildId), ORPHANS_DIR), this.guildDir(guildId));
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  /**
   * Moves `.orphans/<orphan>` back into the guild's directory as `filename`, never overwriting
   * (false when that name is taken). The file is in one place or the other at every moment.
   */
  async adoptOrphan(guildId: string, orphan: string, filename: string): Promise<boolean> {
    assertPlainFilename(orphan);
    const orphans = this.contained(join(this.guildDir(guildId), ORPHANS_DIR), this.guildDir(guildId));
    const source = this.contained(join(orphans, orphan), orphans);
    const target = this.pathOf(guildId, filename);
    if (!(await placeWithoutOverwrite(source, target))) return false;
    await syncDirectory(this.guildDir(guildId));
    await unlink(source).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
    await syncDirectory(orphans);
    return true;
  }

  /** Reads a file of the guild's .orphans/ (null when gone). */
  async readOrphan(guildId: string, orphan: string): Promise<Uint8Array | null> {
    assertPlainFilename(orphan);
    const orphans = this.contained(join(this.guildDir(guildId), ORPHANS_DIR), this.guildDir(guildId));
    try {
      return await readFile(this.contained(join(orphans, orphan), orphans));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  /** Guild directories under the root whose names are valid guild ids. */
  async guildIds(): Promise<{ valid: string[]; ignored: string[] }> {
    const valid: string[] = [];
    const ignored: string[] = [];
    let entries;
    try {
      entries = await readdir(this.root, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return { valid, ignored };
      throw error;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name === IMAGES_DIR) continue;
      try {
        valid.push(validateGuildId(entry.name));
      } catch {
        ignored.push(entry.name);
      }
    }
    return { valid: valid.sort(), ignored: ignored.sort() };
  }

  async entries(guildId: string): Promise<GuildDirEntry[]> {
    try {
      const entries = await readdir(this.guildDir(guildId), { withFileTypes: true });
      return entries
        .map(
          (entry): GuildDirEntry => ({
            name: entry.name,
            kind: entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : 'other',
          }),
        )
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  /** Removes a stray temp file (reconcile only). */
  async removeTemp(guildId: string, filename: string): Promise<void> {
    if (!filename.startsWith(TEMP_PREFIX)) throw new Error(`not a temp file: ${filename}`);
    await rm(this.pathOf(guildId, filename), { force: true });
  }

  private contained(path: string, dir: string): string {
    const rel = relative(dir, path);
    if (rel === '' && path === dir) return path;
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new Error(`refusing a path outside ${dir}: ${JSON.stringify(path)}`);
    }
    return path;
  }
}

/** Defence in depth: names reaching the file system never carry separators or dot segments. */
function assertPlainFilename(filename: string): void {
  if (
    filename.length === 0 ||
    filename.length > 255 ||
    filename === '.' ||
    filename === '..' ||
    /[/\\\0]/.test(filename) ||
    /[\u0000-\u001f\u007f]/.test(filename)
  ) {
    throw new Error(`refusing an unsafe file name: ${JSON.stringify(filename.slice(0, 80))}`);
  }
}

async function placeWithoutOverwrite(source: string, target: string): Promise<boolean> {
  try {
    await link(source, target);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // File systems without hard links (some network and FAT mounts): check, then rename.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'ENOSYS') {
      try {
        await stat(target);
        return false;
      } catch (statError) {
        if (!isMissing(statError)) throw statError;
      }
      await rename(source, target);
      return true;
    }
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
