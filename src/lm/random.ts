// Seeded randomness for generation and the validation split. Generation must repeat exactly for
// a given seed on every machine, so it cannot use Math.random; sfc32 is small, fast in 32-bit
// integer arithmetic and passes PractRand far beyond what a chat bot will ever draw.

/** A deterministic generator of uniform floats in [0, 1). */
export interface Random {
  next(): number;
}

/** sfc32 seeded through splitmix32, so nearby seeds (1, 2, 3…) give unrelated streams. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let counter = 1;
  const random = {
    next(): number {
      const t = (((a + b) >>> 0) + counter) >>> 0;
      counter = (counter + 1) >>> 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) >>> 0;
      c = ((c << 21) | (c >>> 11)) >>> 0;
      c = (c + t) >>> 0;
      return t / 4294967296;
    },
  };
  for (let i = 0; i < 12; i++) random.next();
  return random;
}

/** A seeded stream of uniforms (seededRandom) that also draws standard normals (Box–Muller). */
export interface GaussianRandom extends Random {
  gaussian(): number;
}

export function gaussianRandom(seed: number): GaussianRandom {
  const uniform = seededRandom(seed);
  // Box–Muller yields normals in pairs; the second waits here (a flag rather than null keeps the
  // number unboxed in optimized code).
  let spare = 0;
  let hasSpare = false;
  return {
    next: () => uniform.next(),
    gaussian() {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      const u = 1 - uniform.next(); // (0, 1]
      const v = uniform.next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spare = radius * Math.sin(2 * Math.PI * v);
      hasSpare = true;
      return radius * Math.cos(2 * Math.PI * v);
    },
  };
}

/** FNV-1a's 32-bit offset basis and prime (exported for hashes built incrementally). */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/**
 * 32-bit FNV-1a over UTF-16 code units (of `text.slice(start, end)`, without making it), its offset basis mixed with
 * `seed` (0: plain FNV-1a).
 */
export function fnv1a(text: string, seed = 0, start = 0, end = text.length): number {
  let hash = (FNV_OFFSET ^ seed) >>> 0;
  for (let i = start; i < end; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

/**
 * A 32-bit FNV-1a hash of a string mixed with a seed, then avalanched. The validation split hashes each line
 * instead of drawing from a stream, so a line lands on the same side whether it is trained in
 * one batch or appended later: that keeps append-training equal to one-shot training.
 */
export function hashString(text: string, seed: number): number {
  let hash = fnv1a(text, seed);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return hash >>> 0;
}
