// The model image's frame: what a reader checks before it makes a single view. Pure: bytes in,
// bytes out (no fs). See docs/model.md, "The model image".
//
//   0  magic   89 55 4C 49 0D 0A 1A 0A   ("\x89ULI\r\n\x1a\n", the model file's guards with I)
//   8  u32     layout version (IMAGE_LAYOUT_VERSION)
//  12  u32     header bytes H
//  16  u32     whole image bytes (a truncated copy is caught before anything is read)
//  20  u32     CRC-32 of bytes 8–19 then the header
//  24  header  msgpack: the model's small fields and the section table
//      …       zero padding to a multiple of 8
//      sections, each at a multiple of 8 from the start (so each is a typed-array view of the
//      file's own buffer), each with its own CRC-32 in the table
//
// A reader refuses an image whose frame, header or any section does not check out; the caller
// (the manager) then rebuilds it from the model file, which stays the source of truth.

import { Packr, Unpackr } from 'msgpackr';
import { crc32 } from '../codec/checksum.js';
import { ModelFormatError } from '../types.js';

const IMAGE_MAGIC = Uint8Array.of(0x89, 0x55, 0x4c, 0x49, 0x0d, 0x0a, 0x1a, 0x0a);
/**
 * 1: first layout (32-bit floats and links). 2: the query graph (8-bit codes per order for
 * probabilities and backoffs, bit-packed child starts and suffix links). 3: shares as 8-bit
 * codes per order with sparse running sums (run-shares.ts) instead of 16-bit running shares, and
 * no backoff code for a context whose γ is its level's implied one (image/implied-backoffs.ts). 4:
 * child starts as one unary bit vector (unary-starts.ts) instead of block-packed distances. A
 * reader refuses any other version; the manager rebuilds such an image.
 */
export const IMAGE_LAYOUT_VERSION = 4;
export const IMAGE_FRAME_BYTES = 24;
const SECTION_ALIGNMENT = 8;
/** A header larger than this is not one we wrote (ours are a few hundred bytes plus the provenance). */
const MAX_HEADER_BYTES = 1 << 20;

export interface SectionEntry {
  name: string;
  /** From the start of the image; a multiple of SECTION_ALIGNMENT. */
  offset: number;
  bytes: number;
  crc: number;
}

/** One section to write: its name and its bytes (any typed array, copied as is, little-endian). */
export interface SectionData {
  name: string;
  data: ArrayBufferView;
}

const packr = new Packr({ useRecords: false, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, moreTypes: false });

