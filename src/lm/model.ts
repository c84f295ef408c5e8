// The model: a pattern graph (the count trie, indexed), the probabilities interpolated from its
// counts, the vocabulary and optional embeddings. It is always built from counts, both after
// training and when a file is loaded, so a loaded model is the trained model.

import { adjustedCounts } from './adjust.js';
import { heapArrays, type ArrayAllocator } from './arrays.js';
import { FORMAT_VERSION } from './codec.js';
import { estimateDiscounts, isValidDiscountList, type Discount } from './discount.js';
import { embeddingIndex, type EmbeddingIndex } from './embeddings.js';
import { EmbeddingsOnFirstUse } from './embeddings-later.js';
import { evaluate } from './evaluate.js';
import { generate, type GenerationSource } from './generate.js';
import { naturalTableBytes } from './sample-natural.js';
import {
  buildPatternGraph,
  dropCounts,
  indexedPatternGraph,
  levelViews,
  totalNodes,
  type PatternGraph,
  type TrieIndex,
} from './graph.js';
import { heapEstimate } from './heap-estimate.js';
import { queryArraysOf, type QuerySource } from './image/query-arrays.js';
import { interpolate, type Interpolation } from './interpolate.js';
import { ExactScorer, newStepResult, type Scorer } from './query.js';
import { QueryGraph } from './query-graph.js';
import { ContinuationRanking } from './ranking.js';
import { WordIndex } from './vocab.js';
import { ArrayWords, TextWords, wordArray, type WordList } from './words.js';
import {
  BOS,
  BOS_ID,
  EOS,
  EOS_ID,
  ModelFormatError,
  UNK,
  UNK_ID,
  type CorpusSummary,
  type CountTrie,
  type CountTrieLevel,
  type EmbeddingTable,
  type Evaluation,
  type GenerateOptions,
  type GenerateResult,
  type ModelFile,
  type ModelStats,
  type TrainParams,
} from './types.js';

/** Embedding rows of <unk>, <s>, </s> (ids 0–2): always zero, not counted as vectors. */
const RESERVED_EMBEDDING_ROWS = 3;

/** What a model remembers about how it was made (the file header minus its framing). */
export interface ModelProvenance {
  params: TrainParams;
  corpus: CorpusSummary;
  trainingMs: number;
  heldOutPerplexity: number | null;
  pruned: boolean;
  /** Pruned models: discounts computed before pruning. */
  discounts?: Discount[];
}

/** A model as structured-clonable data whose arrays can be transferred (Model.toTransferable). */
export interface TransferableModel {
  vocabText: string;
  vocabLengths: Uint32Array;
  /** `count` null: a model that keeps no raw counts (PatternGraph.countsDropped). */
  graph: Pick<PatternGraph, 'offsets' | 'word' | 'childStart' | 'suffix' | 'vocabularySize'> & {
    count: Uint32Array | null;
  };
  /** Per level: a pruned model's stored estimation inputs. */
  extras: Pick<CountTrieLevel, 'adjusted' | 'prunedMass'>[];
  estimate: Interpolation;
  discounts: Discount[];
  embeddings: EmbeddingTable | null;
  provenance: ModelProvenance;
}

export interface ScoreOptions {
  /** Defaults to the model's training setting, so text is cut into sentences the same way. */
  splitSentences?: boolean;
  /**
   * 'query': score with the query graph, the quantized numbers generation and a model image read.
   * Default 'exact' for a model trained or decoded from its file, 'query' for a model loaded from
   * its image (it has nothing else).
   */
  probabilities?: 'exact' | 'query';
}

export class Model implements GenerationSource {
  /** The words by id: what generation, prompts and lookups read (a model image's stay one text). */
  readonly words: WordList;
  readonly graph: PatternGraph;
  readonly estimate: Interpolation;
  readonly discounts: Discount[];
  /** Given, or a model image's read on first use (image/decode.ts, embeddingsLater): see `embeddings`. */
  private readonly embeddingSource: EmbeddingTable | EmbeddingsOnFirstUse | null;
  readonly provenance: ModelProvenance;
  private wordIdsCache: WordIndex | null = null;
  private embeddingIndexCache: EmbeddingIndex | null = null;
  private rankingCache: ContinuationRanking | null = null;
  /** The words as strings, once something asked for the whole array (a model image's only then). */
  private vocabArrayCache: string[] | null = null;
  /** The query graph: given (a model image's), or built from the exact arrays on first use. */
  private queryCache: QueryGraph | null;
  /** A model image's: no exact arrays behind `graph` and `estimate`. */
  private readonly queryOnly: boolean;

