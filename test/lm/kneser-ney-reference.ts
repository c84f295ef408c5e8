// An independent, deliberately slow and literal implementation of interpolated modified
// Kneser-Ney (Chen & Goodman 1998, with lmplz's conventions), used only to check the fast model.
// String-keyed maps, direct recursion over the formula, nothing shared with src/lm except the
// conventions it must agree on:
//   - one <s> before and one </s> after each sentence;
//   - adjusted counts: raw at the highest order and for n-grams starting with <s>; otherwise the
//     number of distinct words seen before the n-gram; the <s> unigram gets 0;
//   - per-order discounts from counts-of-counts of adjusted counts (fallback 0.5, 1, 1.5 when
//     t1, t2 or t3 is 0 or a discount leaves [0, j]);
//   - unigrams interpolate with 1/|V|, V = vocabulary + </s> + <unk>, without <s>.

const SEP = '\u0001';
const BOS = '<s>';
const EOS = '</s>';
const UNK = '<unk>';

export class ReferenceKneserNey {
  readonly order: number;
  /** adjusted[n-1]: n-gram key → adjusted count. */
  private readonly adjusted: Map<string, number>[] = [];
  /** Context key (n-1 words) → continuation keys' adjusted counts, per order n. */
  private readonly children: Map<string, number[]>[] = [];
  readonly discounts: number[][] = [];
  private readonly vocabulary = new Set<string>();

  constructor(sentences: string[][], order: number) {
    this.order = order;
    const raw: Map<string, number>[] = [];
    for (let n = 1; n <= order; n++) raw.push(new Map());
    for (const sentence of sentences) {
      const tokens = [BOS, ...sentence, EOS];
      for (const token of tokens) this.vocabulary.add(token);
      for (let i = 0; i < tokens.length; i++) {
        for (let n = 1; n <= order && i + n <= tokens.length; n++) {
          const key = tokens.slice(i, i + n).join(SEP);
          raw[n - 1].set(key, (raw[n - 1].get(key) ?? 0) + 1);
        }
      }
    }
    for (let n = 1; n <= order; n++) {
      const adjusted = new Map<string, number>();
      if (n === order) {
        for (const [key, count] of raw[n - 1]) adjusted.set(key, count);
      } else {
        for (const key of raw[n - 1].keys()) adjusted.set(key, 0);
        for (const longer of raw[n].keys()) {
          const suffix = longer.split(SEP).slice(1).join(SEP);
          adjusted.set(suffix, (adjusted.get(suffix) ?? 0) + 1);
        }
        for (const [key, count] of raw[n - 1]) if (key.split(SEP)[0] === BOS) adjusted.set(key, count);
      }
      if (n === 1) adjusted.set(BOS, 0);
      this.adjusted.push(adjusted);
      const t = [0, 0, 0, 0, 0];
      for (const a of adjusted.values()) if (a >= 1 && a <= 4) t[a]++;
      this.discounts.push(referenceDiscounts(t[1], t[2], t[3], t[4]));
      const children = new Map<string, number[]>();
      for (const [key, a] of adjusted) {
        const context = key.split(SEP).slice(0, -1).join(SEP);
        const list = children.get(context) ?? [];
        list.push(a);
        children.set(context, list);
      }
      this.children.push(children);
    }
  }

  /** |V|: every word seen, </s> and <unk>, without <s>. */
  get uniformSize(): number {
    return this.vocabulary.size - 1 + (this.vocabulary.has(UNK) ? 0 : 1);
  }

  private discount(n: number, a: number): number {
    const d = this.discounts[n - 1];
    return a === 0 ? 0 : a === 1 ? d[0] : a === 2 ? d[1] : d[2];
  }

  /** p(word | context) by the recursive formula; unknown words are <unk>. */
  probability(context: string[], word: string): number {
    const w = this.vocabulary.has(word) && word !== UNK ? word : UNK;
    if (w === BOS) return 0;
    const known = context.map((token) => (this.vocabulary.has(token) ? token : UNK));
    return this.p(known.slice(Math.max(0, known.length - (this.order - 1))), w);
  }

  private p(context: string[], word: string): number {
    const n = context.length + 1;
    const contextKey = context.join(SEP);
    const siblings = this.children[n - 1].get(contextKey);
    if (context.length === 0) {
      const all = siblings as number[];
      const denominator = all.reduce((s, a) => s + a, 0);
      const gamma = all.reduce((s, a) => s + this.discount(1, a), 0) / denominator;
      const a = this.adjusted[0].get(word) ?? 0;
      return (a - this.discount(1, a)) / denominator + gamma / this.uniformSize;
    }
    const lower = this.p(context.slice(1), word);
    if (siblings === undefined) return lower;
    const denominator = siblings.reduce((s, a) => s + a, 0);
    const gamma = siblings.reduce((s, a) => s + this.discount(n, a), 0) / denominator;
    const a = this.adjusted[n - 1].get([...context, word].join(SEP)) ?? 0;
    return (a - this.discount(n, a)) / denominator + gamma * lower;
  }

  /** log10 probability of sentences, like KenLM's query (each from <s>, through </s>). */
  log10Prob(sentences: string[][]): number {
    let total = 0;
    for (const sentence of sentences) {
      const history = [BOS];
      for (const word of [...sentence, EOS]) {
        total += Math.log10(this.probability(history, word));
        history.push(word);
      }
    }
    return total;
  }
}

function referenceDiscounts(t1: number, t2: number, t3: number, t4: number): number[] {
  const fallback = [0.5, 1, 1.5];
  if (t1 === 0 || t2 === 0 || t3 === 0) return fallback;
  const y = t1 / (t1 + 2 * t2);
  const d = [1 - 2 * y * (t2 / t1), 2 - 3 * y * (t3 / t2), 3 - 4 * y * (t4 / t3)];
  return d.every((x, j) => x >= 0 && x <= j + 1) ? d : fallback;
}
