// Where `ultra` keeps a model's image (src/lm/image/): beside the model file, `brown.ulm` →
// `brown.uli` (any other name gets `.uli` appended). The image names the sha256 of the model file
// it was built from, so an image left over from another training of the same path is ignored.
import { createHash } from 'node:crypto';

export function imagePathFor(modelPath: string): string {
  return modelPath.endsWith('.ulm') ? `${modelPath.slice(0, -'.ulm'.length)}.uli` : `${modelPath}.uli`;
}

/** What an image of these model-file bytes names as its source (as the bot's manager does). */
export function modelSource(modelBytes: Uint8Array): string {
  return createHash('sha256').update(modelBytes).digest('hex');
}