  private constructor(
    words: WordList,
    graph: PatternGraph,
    estimate: Interpolation,
    discounts: Discount[],
    embeddings: EmbeddingTable | EmbeddingsOnFirstUse | null,
    provenance: ModelProvenance,
    query: QueryGraph | null = null,
  ) {
    this.queryCache = query;
    this.queryOnly = query !== null;
    this.words = words;
    this.graph = graph;
    this.estimate = estimate;
    this.discounts = discounts;
    this.embeddingSource = embeddings;
    this.provenance = provenance;
  }

  /**
   * The embedding table, read now when a model image left it for first use; throws ModelFormatError when that read
   * finds it damaged or cannot read it (and on every later use).
   */
  get embeddings(): EmbeddingTable | null {
    const source = this.embeddingSource;
    return source instanceof EmbeddingsOnFirstUse ? source.get() : source;
  }

  /**
   * Builds the model from counts: indexes the trie, derives adjusted counts and discounts (or takes
   * the ones a pruned model stored), interpolates. Throws ModelFormatError('corrupt') when the
   * counts break the trie invariants. `countedHere` (the trainer's own counts) skips the per-node
   * checks; `arrays` allocates the graph's links, the adjusted counts and the probabilities.
   */
  static fromCounts(
    vocab: string[],
    counts: CountTrie,
    embeddings: EmbeddingTable | null,
    provenance: ModelProvenance,
    countedHere = false,
    arrays: ArrayAllocator = heapArrays,
  ): Model {
    if (vocab.length < 4 || vocab[UNK_ID] !== UNK || vocab[BOS_ID] !== BOS || vocab[EOS_ID] !== EOS) {
      throw new ModelFormatError('corrupt', 'vocabulary lacks the reserved words or any real word');
    }
    return Model.fromGraph(
      vocab,
      counts,
      buildPatternGraph(counts, vocab.length, !countedHere, arrays),
      embeddings,
      provenance,
      arrays,
    );
  }

  /**
   * fromCounts on a graph already built from `counts`. Takes `counts` over: its levels are replaced
   * by the model's, which hold no parent array (the child starts say the same), so the counter's
   * parent array is free before the probabilities are allocated.
   */
  private static fromGraph(
    vocab: string[],
    counts: CountTrie,
    graph: PatternGraph,
    embeddings: EmbeddingTable | null,
    provenance: ModelProvenance,
    arrays: ArrayAllocator = heapArrays,
    keepCounts = true,
  ): Model {
    const order = graph.order;
    const lowerLevels = () => counts.levels.slice(0, order - 1);
    const storedAdjusted = provenance.pruned ? lowerLevels().map((level) => level.adjusted) : undefined;
    const prunedMass =
      provenance.pruned &&
      lowerLevels().every((level, k) => level.prunedMass?.length === graph.offsets[k + 1] - graph.offsets[k])
        ? lowerLevels().map((level) => level.prunedMass)
        : undefined;
    graph.parent = undefined;
    let adjusted: Uint32Array;
    if (keepCounts) {
      graph.levels = levelViews(graph);
      adjusted = adjustedCounts(graph, storedAdjusted, arrays);
    } else {
      // The raw counts become the adjusted counts, then the cumulative shares: one array of every
      // n-gram fewer, and the graph's counts throw from here on.
      adjusted = adjustedCounts(graph, storedAdjusted, arrays, true);
      dropCounts(graph);
    }
    counts.levels = graph.levels;
    const discounts =
      provenance.pruned && isValidDiscountList(provenance.discounts, order)
        ? provenance.discounts
        : estimateDiscounts(adjusted, graph.offsets, order);
    if (provenance.pruned && keepCounts) {
      // Keep what the file must carry so a pruned model round-trips exactly (before interpolate,
      // which writes its cumulative shares over the adjusted counts).
      for (let k = 0; k < order - 1; k++) {
        graph.levels[k].adjusted = adjusted.slice(graph.offsets[k], graph.offsets[k + 1]);
        graph.levels[k].prunedMass = prunedMass?.[k] ?? new Uint32Array(graph.offsets[k + 1] - graph.offsets[k]);
      }
    }
    const estimate = interpolate(graph, adjusted, discounts, prunedMass, arrays);
    return new Model(new ArrayWords(vocab), graph, estimate, discounts, embeddings, {
      ...provenance,
      discounts: provenance.pruned ? discounts : undefined,
    });
  }

