// Issue 16: the two sizes of a model, said together in /status and /models: its file (the exact
// counts, what a server's storage quota counts) and its image (what a loaded model holds, so
// what it costs in the cache). Pure: values in, localized text out.
import type { ModelStats } from '../lm/types.js';
import { formatBytes, markdown, type Locale, type Translate } from '../i18n/index.js';

/**
 * "File 1.2 MB · Image 4.8 MB". A model saved before images (or whose stats were written
 * without one) has no image size: its image is built when it is first loaded, and the text says so.
 */
export function modelSizesText(t: Translate, locale: Locale, fileBytes: number, stats: ModelStats): string {
  return t('sizes.value', {
    file: markdown(formatBytes(locale, fileBytes)),
    image: stats.imageBytes === undefined ? null : markdown(formatBytes(locale, stats.imageBytes)),
  });
}
