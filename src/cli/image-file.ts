// Where `ultra` keeps a model's image (src/lm/image/): beside the model file, `brown.ulm` →
// `brown.uli` (any other name gets `.uli` appended). The image names the sha256 of the model file
// it was built from, so an image left over from another training of the same path is ignored.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

export function imagePathFor(modelPath: string): string {
  return modelPath.endsWith('.ulm') ? `${modelPath.slice(0, -'.ulm'.length)}.uli` : `${modelPath}.uli`;
}

/** What an image of these model-file bytes names as its source (as the bot's manager does). */
export function modelSource(modelBytes: Uint8Array): string {
  return createHash('sha256').update(modelBytes).digest('hex');
}

/**
 * Chunk the model file is hashed by: a load then never holds the model file and its image at once. 64 KB, as the
 * manager's read stream: a chunk of 1 MB stayed resident until a GC freed it, through the first text (~1 MB of
 * the peak RSS of `ultra generate`), where 64 KB comes from memory the allocator already holds.
 */
const HASH_CHUNK = 64 * 1024;

/** modelSource of the file at `path`, read a chunk at a time (throws what opening or reading it throws). */
export function modelSourceOfFile(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(HASH_CHUNK);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
