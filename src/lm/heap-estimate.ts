// Bytes V8 (64-bit Node 20, compressed pointers) takes for what models keep on the JavaScript
// heap, measured by heap growth over 200,000 entries: a short string and its array slot ~26 bytes
// at 7.6 characters, a string sliced from a longer text ~32 at 20; a Map<string, number> entry ~38.
// Estimates, for the manager's cache budget (Model.residentBytes); test/lm/resident.test.ts
// compares them with the heap.

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

export const heapEstimate = {
  mapEntry: 40,
  /**
   * A loaded model's own objects whatever its size: its header's fields and section table, some forty typed-array
   * views, the query graph's objects (~6.5 KB over the views' bytes in resident-heap.ts for a model from its image).
   */
  modelObjects: 6_000,
  /** An array of strings: per string a header and its slot, plus its characters (one byte each, two beyond Latin-1). */
  strings(words: readonly string[]): number {
    let bytes = 0;
    for (const word of words) bytes += 24 + (BEYOND_LATIN1.test(word) ? 2 : 1) * word.length;
    return bytes;
  },
};
