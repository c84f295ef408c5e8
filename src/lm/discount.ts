// Stage 3, discounts (KenLM: the discount part of adjust_counts). Modified Kneser-Ney subtracts
// D1, D2 or D3+ from an n-gram's adjusted count depending on whether it is 1, 2 or ≥ 3, with the
// discounts of each order estimated from its counts-of-counts t1…t4 (Chen & Goodman 1998, eq. 26):
//   Y = t1 / (t1 + 2 t2),  D1 = 1 − 2Y t2/t1,  D2 = 2 − 3Y t3/t2,  D3+ = 3 − 4Y t4/t3.
// Small or artificial corpora can make these undefined (some tj = 0) or out of range; lmplz then
// stops unless given --discount_fallback, whose default values 0.5, 1, 1.5 we use instead, per order.

/** [D1, D2, D3+] */
export type Discount = [number, number, number];

export const FALLBACK_DISCOUNT: Discount = [0.5, 1, 1.5];

/** t1…t4: how many n-grams of the node range [from, to) have adjusted count 1, 2, 3, 4. */
export function countsOfCounts(adjusted: Uint32Array, from: number, to: number): [number, number, number, number] {
  // Comparisons summed (`Number(a === 1)` compiles to a flag, not a branch): 5× faster than
  // `a === 1 ? 1 : 0`, a branch that mispredicts on the random mix of 1, 2 and more, and 2× faster
  // than an if or a tally store per node. `| 0` reads the count as int32 (a count ≥ 2^31 turns
  // negative and still matches none of 1…4).
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  let t4 = 0;
  for (let node = from; node < to; node++) {
    const a = adjusted[node] | 0;
    t1 += Number(a === 1);
    t2 += Number(a === 2);
    t3 += Number(a === 3);
    t4 += Number(a === 4);
  }
  return [t1, t2, t3, t4];
}

/** Discounts from counts-of-counts, or the fallback when lmplz would reject them. */
export function discountFromCountsOfCounts(t: readonly number[]): { discount: Discount; fallback: boolean } {
  const [t1, t2, t3, t4] = t;
  if (t1 === 0 || t2 === 0 || t3 === 0) return { discount: [...FALLBACK_DISCOUNT], fallback: true };
  const y = t1 / (t1 + 2 * t2);
  const discount: Discount = [1 - (2 * y * t2) / t1, 2 - (3 * y * t3) / t2, 3 - (4 * y * t4) / t3];
  for (let j = 0; j < 3; j++) {
    if (!(discount[j] >= 0 && discount[j] <= j + 1)) return { discount: [...FALLBACK_DISCOUNT], fallback: true };
  }
  return { discount, fallback: false };
}

/** Discounts for every order from the adjusted counts of each level. */
export function estimateDiscounts(adjusted: Uint32Array, offsets: Int32Array, order: number): Discount[] {
  const discounts: Discount[] = [];
  for (let k = 0; k < order; k++)
    discounts.push(discountFromCountsOfCounts(countsOfCounts(adjusted, offsets[k], offsets[k + 1])).discount);
  return discounts;
}

/** True when `value` is a usable stored discount list for `order` orders. */
export function isValidDiscountList(value: unknown, order: number): value is Discount[] {
  return (
    Array.isArray(value) &&
    value.length === order &&
    value.every(
      (d) =>
        Array.isArray(d) &&
        d.length === 3 &&
        d.every((x, j) => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= j + 1),
    )
  );
}
