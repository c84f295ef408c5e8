// The format's constants and the hostile-size guards every decoder checks against.

/**
 * 1: first format. 2: a pruned model's `adjusted` and `prunedMass` streams hold zigzag differences
 * from what the trie itself implies (extrasBaselines), nearly all zero, instead of the values.
 * Version 1 files are still read.
 */
export const FORMAT_VERSION = 2;
export const DELTA_EXTRAS_VERSION = 2;

export const MAGIC = Uint8Array.of(0x89, 0x55, 0x4c, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a);
export const FRAME_BYTES = 20;

/** Longest pattern a file may hold; matches TrainParams.maxPatternLength. */
export const MAX_ORDER = 8;
export const MAX_EMBEDDING_DIM = 4096;
export const MAX_COUNT = 0xffffffff;
/** 7 × 7 bits = 49 bits: every zigzag excess of a real trie fits, and sums stay exact in doubles. */
export const MAX_VARINT_BYTES = 7;
export const MAX_VARINT_VALUE = 2 ** 49 - 1;

// Hostile-size guards. A real model holds ~1.3 n-grams per file byte (Brown, order 5; ~2 for
// made-up text counting 1..100000 at order 8) and its streams expand ~3× when decompressed;
// these bounds leave a wide margin for valid files while keeping what a small hostile file can
// make us allocate to tens of megabytes, and a large one to a fixed multiple of its size. The
// encoder refuses to write a file the decoder would refuse.
export const nodeLimit = (payloadBytes: number) => 2 ** 21 + 16 * payloadBytes;
export const rawByteLimit = (payloadBytes: number) => 2 ** 25 + 64 * payloadBytes;

export const STREAM_RAW = 0;
export const STREAM_DEFLATE = 1;
// Raw deflate at level 2, chosen by measurement on the Brown order-5 streams (7.0 MB raw; CPU
// time, best of 3, on the shared 2-core machine): level 2 compresses them to 2.44 MB in ~65 ms,
// level 5 (the level until the ultra train speed work) to 2.29 MB in ~130 ms, level 1 to 2.50 MB
// in ~60 ms, level 6 to 2.26 MB in ~245 ms; the filtered strategy saves 1-3 % from level 4 up for
// ~10 % more time. So the file is 1.01 bytes per n-gram instead of 0.96 and a save takes 65 ms
// less. Every level is read the same way: older files decode unchanged. (Brotli at quality 4 gave
// 2.10 MB in ~160 ms, ~21 ms to decompress against deflate's ~13 ms.)
export const DEFLATE_LEVEL = 2;
/** Below this, compression costs more in framing than it saves. */
export const MIN_COMPRESSED_STREAM = 64;
