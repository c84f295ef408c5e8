// Files a command attaches to a reply (/export) have nowhere to go in a terminal: the console
// writes them to ./exports/ (relative to where it started) and shows their path instead.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Reply } from '../commands/context.js';

const EXPORTS_DIR = 'exports';

/** Writes the reply's files (atomically: temp file, then rename) and names them by their path. */
export async function saveReplyFiles(reply: Reply, cwd: string): Promise<Reply> {
  if (!reply.files?.length) return reply;
  const dir = join(cwd, EXPORTS_DIR);
  await mkdir(dir, { recursive: true });
  const files = [];
  for (const file of reply.files) {
    // The name is the bot's own (`<name>_v<version>.ulm`); basename keeps it inside exports/ whatever it is.
    const name = basename(file.name.replace(/\\/g, '/')) || 'file';
    const target = join(dir, name);
    const temp = join(dir, `.${name}.${process.pid}.tmp`);
    await writeFile(temp, file.data);
    await rename(temp, target);
    files.push({ name: `${EXPORTS_DIR}/${name}`, data: file.data });
  }
  return { ...reply, files };
}