  /**
   * The model as plain data for postMessage: every typed array is moved (listed in `transfer`), not
   * copied, and fromTransferable rebuilds the model without recomputing anything. This lets a
   * worker thread decode a large model while the main thread keeps serving.
   */
  toTransferable(): { model: TransferableModel; transfer: ArrayBuffer[] } {
    const g = this.graph;
    const e = this.estimate;
    // One string and the word lengths: cloning one string is a copy, cloning 50,000 is not. (A
    // loop, not Uint32Array.from with a mapping function: 0.2 vs 10–16 ms for Brown's 52,256 words.)
    const vocabLengths = new Uint32Array(this.vocab.length);
    for (let id = 0; id < vocabLengths.length; id++) vocabLengths[id] = this.vocab[id].length;
    const model: TransferableModel = {
      vocabText: this.vocab.join(''),
      vocabLengths,
      graph: {
        offsets: g.offsets,
        word: g.word,
        count: rawCounts(g),
        childStart: g.childStart,
        suffix: g.suffix,
        vocabularySize: g.vocabularySize,
      },
      extras: g.levels.map((level) => ({ adjusted: level.adjusted, prunedMass: level.prunedMass })),
      estimate: {
        prob: e.prob,
        backoff: e.backoff,
        cumulative: e.cumulative,
        rootBackoff: e.rootBackoff,
        uniform: e.uniform,
      },
      discounts: this.discounts.map((d) => [...d] as Discount),
      embeddings: this.embeddings,
      provenance: { ...this.provenance, params: { ...this.provenance.params }, corpus: { ...this.provenance.corpus } },
    };
    const buffers = new Set<ArrayBuffer>();
    const add = (array: ArrayBufferView | undefined) => {
      if (array !== undefined && array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
    };
    for (const array of [model.vocabLengths, g.offsets, ...this.perNgramArrays()]) add(array);
    for (const level of model.extras) {
      add(level.adjusted);
      add(level.prunedMass);
    }
    add(this.embeddings?.values);
    add(this.embeddings?.scales);
    return { model, transfer: [...buffers] };
  }

  /** The model toTransferable described (after postMessage); the sender's copy is unusable. */
  static fromTransferable(data: TransferableModel): Model {
    const words = new TextWords(data.vocabText, data.vocabLengths);
    const { vocabularySize, count, ...arrays } = data.graph;
    const graph: PatternGraph = {
      order: arrays.offsets.length - 1,
      vocabularySize,
      ...arrays,
      count: count ?? new Uint32Array(0),
      levels: [],
    };
    if (count === null) dropCounts(graph);
    else graph.levels = levelViews(graph);
    data.extras.forEach((extra, k) => {
      if (extra.adjusted !== undefined) graph.levels[k].adjusted = extra.adjusted;
      if (extra.prunedMass !== undefined) graph.levels[k].prunedMass = extra.prunedMass;
    });
    return new Model(words, graph, { ...data.estimate }, data.discounts, data.embeddings, data.provenance);
  }

  /**
   * A model over a query graph it does not own: a model image's views (src/lm/image/). It has no
   * exact arrays and no raw counts: it generates and scores (with the query graph's numbers), and
   * saving it, appending to it or reading its `graph` arrays or `estimate` throws.
   */
  static fromQuery(
    words: WordList,
    query: QueryGraph,
    discounts: Discount[],
    embeddings: EmbeddingTable | EmbeddingsOnFirstUse | null,
    provenance: ModelProvenance,
  ): Model {
    return new Model(words, queryOnlyGraph(query), queryOnlyEstimate(), discounts, embeddings, provenance, query);
  }

  /**
   * What generation reads (and `score` with `probabilities: 'query'`): the model image's numbers.
   * A trained or decoded model builds it from its exact arrays on first use, with the image's
   * code, so every front end generates the same text from the same model.
   */
  get query(): QueryGraph {
    this.queryCache ??= new QueryGraph(queryArraysOf(this.graph, this.estimate));
    return this.queryCache;
  }

  /**
   * What `query` is computed from (queryArraysOf), as views of this model's arrays: another
   * thread can compute it from these (shared when the arrays are, see sharedArrays).
   */
  querySource(): QuerySource {
    const { order, vocabularySize, offsets, word, childStart, suffix } = this.graph;
    const { prob, backoff, cumulative, rootBackoff, uniform } = this.estimate;
    return {
      graph: { order, vocabularySize, offsets, word, childStart, suffix },
      estimate: { prob, backoff, cumulative, rootBackoff, uniform },
    };
  }

  /** The same model with these embeddings. */
  withEmbeddings(embeddings: EmbeddingTable | null): Model {
    const query = this.queryOnly ? this.queryCache : null;
    return new Model(this.words, this.graph, this.estimate, this.discounts, embeddings, this.provenance, query);
  }

  /**
   * The model of a decoded file. With the decoder's trie index (decodeIndexedModelFile) the graph
   * is taken as laid out by the decoder instead of being copied, re-checked and re-searched.
   */
  static fromFile(file: ModelFile, index?: TrieIndex, keepCounts = true): Model {
    const header = file.header;
    const stats = header.stats;
    const vocab = file.vocab;
    if (vocab.length < 4 || vocab[UNK_ID] !== UNK || vocab[BOS_ID] !== BOS || vocab[EOS_ID] !== EOS) {
      throw new ModelFormatError('corrupt', 'vocabulary lacks the reserved words or any real word');
    }
    const graph =
      index !== undefined ? indexedPatternGraph(index, vocab.length) : buildPatternGraph(file.counts, vocab.length);
    const provenance: ModelProvenance = {
      params: header.params,
      corpus: stats.corpus,
      trainingMs: stats.trainingMs,
      heldOutPerplexity: stats.heldOutPerplexity,
      pruned: header.pruned,
      discounts: header.discounts as Discount[] | undefined,
    };
    return Model.fromGraph(vocab, file.counts, graph, file.embeddings, provenance, index?.arrays, keepCounts);
  }

  /**
   * The buffers of the model's per-n-gram arrays (word, count, child start, suffix, probability,
   * backoff, cumulative share), for a later decode to reuse (decode's `spare`) once the caller has
   * dropped the model: the model must not be used after that.
   */
  arrayBuffers(): ArrayBuffer[] {
    const buffers = new Set<ArrayBuffer>();
    for (const array of this.perNgramArrays()) {
      if (array.buffer instanceof ArrayBuffer && array.buffer.byteLength > 0) buffers.add(array.buffer);
    }
    return [...buffers];
  }

  /** The arrays of one entry per n-gram or per context (the raw counts only when kept). */
  private perNgramArrays(): ArrayBufferView[] {
    if (this.queryOnly) return queryArrayViews(this.query);
    const g = this.graph;
    const e = this.estimate;
    const arrays: ArrayBufferView[] = [g.word, g.childStart, g.suffix, e.prob, e.backoff, e.cumulative];
    if (g.countsDropped !== true) arrays.push(g.count);
    return arrays;
  }

  toFile(createdAt: number): ModelFile {
    const pruned = this.provenance.pruned;
    return {
      header: {
        formatVersion: FORMAT_VERSION,
        createdAt,
        params: { ...this.provenance.params },
        stats: this.stats,
        pruned,
        ...(pruned ? { discounts: this.discounts.map((d) => [...d]) } : {}),
      },
      vocab: this.vocab,
      counts: { order: this.graph.order, levels: this.graph.levels },
      embeddings: this.embeddings,
    };
  }

  get order(): number {
    return this.graph.order;
  }

  /**
   * Every word as a string, in id order (what saving, appending and the tests read). A model image
   * makes the strings on the first call and keeps them (counted in residentBytes from then on);
   * generation and lookups read `words` instead.
   */
  get vocab(): string[] {
    this.vocabArrayCache ??= wordArray(this.words);
    return this.vocabArrayCache;
  }

  get wordIds(): WordIndex {
    this.wordIdsCache ??= new WordIndex(this.words);
    return this.wordIdsCache;
  }

  /** p(word | context), both as tokens; unknown words are <unk>. Use "<s>" to start a sentence. */
  probability(context: readonly string[], word: string): number {
    return this.probabilityFrom(this.scorer('exact'), context, word);
  }

  private probabilityFrom(scorer: Scorer, context: readonly string[], word: string): number {
    const ids = this.wordIds;
    const idOf = (token: string) => ids.get(token) ?? UNK_ID;
    const scratch = newStepResult();
    let state = -1;
    for (const token of context) state = scorer.step(state, idOf(token), scratch).state;
    const target = idOf(word);
    if (target === BOS_ID) return 0;
    return scorer.step(state, target, scratch).probability;
  }

  /** p(word | context) from the query graph (the numbers generation reads). */
  queryProbability(context: readonly string[], word: string): number {
    return this.probabilityFrom(this.query, context, word);
  }

  /** The exact arrays' scorer when the model has them and they are asked for, else the query graph. */
  private scorer(probabilities: 'exact' | 'query'): Scorer {
    return probabilities === 'exact' && !this.queryOnly ? new ExactScorer(this.graph, this.estimate) : this.query;
  }

  /** Evaluation of text (one sentence per line), like KenLM's `query`. */
  score(text: string | Iterable<string>, options: ScoreOptions = {}): Evaluation {
    const lines = typeof text === 'string' ? text.split(/\r?\n/) : text;
    return evaluate(this.scorer(options.probabilities ?? 'exact'), this.wordIds, lines, {
      splitSentences: options.splitSentences ?? this.provenance.params.splitSentences,
    });
  }

  generate(options: GenerateOptions = {}): GenerateResult {
    return generate(this, options);
  }

  /** Words nearest in meaning (embeddings); empty without embeddings. */
  similar(word: string, k = 10): { word: string; score: number }[] {
    const index = this.embeddingLookup();
    return index === null ? [] : index.similar(word, k);
  }

  /** Statistics of the model (computed on access: memoryBytes reflects what is held now). */
  get stats(): ModelStats {
    const graph = this.graph;
    const patternsByOrder: number[] = [];
    for (let k = 0; k < graph.order; k++) patternsByOrder.push(graph.offsets[k + 1] - graph.offsets[k]);
    const patterns = totalNodes(graph);
    const p = this.provenance;
    return {
      order: graph.order,
      vocabularySize: this.words.length,
      patternsByOrder,
      patterns,
      // Words with a row of their own (at most 20,000): the table's first three rows are the
      // reserved <unk>, <s>, </s>, which never get a vector.
      embeddings: Math.max(0, (this.embeddingSource?.count ?? 0) - RESERVED_EMBEDDING_ROWS),
      embeddingDim: this.embeddingSource?.dim ?? 0,
      // The root (empty context) plus every pattern; each pattern has a continuation edge from
      // its prefix and a backoff edge to its suffix.
      graphNodes: patterns + 1,
      graphEdges: 2 * patterns,
      memoryBytes: this.memoryBytes(),
      params: { ...p.params },
      corpus: { ...p.corpus },
      trainingMs: p.trainingMs,
      heldOutPerplexity: p.heldOutPerplexity,
    };
  }

  /** Bytes of every typed array the model holds (shared views counted once). */
  memoryBytes(): number {
    const seen = new Set<ArrayBufferLike>();
    let bytes = 0;
    const add = (array: ArrayBufferView | null | undefined) => {
      if (array == null || seen.has(array.buffer)) return;
      seen.add(array.buffer);
      bytes += array.buffer.byteLength;
    };
    for (const array of this.perNgramArrays()) add(array);
    if (!this.queryOnly) {
      for (const level of this.graph.levels) {
        add(level.adjusted);
        add(level.prunedMass);
      }
      // Built when the model first generated (shares its running shares with `estimate`).
      if (this.queryCache !== null) for (const array of queryArrayViews(this.queryCache)) add(array);
    }
    bytes += this.rankingCache?.byteLength ?? 0;
    // Embeddings read on first use are counted from the start: they are read into the image's buffer, counted whole.
    const source = this.embeddingSource;
    const embeddings = source instanceof EmbeddingsOnFirstUse ? source.loaded : source;
    if (embeddings !== null) {
      add(embeddings.values);
      add(embeddings.scales);
    }
    return bytes;
  }

  /**
   * What the model occupies now: memoryBytes plus an estimate of what it keeps on the JavaScript
   * heap (its vocabulary's strings, and the word lookups generation and `similar` build on first
   * use: see heap-estimate.ts). For a small model that is 10–35 % more than its typed arrays; the
   * manager's cache budget counts this.
   */
  residentBytes(): number {
    return (
      this.memoryBytes() +
      heapEstimate.modelObjects +
      this.words.retainedBytes +
      (this.vocabArrayCache !== null && !(this.words instanceof ArrayWords)
        ? heapEstimate.strings(this.vocabArrayCache)
        : 0) +
      (this.queryCache?.memoBytes ?? 0) +
      naturalTableBytes(this.words, this.queryCache) +
      (this.wordIdsCache?.byteLength ?? 0) +
      (this.embeddingIndexCache?.retainedBytes() ?? 0)
    );
  }

  // GenerationSource -------------------------------------------------------------------------

  vectorOf(word: string): Float32Array | null {
    return this.embeddingLookup()?.vectorOf(word) ?? null;
  }

  rowVector(id: number): Float32Array | null {
    return this.embeddingLookup()?.rowVector(id) ?? null;
  }

  nearestWords(vector: Float32Array, k: number): { id: number; score: number }[] {
    const index = this.embeddingLookup();
    return index === null ? [] : index.nearest(vector, k, new Set([UNK_ID, BOS_ID, EOS_ID]));
  }

  ranking(): ContinuationRanking {
    this.rankingCache ??= new ContinuationRanking(this.query);
    return this.rankingCache;
  }

  private embeddingLookup(): EmbeddingIndex | null {
    if (this.embeddingIndexCache !== null) return this.embeddingIndexCache;
    const table = this.embeddings;
    if (table === null) return null;
    this.embeddingIndexCache = embeddingIndex(table, this.words);
    return this.embeddingIndexCache;
  }
}

function queryOnly(): never {
  throw new Error(
    'this model was loaded from its image: it generates and scores, but has no exact arrays (decode its model file for those)',
  );
}

/** A model image's graph: its shape and words; what only the exact arrays hold throws. */
function queryOnlyGraph(query: QueryGraph): PatternGraph {
  const graph = {
    order: query.order,
    vocabularySize: query.vocabularySize,
    offsets: query.offsets,
    word: query.word,
    countsDropped: true,
  };
  for (const name of ['count', 'childStart', 'suffix', 'levels'])
    Object.defineProperty(graph, name, { enumerable: true, get: queryOnly });
  return graph as PatternGraph;
}

function queryOnlyEstimate(): Interpolation {
  const estimate = {};
  for (const name of ['prob', 'backoff', 'cumulative', 'rootBackoff', 'uniform'])
    Object.defineProperty(estimate, name, { enumerable: true, get: queryOnly });
  return estimate as Interpolation;
}

/** The typed arrays of a query graph. */
function queryArrayViews(query: QueryGraph): ArrayBufferView[] {
  return [
    query.word,
    query.childStart.bits,
    query.childStart.samples,
    query.childStart.kept,
    query.suffix.data,
    query.unigramProb,
    query.probCode,
    query.probTable,
    query.unigramBackoff,
    query.backoffImplied.bits,
    query.backoffImplied.counts,
    query.impliedBackoff,
    query.backoffCode,
    query.backoffTable,
    query.unigramCumulative,
    query.shares.code,
    query.shares.table,
    query.shares.checkpoint,
    query.shares.single.bits,
    query.shares.single.counts,
  ];
}

/** The graph's raw counts, or null for a model that keeps none (PatternGraph.countsDropped). */
function rawCounts(graph: PatternGraph): Uint32Array | null {
  return graph.countsDropped === true ? null : graph.count;
}