function align(offset: number): number {
  return Math.ceil(offset / SECTION_ALIGNMENT) * SECTION_ALIGNMENT;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Lays out an image: frame, header (with `fields` and the section table), sections. The result
 * is a fresh buffer, so its sections sit at their aligned offsets in memory too.
 */
export function writeImage(fields: Record<string, unknown>, sections: SectionData[]): Uint8Array {
  // The table's offsets depend on the header's length, which depends on the table: offsets are
  // computed for a header padded to a size that is then checked to hold the real one.
  const entries: SectionEntry[] = sections.map((section) => ({
    name: section.name,
    offset: 0,
    bytes: section.data.byteLength,
    crc: crc32(bytesOf(section.data)),
  }));
  let headerRoom = 256;
  for (;;) {
    let at = align(IMAGE_FRAME_BYTES + headerRoom);
    let end = at;
    for (const entry of entries) {
      entry.offset = at;
      end = at + entry.bytes;
      at = align(end);
    }
    const header = packr.pack({ ...fields, sections: entries });
    if (header.length > headerRoom) {
      headerRoom = 2 * header.length;
      continue;
    }
    if (header.length > MAX_HEADER_BYTES) throw new RangeError('cannot write model image: header too large');
    // No padding after the last section: every byte past the header is in a section or between two.
    const image = new Uint8Array(end);
    image.set(IMAGE_MAGIC, 0);
    const frame = new DataView(image.buffer, 0, IMAGE_FRAME_BYTES);
    frame.setUint32(8, IMAGE_LAYOUT_VERSION, true);
    frame.setUint32(12, header.length, true);
    frame.setUint32(16, image.length, true);
    image.set(header, IMAGE_FRAME_BYTES);
    frame.setUint32(
      20,
      crc32(image.subarray(IMAGE_FRAME_BYTES, IMAGE_FRAME_BYTES + header.length), crc32(image.subarray(8, 20))),
      true,
    );
    sections.forEach((section, i) => {
      image.set(bytesOf(section.data), entries[i].offset);
    });
    return image;
  }
}

export interface ReadImage {
  /** The image's bytes, at an aligned address (a copy only when the given bytes were not). */
  bytes: Uint8Array;
  fields: Record<string, unknown>;
  sections: Map<string, SectionEntry>;
}

/**
 * Checks the frame and the header and returns them with the section table, each section checked
 * to lie within the image, aligned, in order and unique. Sections' contents are not read here:
 * see verifySection.
 */
export function readImage(input: Uint8Array): ReadImage {
  if (!(input instanceof Uint8Array)) throw new ModelFormatError('foreign', 'not a byte array');
  const { fields, sections } = readHead(input, input.length);
  // Views need aligned addresses: a buffer from a pool, or a subarray, is copied once.
  const bytes = input.byteOffset % SECTION_ALIGNMENT === 0 ? input : input.slice();
  return { bytes, fields, sections };
}

/**
 * Where section `name` lies in an image of `imageBytes` bytes whose first bytes are `head` (its frame and header at
 * least; the sections need not be there): what a reader needs to read that section apart from the image's buffer.
 * Null when the head does not hold a frame and header that check out or lists no such section: the reader then reads
 * the whole image, and decodeImage says what is wrong with it.
 */
export function sectionPlace(head: Uint8Array, imageBytes: number, name: string): SectionEntry | null {
  try {
    return readHead(head, imageBytes).sections.get(name) ?? null;
  } catch {
    return null;
  }
}

/** readImage's checks of the frame, the header and the section table, in an image of `length` bytes that begins with `input`. */
function readHead(
  input: Uint8Array,
  length: number,
): { fields: Record<string, unknown>; sections: Map<string, SectionEntry> } {
  for (let i = 0; i < Math.min(input.length, IMAGE_MAGIC.length); i++) {
    if (input[i] !== IMAGE_MAGIC[i]) throw new ModelFormatError('foreign', 'not a model image (unknown magic bytes)');
  }
  if (input.length < IMAGE_FRAME_BYTES || length < IMAGE_FRAME_BYTES)
    throw new ModelFormatError('truncated', `image is ${length} bytes, shorter than its frame`);
  const frame = new DataView(input.buffer, input.byteOffset, IMAGE_FRAME_BYTES);
  const declared = frame.getUint32(16, true);
  if (declared > length) throw new ModelFormatError('truncated', `image is ${length} of ${declared} bytes`);
  if (declared < length) throw new ModelFormatError('corrupt', `${length - declared} unexpected bytes after the image`);
  const headerBytes = frame.getUint32(12, true);
  if (headerBytes > MAX_HEADER_BYTES || IMAGE_FRAME_BYTES + headerBytes > Math.min(input.length, length))
    throw new ModelFormatError('corrupt', 'image header overruns the image');
  const headerCrc = crc32(
    input.subarray(IMAGE_FRAME_BYTES, IMAGE_FRAME_BYTES + headerBytes),
    crc32(input.subarray(8, 20)),
  );
  if (headerCrc !== frame.getUint32(20, true))
    throw new ModelFormatError('checksum', 'image header checksum does not match');
  const version = frame.getUint32(8, true);
  if (version > IMAGE_LAYOUT_VERSION)
    throw new ModelFormatError('newer-version', `image layout ${version}; this program reads ${IMAGE_LAYOUT_VERSION}`);
  if (version !== IMAGE_LAYOUT_VERSION)
    throw new ModelFormatError('corrupt', `image layout ${version} is not read any more`);

  let fields: unknown;
  try {
    fields = unpackr.unpack(input.subarray(IMAGE_FRAME_BYTES, IMAGE_FRAME_BYTES + headerBytes));
  } catch (error) {
    throw new ModelFormatError(
      'corrupt',
      `image header cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
    throw new ModelFormatError('corrupt', 'image header is not a map');
  const table = (fields as { sections?: unknown }).sections;
  if (!Array.isArray(table)) throw new ModelFormatError('corrupt', 'image has no section table');
  const sections = new Map<string, SectionEntry>();
  let end = IMAGE_FRAME_BYTES + headerBytes;
  for (const entry of table as unknown[]) {
    const { name, offset, bytes, crc } = (entry ?? {}) as Partial<SectionEntry>;
    if (typeof name !== 'string' || !isUint32(offset) || !isUint32(bytes) || !isUint32(crc))
      throw new ModelFormatError('corrupt', 'image section entry is malformed');
    if (offset % SECTION_ALIGNMENT !== 0 || offset < end || offset + bytes > length)
      throw new ModelFormatError('corrupt', `image section ${name} lies outside its place`);
    if (sections.has(name)) throw new ModelFormatError('corrupt', `image section ${name} appears twice`);
    sections.set(name, { name, offset, bytes, crc });
    end = offset + bytes;
  }
  return { fields: fields as Record<string, unknown>, sections };
}

function isUint32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

type ViewConstructor<T> = {
  BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
};

/**
 * A view of section `name` holding exactly `length` elements of `make`, after its CRC-32 matched.
 * Throws ModelFormatError when the section is missing, of another size or damaged.
 */
export function sectionView<T>(image: ReadImage, name: string, make: ViewConstructor<T>, length: number): T {
  const entry = image.sections.get(name);
  if (entry === undefined) throw new ModelFormatError('corrupt', `image has no ${name} section`);
  if (!Number.isInteger(length) || length < 0 || entry.bytes !== length * make.BYTES_PER_ELEMENT) {
    throw new ModelFormatError('corrupt', `image section ${name} holds ${entry.bytes} bytes, not ${length} entries`);
  }
  const bytes = image.bytes;
  if (crc32(bytes.subarray(entry.offset, entry.offset + entry.bytes)) !== entry.crc)
    throw new ModelFormatError('checksum', `image section ${name} is damaged`);
  return new make(bytes.buffer, bytes.byteOffset + entry.offset, length);
}
