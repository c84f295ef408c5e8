// Sorting typed arrays of candidate positions by a key, without boxing: what generation uses to
// rank a context's continuations by probability.

/** Keys by item: probabilities, or a query graph's probability codes (src/lm/query-graph.ts). */
export type SortKey = Float64Array | Float32Array | Uint8Array;

/** Runs this short are insertion-sorted: fewer moves than partitioning them. */
const INSERTION_RUN = 16;

/**
 * Sorts `items` in place by descending key[item], equal keys by ascending item — the order a
 * stable sort of ascending items gives. A quicksort on the typed array itself: the comparator
 * sort on boxed numbers it replaces cost more than everything else on the explicit-score path.
 */
export function sortByDescendingKey(items: Int32Array, key: SortKey, length = items.length): void {
  quicksortByKey(items, key, 0, length - 1);
}

/**
 * Moves the `count` first items of the sortByDescendingKey order to the front of `items` (in no
 * particular order): quickselect, linear time on average.
 */
export function selectBestByKey(items: Int32Array, key: SortKey, count: number): void {
  let lo = 0;
  let hi = items.length - 1;
  const target = count - 1;
  while (hi - lo >= INSERTION_RUN) {
    partitionByKey(items, key, lo, hi);
    const j = partitionBounds[0];
    const i = partitionBounds[1];
    // Now items[lo..j] all come before items[i..hi]; keep only the side holding the boundary.
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return;
  }
  if (lo <= hi) quicksortByKey(items, key, lo, hi);
}

function before(key: SortKey, a: number, b: number): boolean {
  const ka = key[a];
  const kb = key[b];
  return ka > kb || (ka === kb && a < b);
}

/** Where partitionByKey left its bounds: [j, i], items[lo..j] before items[i..hi]. No allocation per call. */
const partitionBounds = new Int32Array(2);

/**
 * Hoare partition of items[lo..hi] around a median-of-three pivot, which keeps sorted and
 * reverse-sorted runs (common: ids are frequency-ranked) from degrading to quadratic time.
 */
function partitionByKey(items: Int32Array, key: SortKey, lo: number, hi: number): void {
  const mid = (lo + hi) >>> 1;
  if (before(key, items[mid], items[lo])) swap(items, mid, lo);
  if (before(key, items[hi], items[lo])) swap(items, hi, lo);
  if (before(key, items[hi], items[mid])) swap(items, hi, mid);
  const pivot = items[mid];
  let i = lo;
  let j = hi;
  while (i <= j) {
    while (before(key, items[i], pivot)) i++;
    while (before(key, pivot, items[j])) j--;
    if (i <= j) {
      swap(items, i, j);
      i++;
      j--;
    }
  }
  partitionBounds[0] = j;
  partitionBounds[1] = i;
}

function quicksortByKey(items: Int32Array, key: SortKey, lo: number, hi: number): void {
  while (hi - lo >= INSERTION_RUN) {
    partitionByKey(items, key, lo, hi);
    const j = partitionBounds[0];
    const i = partitionBounds[1];
    // Recurse into the smaller side, loop on the larger: stack depth stays O(log n).
    if (j - lo < hi - i) {
      quicksortByKey(items, key, lo, j);
      lo = i;
    } else {
      quicksortByKey(items, key, i, hi);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const item = items[i];
    let j = i - 1;
    while (j >= lo && before(key, item, items[j])) {
      items[j + 1] = items[j];
      j--;
    }
    items[j + 1] = item;
  }
}

function swap(items: Int32Array, a: number, b: number): void {
  const t = items[a];
  items[a] = items[b];
  items[b] = t;
}
