// Model → image bytes: every array generation and scoring read, laid end to end, aligned, so
// that decode.ts makes views of them instead of building anything. Run where the model file is
// written (the training worker, `ultra train -o`) or when an image is rebuilt (the loader worker).

import type { Model } from '../model.js';
import { writeImage, type SectionData } from './layout.js';
import { narrowWords, toFloat32, wordBytesFor } from './quantize.js';

/**
 * The image of `model`. `source` names the model file it is derived from (the manager passes the
 * file's checksum): decodeImage refuses an image whose source is not the one expected, so an image
 * left from another file of the same name is rebuilt, never used.
 */
export function encodeImage(model: Model, source: string): Uint8Array {
  const { graph, estimate, embeddings, provenance } = model;
  const vocabularySize = graph.vocabularySize;
  const vocabLengths = new Uint32Array(model.vocab.length);
  for (let id = 0; id < vocabLengths.length; id++) vocabLengths[id] = model.vocab[id].length;
  const sections: SectionData[] = [
    { name: 'vocabText', data: new TextEncoder().encode(model.vocab.join('')) },
    { name: 'vocabLengths', data: vocabLengths },
    { name: 'word', data: narrowWords(graph.word, vocabularySize) },
    { name: 'childStart', data: graph.childStart },
    { name: 'suffix', data: graph.suffix },
    { name: 'prob', data: toFloat32(estimate.prob) },
    { name: 'backoff', data: toFloat32(estimate.backoff) },
    { name: 'cumulative', data: estimate.cumulative },
  ];
  if (embeddings !== null) {
    sections.push(
      { name: 'embeddingValues', data: embeddings.values },
      { name: 'embeddingScales', data: embeddings.scales },
    );
  }
  return writeImage(
    {
      source,
      order: graph.order,
      vocabularySize,
      offsets: [...graph.offsets],
      wordBytes: wordBytesFor(vocabularySize),
      rootBackoff: estimate.rootBackoff,
      uniform: estimate.uniform,
      discounts: model.discounts.map((d) => [...d]),
      provenance: { ...provenance, params: { ...provenance.params }, corpus: { ...provenance.corpus } },
      embeddings: embeddings === null ? null : { dim: embeddings.dim, count: embeddings.count },
    },
    sections,
  );
}
