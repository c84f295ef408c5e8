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

/**
 * A 32-bit FNV-1a hash of a string mixed with a seed. The validation split hashes each line
 * instead of drawing from a stream, so a line lands on the same side whether it is trained in
 * one batch or appended later: that keeps append-training equal to one-shot training.
 */
export function hashString(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return hash >>> 0;
}
