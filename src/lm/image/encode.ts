// Model → image bytes: the model's query graph (query-graph.ts: quantized probabilities and
// backoffs, packed links), laid end to end, aligned, so that decode.ts makes views of it instead
// of building anything. Run where the model file is
// written (the training worker, `ultra train -o`) or when an image is rebuilt (the loader worker).

import type { Model } from '../model.js';
import type { QueryArrays } from '../query-graph.js';
import type { RunShares } from '../run-shares.js';
import { writeImage, type SectionData } from './layout.js';

/** The header fields of the query graph's sections. */
interface QueryImageFields {
  order: number;
  vocabularySize: number;
  offsets: number[];
  wordBytes: number;
  suffixBits: number;
  suffixBases: number[];
  keptChildStarts: number;
  codedShares: number;
  codedBackoffs: number;
  rootBackoff: number;
  uniform: number;
  logErrorBound: number;
}

/**
 * The query graph's share of an image: its sections and the header fields that describe them,
 * all plain data (typed arrays and numbers), so it can be computed in another thread and moved
 * back (queryImageTransfer lists its buffers).
 */
export interface QueryImagePart {
  fields: QueryImageFields;
  sections: SectionData[];
}

/** A QueryImagePart but the run shares (withShares adds them). */
export interface SharelessImagePart {
  fields: Omit<QueryImageFields, 'codedShares'>;
  sections: SectionData[];
}

/** The query graph's sections, in the image's order, and their header fields. */
export function queryImagePart(query: QueryArrays): QueryImagePart {
  return withShares(sharelessImagePart(query), query.shares);
}

/** queryImagePart of the query arrays but their run shares (queryArraysBesideShares). */
export function sharelessImagePart(query: Omit<QueryArrays, 'shares'>): SharelessImagePart {
  return {
    fields: {
      order: query.order,
      vocabularySize: query.vocabularySize,
      offsets: [...query.offsets],
      wordBytes: query.word.BYTES_PER_ELEMENT,
      suffixBits: query.suffix.width,
      suffixBases: [...query.suffixBases],
      keptChildStarts: query.childStart.kept.length,
      codedBackoffs: query.backoffCode.length,
      rootBackoff: query.rootBackoff,
      uniform: query.uniform,
      logErrorBound: query.logErrorBound,
    },
    sections: [
      { name: 'word', data: query.word },
      { name: 'childStartBits', data: query.childStart.bits },
      { name: 'childStartSamples', data: query.childStart.samples },
      { name: 'childStartKept', data: query.childStart.kept },
      { name: 'suffix', data: query.suffix.data },
      { name: 'unigramProb', data: query.unigramProb },
      { name: 'probCode', data: query.probCode },
      { name: 'probTable', data: query.probTable },
      { name: 'unigramBackoff', data: query.unigramBackoff },
      { name: 'backoffImplied', data: query.backoffImplied.bits },
      { name: 'backoffImpliedRank', data: query.backoffImplied.counts },
      { name: 'impliedBackoff', data: query.impliedBackoff },
      { name: 'backoffCode', data: query.backoffCode },
      { name: 'backoffTable', data: query.backoffTable },
      { name: 'unigramCumulative', data: query.unigramCumulative },
    ],
  };
}

/** The part with the run shares' sections (the query graph's last) and their field. */
export function withShares(part: SharelessImagePart, shares: RunShares): QueryImagePart {
  return {
    fields: { ...part.fields, codedShares: shares.code.length },
    sections: [
      ...part.sections,
      { name: 'shareCode', data: shares.code },
      { name: 'shareTable', data: shares.table },
      { name: 'shareCheckpoint', data: shares.checkpoint },
      { name: 'shareSingle', data: shares.single.bits },
      { name: 'shareSingleRank', data: shares.single.counts },
    ],
  };
}

/** The buffers of a part's sections, for postMessage's transfer list (each listed once). */
export function queryImageTransfer(part: SharelessImagePart): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { data } of part.sections) if (data.buffer instanceof ArrayBuffer) buffers.add(data.buffer);
  return [...buffers];
}

/**
 * The image of `model`. `source` names the model file it is derived from (the manager passes the
 * file's checksum): decodeImage refuses an image whose source is not the one expected, so an image
 * left from another file of the same name is rebuilt, never used. `query`: the model's
 * queryImagePart when it was computed elsewhere (`ultra train`'s worker), else computed here.
 */
export function encodeImage(
  model: Model,
  source: string,
  query: QueryImagePart = queryImagePart(model.query),
): Uint8Array {
  const { embeddings, provenance } = model;
  // Word lengths in UTF-16 units: 16 bits unless a word is longer than that holds.
  const longest = model.vocab.reduce((most, word) => Math.max(most, word.length), 0);
  const vocabLengths = longest <= 0xffff ? new Uint16Array(model.vocab.length) : new Uint32Array(model.vocab.length);
  for (let id = 0; id < vocabLengths.length; id++) vocabLengths[id] = model.vocab[id].length;
  const sections: SectionData[] = [
    { name: 'vocabText', data: new TextEncoder().encode(model.vocab.join('')) },
    { name: 'vocabLengths', data: vocabLengths },
    ...query.sections,
  ];
  if (embeddings !== null) {
    sections.push(
      { name: 'embeddingValues', data: embeddings.values },
      { name: 'embeddingScales', data: embeddings.scales },
    );
  }
  const { fields } = query;
  return writeImage(
    {
      source,
      order: fields.order,
      vocabularySize: fields.vocabularySize,
      offsets: fields.offsets,
      wordBytes: fields.wordBytes,
      vocabLengthBytes: vocabLengths.BYTES_PER_ELEMENT,
      suffixBits: fields.suffixBits,
      suffixBases: fields.suffixBases,
      keptChildStarts: fields.keptChildStarts,
      codedShares: fields.codedShares,
      codedBackoffs: fields.codedBackoffs,
      rootBackoff: fields.rootBackoff,
      uniform: fields.uniform,
      logErrorBound: fields.logErrorBound,
      discounts: model.discounts.map((d) => [...d]),
      provenance: { ...provenance, params: { ...provenance.params }, corpus: { ...provenance.corpus } },
      embeddings: embeddings === null ? null : { dim: embeddings.dim, count: embeddings.count },
    },
    sections,
  );
}
