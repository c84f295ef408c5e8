// Natural sampling: the generation every front end shows. Plain sampling from a Kneser-Ney model
// trained on a server's few hundred kilobytes reads as word salad: a context seen once passes
// about half its mass to shorter contexts, and the unigram tail turns that mass into "the ,",
// "a the", "of .". A plain Markov chain reads well but copies its training lines. This sampler
// keeps what reads well from both (docs/model.md, "Generation", has the figures):
//
// - Evidence first. Each word is drawn from the observed continuations of the longest context on
//   the chain that has at least MIN_CONTINUATIONS of them, weighted by the model's probability
//   p(w | that context) sharpened by the temperature. A context with one continuation is a single
//   training line: following it is copying, so the draw backs off instead. The root (every word)
//   is reached only when no context has two continuations.
// - No copies. The sampler tracks how many tokens in a row are covered by full-length stored
//   n-grams (every window of `order` tokens seen in training: a conservative stand-in for "copied
//   from one line", since the model keeps no lines). At maxCopyRun (default 7) it must leave: the
//   continuations of the full context are excluded from the next draw, which makes an n-gram the
//   training text never had. A finished text with more than MAX_COPY_SHARE of its tokens in one
//   such run is rejected below.
// - No stubs, no loops. `</s>` may come only after MIN_WORDS words; a word may not repeat the one
//   before it unless the training text had that pair, nor complete a LOOP_NGRAM already written.
// - Quotes and brackets pair (pairs.ts): a closing mark only closes an open one, and marks still
//   open at the end are closed.
// - Best of several. CANDIDATES walks are drawn; the one returned is the first of: no copy, ended
//   by the model (not cut at maxLength), long enough, fewest words drawn from the root (salad),
//   then the highest mean log-probability per token under the model itself. After a sentence's
//   end, a draw that would reach the root is taken from the words that start sentences instead.
// - Something else than last time. With a memory of the model's recent texts (recent.ts: what a
//   server's /generate calls without a seed pass), their word pairs weigh RECENT_WEIGHT in a draw,
//   walks are ranked by their recent pairs beyond RECENT_ALLOWANCE of their length right after the
//   rules above, and up to MAX_CANDIDATES walks are drawn while the best is above it.
//
// The model's probabilities are untouched: scoring, perplexity and `sampling: 'exact'` see the
// same Kneser-Ney estimate. The contexts drawn from most keep their weighed lists (draw-tables.ts):
// a draw there takes the same word as the weighing, by binary search over running sums. A call's
// walks share their first draw's weighing (firstDraw), and scoring a drawn word reads what the
// draw found (advance).

import type { GenerationSource, ReadPrompt, Settings, Walk } from './generate.js';
import type { DrawTables } from './draw-tables.js';
import { ROOT, searchRun } from './graph.js';
import {
  closeMarks,
  pairAdvance,
  pairAllows,
  pairTableBytes,
  pairTableOf,
  type OpenMarks,
  type PairTable,
} from './pairs.js';
import type { ContinuationRanking } from './ranking.js';
import type { QueryGraph } from './query-graph.js';
import type { Random } from './random.js';
import { RECENT_WEIGHT, type RecentPhrases } from './recent.js';
import { meanVector, promptSimilarity, STEER_STRENGTH } from './sample-exact.js';
import { sentenceStart } from './query.js';
import { sortByDescendingKey } from './typed-sort.js';
import { BOS_ID, EOS_ID, UNK_ID } from './types.js';
import {
  isSentenceEndRange,
  isWordRange,
  joinsBeforeRange,
  unusualIdsOf,
  wordClassBytes,
  wordFlagsOf,
} from './word-classes.js';
import type { WordList } from './words.js';

/** Walks drawn per call; the best is returned. */
export const CANDIDATES = 4;
/**
 * More walks, up to this, while the best so far repeats more of what the model wrote lately than
 * RECENT_ALLOWANCE of its length (only with a memory of recent texts: a small model's later calls).
 */
const MAX_CANDIDATES = 16;
/** Share of a text's pairs that may be pairs the model wrote lately (recent.ts) before more walks are drawn. */
const RECENT_ALLOWANCE = 0.1;
/** A context is drawn from only when it has at least this many eligible continuations. */
const MIN_CONTINUATIONS = 2;
/** Continuations considered in one draw: a larger run takes its most probable ones. */
const MAX_DRAW = 256;
/** Words (tokens with a letter or digit) before the model may end the text. */
export const MIN_WORDS = 4;
/** Tokens in a row covered by full-length stored n-grams before the walk must leave them. */
export const DEFAULT_MAX_COPY_RUN = 7;
/** A finished text whose longest covered run holds more than this share of its tokens is a copy. */
const MAX_COPY_SHARE = 0.7;
/**
 * The least observed share of w among the continuations of the previous word that lets `w` be `</s>` or a repeat of the
 * previous word: the
 * training text must end lines after that word (or repeat it) at least this often. A few
 * truncated lines ("… to be the") or stray ", ," in an upload then never decide an output.
 */
const PAIR_EVIDENCE = 0.01;
/** The same for a word repeating the one before it ("ha ha", "!!"): characteristic pairs only. */
const REPEAT_EVIDENCE = 0.2;
/** A word may not complete an n-gram of this length that the text already holds. */
const LOOP_NGRAM = 4;
/** Draws that may be refused (a loop) before the walk takes what it drew. */
const LOOP_RETRIES = 4;

const UNK = UNK_ID;
const BOS = BOS_ID;
const EOS = EOS_ID;
/** A word: a token with a letter or digit. */
const WORD = /[\p{L}\p{N}]/u;

/** Weights of a graph at one temperature, kept per graph for the last temperature asked. */
type TemperatureTables = WeakMap<QueryGraph, { inverseTemperature: number; table: Float64Array }>;
function perTemperature(
  tables: TemperatureTables,
  graph: QueryGraph,
  inverseTemperature: number,
  build: () => Float64Array,
): Float64Array {
  const cached = tables.get(graph);
  if (cached !== undefined && cached.inverseTemperature === inverseTemperature) return cached.table;
  const table = build();
  tables.set(graph, { inverseTemperature, table });
  return table;
}

/** p^(1/T) of every code of a graph's probability tables. */
const weightTables: TemperatureTables = new WeakMap();
function weightTableOf(graph: QueryGraph, inverseTemperature: number): Float64Array {
  return perTemperature(weightTables, graph, inverseTemperature, () => {
    const table = new Float64Array(graph.probTable.length);
    for (let i = 0; i < table.length; i++) table[i] = graph.probTable[i] ** inverseTemperature;
    return table;
  });
}

/** The root's weights of a draw (NaturalWalker.rootWeights). */
const rootWeightTables: TemperatureTables = new WeakMap();

/**
 * Bytes of the tables the sampler keeps for a model once built (word flags, quote pairs, the
 * weights of the last temperature): what Model.residentBytes counts for them.
 */
export function naturalTableBytes(words: WordList, graph: QueryGraph | null): number {
  let bytes = pairTableBytes(words) + wordClassBytes(words);
  if (graph !== null) {
    bytes += weightTables.get(graph)?.table.byteLength ?? 0;
    bytes += rootWeightTables.get(graph)?.table.byteLength ?? 0;
  }
  return bytes;
}

// Scratch of one draw (generation is synchronous, so one set serves every call).
const drawIds = new Int32Array(MAX_DRAW);
const drawWeights = new Float64Array(MAX_DRAW);
const drawOrder = new Int32Array(MAX_DRAW);
/** Per candidate of drawIds, its node in the image when the draw weighed a run where it lies (else −1). */
const drawNodes = new Int32Array(MAX_DRAW);
/** The candidates of a call's first draw (NaturalWalker.firstDraw), as drawIds, drawWeights and drawNodes held them. */
const firstIds = new Int32Array(MAX_DRAW);
const firstWeights = new Float64Array(MAX_DRAW);
const firstNodes = new Int32Array(MAX_DRAW);
/**
 * What the last draw read on the suffix chain of the walk's state, for `advance` to score the word
 * drawn without reading it again: the contexts whose runs it read (in chain order) and their runs;
 * and the same of a call's first draw (firstDraw). A context per level at most: grown for a model
 * of a higher order (chainScratchFor).
 */
let chainContexts = new Int32Array(8);
let chainFroms = new Int32Array(8);
let chainTos = new Int32Array(8);
let firstChainContexts = new Int32Array(8);
let firstChainFroms = new Int32Array(8);
let firstChainTos = new Int32Array(8);
function chainScratchFor(order: number): void {
  if (chainContexts.length >= order) return;
  chainContexts = new Int32Array(order);
  chainFroms = new Int32Array(order);
  chainTos = new Int32Array(order);
  firstChainContexts = new Int32Array(order);
  firstChainFroms = new Int32Array(order);
  firstChainTos = new Int32Array(order);
}
/**
 * Runs of at least this many children draw from lists (draw-tables.ts); a shorter run is weighed
 * where it lies in the image (a list costs more to write than a few weighings).
 */
const LISTED_RUN = 16;
/** Bits of DrawTables.evidence: whether each fact (hasPairEvidence) is known, and its value. */
const EVIDENCE_END_KNOWN = 1;
const EVIDENCE_END = 2;
const EVIDENCE_REPEAT_KNOWN = 4;
const EVIDENCE_REPEAT = 8;

/**
 * What a call's first draw was, for the walks after the first: not made yet; weighed (its
 * candidates kept, a uniform drawn again); a word taken without a uniform (a single, or the end);
 * or drawn from a kept list (cheap already: made again).
 */
type FirstDraw =
  | { kind: 'none' }
  | { kind: 'weighed'; size: number; record: FirstRecord }
  | { kind: 'word'; word: number; record: FirstRecord }
  | { kind: 'listed' };

/** What a first draw leaves besides its word: the counts it added and the chain it read (firstChainContexts…; advance reads it). */
interface FirstRecord {
  activated: number;
  fromRoot: number;
  drawnContext: number;
  drawnNode: number;
  chainLength: number;
}

/** Where a walk stands: its state in the graph, the history length and the covered run. */
interface Position {
  state: number;
  /** Tokens of history, <s> included. */
  history: number;
  /** Tokens in a row, ending here, covered by stored n-grams of full length. */
  cover: number;
  longestCover: number;
  words: number;
  /** Quotes and brackets open here, innermost last. */
  open: OpenMarks;
  /** The last token read (<s> before any). */
  last: number;
  /** Whether nothing precedes the walk's first token in the text (no prompt). */
  bare: boolean;
}

interface CandidateWalk {
  ids: number[];
  ended: boolean;
  words: number;
  /** Natural log-probability of the generated tokens (and `</s>`) under the model. */
  logProb: number;
  scored: number;
  longestCover: number;
  /** Tokens of the whole text with <s> (and </s> when ended): what the copy share divides by. */
  length: number;
  /** Closing marks appended to an ended text for the quotes and brackets it left open. */
  closing: string[];
  /** Words drawn from the root (no context had two continuations). */
  rootDraws: number;
  /** Word pairs of the text that repeat what the model wrote lately (RecentPhrases.repeats). */
  recentPairs: number;
}

class NaturalWalker {
  private readonly graph: QueryGraph;
  private readonly isWord: Uint8Array;
  private readonly isSentenceEnd: Uint8Array;
  private readonly joinsBefore: Uint8Array;
  private readonly pairs: PairTable;
  private readonly similarity = new Map<number, number>();
  private readonly promptVector: Float32Array | null;
  private readonly inverseTemperature: number;
  /** repetitionPenalty^(−1/T): what a word already written has its weight multiplied by. */
  private readonly penaltyFactor: number;
  /** p^(1/T) for every code of the probability tables: a draw's weights without a pow each. */
  private readonly weightTable: Float64Array;
  /** 1 for the ids a draw's rules can refuse whatever the walk: reserved ids and quotes or brackets. */
  private readonly unusual: Uint8Array;
  /** No repetition penalty, no steering and no memory of recent texts: a draw's weights are the table's as they are. */
  private readonly plainWeights: boolean;
  /** The memory of recent texts when it is the only adjustment (no penalty, no steering): the defaults of /generate without a seed. */
  private readonly recentOnly: RecentPhrases | null;
  private rootWeightCache: Float64Array | null = null;
  /**
   * The kept draw lists (draw-tables.ts) when this call's draws can read them: plain weights, no
   * top-k and no nucleus (a draw that leaves a copy weighs the image's runs, as the others do then).
   */
  private readonly tables: DrawTables | null;
  /** Per word, its pair evidence as far as known (hasPairEvidence; kept with the draw tables). */
  private readonly evidence: Uint8Array;
  /** Per word, 1 while it continues the full context a draw must leave (draw; kept with the draw tables). */
  private readonly copyMarks: Uint8Array;
  activated = 0;
  /** Words the last draw took from the root (every word): the salad a walk is ranked down for. */
  fromRoot = 0;
  /**
   * How many contexts the last draw noted in chainContexts (for advance), and the node of the word
   * drawn with its context when it knows it (else −1).
   */
  private chainLength = 0;
  private drawnContext = -1;
  private drawnNode = -1;
  /** The call's first draw (firstDraw), and whether the draw being made is it. */
  private first: FirstDraw = { kind: 'none' };
  private makingFirst = false;
  private firstKind: 'weighed' | 'word' | 'listed' = 'listed';
  private firstSize = 0;

  constructor(
    private readonly source: GenerationSource,
    private readonly settings: Settings,
    prompt: ReadPrompt,
  ) {
    this.graph = source.query;
    this.isWord = wordFlagsOf(source.words, isWordRange);
    this.isSentenceEnd = wordFlagsOf(source.words, isSentenceEndRange);
    this.joinsBefore = wordFlagsOf(source.words, joinsBeforeRange);
    this.pairs = pairTableOf(source.words);
    this.inverseTemperature = 1 / settings.temperature;
    this.penaltyFactor = settings.repetitionPenalty ** -this.inverseTemperature;
    this.weightTable = weightTableOf(this.graph, this.inverseTemperature);
    this.promptVector = settings.steer > 0 ? meanVector(prompt.tokens.map((token) => source.vectorOf(token))) : null;
    this.unusual = unusualIdsOf(source.words, this.pairs);
    this.plainWeights = this.penaltyFactor === 1 && this.promptVector === null && settings.recent === null;
    this.recentOnly = this.penaltyFactor === 1 && this.promptVector === null ? settings.recent : null;
    const drawTables = source.ranking().drawTables();
    this.evidence = drawTables.pairEvidence();
    this.copyMarks = drawTables.copyMarks();
    this.tables = this.plainWeights && settings.topK === 0 && settings.topP >= 1 ? drawTables : null;
    this.tables?.useTemperature(this.inverseTemperature);
    chainScratchFor(this.graph.order);
  }

  /**
   * How many of a walk's first tokens are marks that join the word before them (joinsBeforeRange),
   * for a text with no prompt to leave out: training lines that start ", …" or ". …" (a sentence
   * split after an abbreviation) put them among <s>'s continuations, and 3.9 % of texts on 200 KB
   * of chat began so. Left out of the text returned rather than refused in the draw, so every other
   * walk keeps its draws: refusing them changed the texts after, and distinct-2 on 20 KB of chat
   * fell 0.77 → 0.74 (bench:generation).
   */
  leadingMarks(from: Position, ids: readonly number[]): number {
    if (!from.bare) return 0;
    let count = 0;
    while (count + 1 < ids.length && this.joinsBefore[ids[count]] === 1) count++;
    return count;
  }

  /** Whether a walk reads (and fills) its set of written words: only the repetition penalty does. */
  get readsWritten(): boolean {
    return this.penaltyFactor !== 1;
  }

  /** The position after the prompt (its words count toward MIN_WORDS and its n-grams toward the cover). */
  start(prompt: ReadPrompt): Position {
    const at: Position = {
      state: sentenceStart(this.graph),
      history: 1,
      cover: 1,
      longestCover: 1,
      words: 0,
      open: [],
      last: BOS,
      bare: prompt.tokens.length === 0,
    };
    for (const token of prompt.tokens) if (WORD.test(token)) at.words++;
    for (const id of prompt.ids) {
      this.advance(at, id);
      pairAdvance(this.pairs, at.open, id);
    }
    return at;
  }

  walk(from: Position, random: Random, seen: Set<number>): CandidateWalk {
    const { maxLength, minLength } = this.settings;
    const at: Position = { ...from, open: [...from.open] };
    const ids: number[] = [];
    let logProb = 0;
    let scored = 0;
    let ended = false;
    let recentPairs = 0;
    const rootBefore = this.fromRoot;
    const refused: number[] = [];
    for (let position = 0; position < maxLength; position++) {
      const allowEnd = position >= minLength && at.words >= MIN_WORDS;
      const previous = ids.length > 0 ? ids[ids.length - 1] : -1;
      // Setting an array's length is a runtime call; most draws refuse nothing.
      if (refused.length > 0) refused.length = 0;
      // A first attempt at the first position is the call's first draw (firstDraw); a redraw is an ordinary one.
      let word =
        position === 0
          ? this.firstDraw(at, random, allowEnd, refused, seen)
          : this.draw(at, random, allowEnd, previous, refused, seen);
      for (let retry = 0; retry < LOOP_RETRIES && word !== EOS && closesLoop(ids, word); retry++) {
        refused.push(word);
        word = this.draw(at, random, allowEnd, previous, refused, seen);
      }
      const before = at.last;
      const lp = this.advance(at, word);
      logProb += lp;
      scored++;
      if (word !== EOS && this.settings.recent?.repeats(before, word, Math.exp(lp))) recentPairs++;
      if (word === EOS) {
        ended = true;
        break;
      }
      ids.push(word);
      pairAdvance(this.pairs, at.open, word);
      // Only the repetition penalty reads what was written.
      if (this.readsWritten) seen.add(word);
      if (this.isWord[word] === 1) at.words++;
    }
    // Closers that would pass maxLength are left out (an end drawn in the last positions).
    const closing = ended
      ? closeMarks(this.pairs, at.open, ids, this.isWord).slice(0, Math.max(0, maxLength - ids.length))
      : [];
    return {
      ids,
      ended,
      words: at.words,
      logProb,
      scored,
      longestCover: at.longestCover,
      length: at.history,
      closing,
      rootDraws: this.fromRoot - rootBefore,
      recentPairs,
    };
  }

  /**
   * Moves `at` past `word` and returns ln p(word | history) under the model: the backoff walk of
   * query.ts, which also tells how long the stored n-gram ending in `word` is.
   */
  private advance(at: Position, word: number): number {
    const graph = this.graph;
    const full = at.state !== ROOT && levelOf(graph, at.state) + 1 === Math.min(graph.order - 1, at.history);
    let context = at.state;
    let weight = 1;
    let found: number;
    // The runs the draw read are searched where they are, and the drawn word's node is taken as the draw found it.
    const { chainLength, drawnContext, drawnNode } = this;
    this.chainLength = 0;
    this.drawnNode = -1;
    for (let k = 0; ; ) {
      this.activated++;
      if (context === drawnContext && drawnNode >= 0) found = drawnNode;
      else if (k < chainLength && chainContexts[k] === context) {
        found = searchRun(graph.word, chainFroms[k], chainTos[k], word);
        k++;
      } else found = graph.findChild(context, word);
      if (found >= 0) break;
      weight *= graph.backoff(context);
      context = graph.suffixOf(context);
    }
    const foundLength = levelOf(graph, found) + 1;
    at.cover = full && context === at.state ? at.cover + 1 : foundLength;
    if (at.cover > at.longestCover) at.longestCover = at.cover;
    at.history++;
    at.last = word;
    at.state = graph.stateAfter(context, found);
    return Math.log(weight * graph.prob(found));
  }

  /**
   * The first draw of a walk. Every walk of a call makes the same one: the same state, rules and
   * weights (the memory of recent texts changes only after the call), so the first walk's
   * candidates are kept and the walks after it draw only their uniform from them. With a memory of
   * recent texts no list is kept, and each walk weighed the sentence start's 256 most probable
   * words again.
   */
  private firstDraw(at: Position, random: Random, allowEnd: boolean, refused: number[], seen: Set<number>): number {
    const first = this.first;
    if (first.kind === 'listed') return this.draw(at, random, allowEnd, -1, refused, seen);
    if (first.kind === 'none') {
      const activated = this.activated;
      const fromRoot = this.fromRoot;
      this.makingFirst = true;
      const word = this.draw(at, random, allowEnd, -1, refused, seen);
      this.makingFirst = false;
      if (this.firstKind === 'listed') {
        this.first = { kind: 'listed' };
        return word;
      }
      const record: FirstRecord = {
        activated: this.activated - activated,
        fromRoot: this.fromRoot - fromRoot,
        drawnContext: this.drawnContext,
        drawnNode: this.drawnNode,
        chainLength: this.chainLength,
      };
      firstChainContexts.set(chainContexts);
      firstChainFroms.set(chainFroms);
      firstChainTos.set(chainTos);
      this.first =
        this.firstKind === 'weighed'
          ? { kind: 'weighed', size: this.firstSize, record }
          : { kind: 'word', word, record };
      return word;
    }
    const { record } = first;
    this.activated += record.activated;
    this.fromRoot += record.fromRoot;
    chainContexts.set(firstChainContexts);
    chainFroms.set(firstChainFroms);
    chainTos.set(firstChainTos);
    this.chainLength = record.chainLength;
    this.drawnContext = record.drawnContext;
    if (first.kind === 'word') {
      this.drawnNode = record.drawnNode;
      return first.word;
    }
    drawIds.set(firstIds.subarray(0, first.size));
    drawWeights.set(firstWeights.subarray(0, first.size));
    drawNodes.set(firstNodes.subarray(0, first.size));
    const index = this.pick(first.size, random);
    this.drawnNode = drawNodes[index];
    return drawIds[index];
  }

  /** One word from the first context on the chain with enough eligible continuations. */
  private draw(
    at: Position,
    random: Random,
    allowEnd: boolean,
    previous: number,
    refused: number[],
    seen: Set<number>,
  ): number {
    const graph = this.graph;
    const full = at.state !== ROOT && levelOf(graph, at.state) + 1 === Math.min(graph.order - 1, at.history);
    if (!(full && at.cover >= this.settings.maxCopyRun))
      return this.drawFrom(at, random, allowEnd, previous, refused, seen, false);
    // The copy to leave: the full context's continuations are marked for the draw's rules.
    const marks = this.copyMarks;
    const from = graph.childFrom(at.state);
    const to = graph.childTo(at.state);
    for (let r = from; r < to; r++) marks[graph.word[r]] = 1;
    const word = this.drawFrom(at, random, allowEnd, previous, refused, seen, true);
    for (let r = from; r < to; r++) marks[graph.word[r]] = 0;
    return word;
  }

  /** The draw, with `leaveCopy` when the full context's continuations (marked in copyMarks) are refused. */
  private drawFrom(
    at: Position,
    random: Random,
    allowEnd: boolean,
    previous: number,
    refused: number[],
    seen: Set<number>,
    leaveCopy: boolean,
  ): number {
    const graph = this.graph;
    const nodeWord = graph.word;
    const { probCode, probTable, unigramProb } = graph;
    const weights = this.weightTable;
    const ranking = this.source.ranking();
    // The recent pairs start with the last token read: the previous word, the prompt's last, or <s>.
    const before = at.last;
    // A longer context's only continuation, kept in case the chain reaches one-word contexts
    // (with its context and node, when known, for advance).
    let single = -1;
    let singleContext = -1;
    let singleNode = -1;
    this.chainLength = 0;
    this.drawnNode = -1;
    // What kind of draw this is, for firstDraw: a word without a uniform unless noted below.
    this.firstKind = 'word';
    // After a sentence's end, what would be drawn from the root (every word: "himself. a door.")
    // is drawn from the words that start sentences instead, once.
    let restart = previous >= 0 && this.isSentenceEnd[previous] === 1 && graph.order > 1 ? BOS : -1;
    const tables = leaveCopy ? null : this.tables;
    for (let context = at.state; ; context = graph.suffixOf(context)) {
      // The sentence starts taken for the root are not on the state's chain (what advance searches).
      let onChain = true;
      if (context === ROOT && restart >= 0) {
        context = restart;
        restart = -1;
        onChain = false;
      }
      if (context !== ROOT && leaveCopy && context === at.state) continue;
      let from: number;
      let to: number;
      let ranked: Int32Array | null = null;
      // A large run's most probable children, contiguous (ranking.topRun).
      let topCodes: Uint8Array | null = null;
      // Whether this context's list decides instead of the weighing below: a kept one, or one
      // kept now (its second visit; a first visit weighs the run where it lies).
      let kept = false;
      let listed = false;
      if (context === ROOT) {
        ranked = ranking.topUnigramHead(MAX_DRAW);
        from = 0;
        to = Math.min(ranked.length, MAX_DRAW);
        if (tables !== null) {
          kept = tables.find(ROOT);
          listed = kept || tables.keeping;
        }
      } else {
        from = graph.childFrom(context);
        to = graph.childTo(context);
        if (onChain) {
          chainContexts[this.chainLength] = context;
          chainFroms[this.chainLength] = from;
          chainTos[this.chainLength] = to;
          this.chainLength++;
        }
        if (to === from) continue;
        if (tables !== null && to - from >= LISTED_RUN) {
          kept = tables.find(context);
          listed = kept || tables.keeping;
        }
        if (to - from > MAX_DRAW && !listed) {
          const top = ranking.topRun(context, MAX_DRAW);
          ranked = top.words;
          topCodes = top.codes;
          to = from + MAX_DRAW;
        }
      }
      // A one-word context (or none) decides only when no longer context continues: drawn from
      // there, a walk on a small text turns into word salad ("the clock maker bell the boat").
      const short = context === ROOT || context < graph.offsets[1];
      if (short && single >= 0) {
        this.drawnContext = singleContext;
        this.drawnNode = singleNode;
        return single;
      }
      this.activated++;
      // One child cannot make the two a longer context needs, and a longer context's single is kept.
      if (single >= 0 && to - from === 1) continue;
      if (listed) {
        // The same decisions as the weighing below.
        const list = tables as DrawTables;
        if (!kept) this.writeList(list, context, from, to, ranking);
        const refusedHere = this.excludedFrom(list, at, allowEnd, previous, refused);
        const size = list.count - refusedHere;
        if (size >= MIN_CONTINUATIONS || ((context === ROOT || context === BOS) && size > 0)) {
          if (context === ROOT) this.fromRoot++;
          this.firstKind = 'listed';
          return list.pick(refusedHere, random.next());
        }
        if (context === ROOT) return allowEnd ? EOS : firstRealWord(graph);
        if (size === 1 && single < 0) {
          single = list.firstKept(refusedHere);
          singleContext = -1;
        }
        continue;
      }
      let size = 0;
      const table = context === ROOT ? 0 : graph.childTableStart(context);
      const rootWeights = context === ROOT ? this.rootWeights() : null;
      // Most words pass every rule: only reserved ids, marks, the previous word, a refused one
      // or a copy to leave are looked at closely (the rules are the same, in a cheaper order).
      const unusual = this.unusual;
      const plain = this.plainWeights;
      const recentOnly = this.recentOnly;
      const rare = refused.length > 0 || leaveCopy;
      for (let r = from; r < to; r++) {
        let w: number;
        let p: number;
        let weight: number;
        if (rootWeights !== null) {
          w = (ranked as Int32Array)[r];
          p = unigramProb[w];
          weight = rootWeights[r];
        } else if (topCodes !== null) {
          w = (ranked as Int32Array)[r - from];
          const code = table | topCodes[r - from];
          p = probTable[code];
          weight = weights[code];
        } else {
          w = nodeWord[r];
          const code = table | probCode[r];
          p = probTable[code];
          weight = weights[code];
        }
        if (p <= 0) continue;
        if ((unusual[w] !== 0 || w === previous || rare) && this.refuses(w, at, allowEnd, previous, refused, leaveCopy))
          continue;
        drawNodes[size] = ranked === null ? r : -1;
        drawIds[size] = w;
        // (adjusted, with only the recent pairs to weigh: the same product, without a call per candidate.)
        drawWeights[size] = plain
          ? weight
          : recentOnly !== null
            ? recentOnly.repeats(before, w, p)
              ? weight * RECENT_WEIGHT
              : weight
            : this.adjusted(w, p, weight, seen, before);
        size++;
      }
      if (size >= MIN_CONTINUATIONS || ((context === ROOT || context === BOS) && size > 0)) {
        if (context === ROOT) this.fromRoot++;
        if (this.makingFirst) {
          this.firstKind = 'weighed';
          this.firstSize = size;
          firstIds.set(drawIds.subarray(0, size));
          firstWeights.set(drawWeights.subarray(0, size));
          firstNodes.set(drawNodes.subarray(0, size));
        }
        const index = this.pick(size, random);
        this.drawnContext = context;
        this.drawnNode = drawNodes[index];
        return drawIds[index];
      }
      if (context === ROOT) return allowEnd ? EOS : firstRealWord(graph);
      if (size === 1 && single < 0) {
        single = drawIds[0];
        singleContext = context;
        singleNode = drawNodes[0];
      }
    }
  }

  /** Whether a draw's rules refuse `w` here (the weighing asks only for the words they can refuse). */
  private refuses(
    w: number,
    at: Position,
    allowEnd: boolean,
    previous: number,
    refused: number[],
    leaveCopy: boolean,
  ): boolean {
    if (w === UNK || w === BOS || (w === EOS && !allowEnd)) return true;
    if (previous >= 0 && (w === EOS || w === previous) && !this.hasPairEvidence(previous, w === EOS)) return true;
    if (refused.length > 0 && refused.includes(w)) return true;
    if (!pairAllows(this.pairs, at.open, w)) return true;
    return leaveCopy && this.copyMarks[w] === 1;
  }

  /**
   * Writes the list of `context` into the draw tables (kept from its second visit): the
   * continuations the weighing would read, less those every draw refuses (probability zero,
   * <unk>, <s>), with the reserved ids and marks noted.
   */
  private writeList(tables: DrawTables, context: number, from: number, to: number, ranking: ContinuationRanking): void {
    const graph = this.graph;
    const unusual = this.unusual;
    if (context === ROOT) {
      const ranked = ranking.topUnigramHead(MAX_DRAW);
      const rootWeights = this.rootWeights();
      const size = Math.min(ranked.length, MAX_DRAW);
      tables.begin(size, false);
      for (let r = 0; r < size; r++) {
        const w = ranked[r];
        if (graph.unigramProb[w] > 0 && w !== UNK && w !== BOS) tables.add(w, rootWeights[r], unusual[w] !== 0);
      }
    } else {
      const table = graph.childTableStart(context);
      const { probTable } = graph;
      const weights = this.weightTable;
      if (to - from > MAX_DRAW) {
        const top = ranking.topRun(context, MAX_DRAW);
        tables.begin(MAX_DRAW, false);
        for (let i = 0; i < MAX_DRAW; i++) {
          const w = top.words[i];
          const code = table | top.codes[i];
          if (probTable[code] > 0 && w !== UNK && w !== BOS) tables.add(w, weights[code], unusual[w] !== 0);
        }
      } else {
        const { word, probCode } = graph;
        tables.begin(to - from, true);
        for (let r = from; r < to; r++) {
          const w = word[r];
          const code = table | probCode[r];
          if (probTable[code] > 0 && w !== UNK && w !== BOS) tables.add(w, weights[code], unusual[w] !== 0);
        }
      }
    }
    tables.finish();
  }

  /**
   * Notes in the tables' `excluded` (ascending) the positions of the current list's candidates
   * this draw refuses, and returns how many: only its noted ids and marks, the previous word and
   * the refused loops can be (no copy is left when lists are read).
   */
  private excludedFrom(
    tables: DrawTables,
    at: Position,
    allowEnd: boolean,
    previous: number,
    refused: number[],
  ): number {
    const { ids, specials, base, excluded } = tables;
    let count = 0;
    for (let s = tables.specialFrom; s < tables.specialTo; s++) {
      const position = specials[s];
      if (this.refuses(ids[base + position], at, allowEnd, previous, refused, false)) excluded[count++] = position;
    }
    if (previous >= 0 && this.unusual[previous] === 0) {
      const position = tables.positionOf(previous);
      if (position >= 0 && this.refuses(previous, at, allowEnd, previous, refused, false))
        count = tables.exclude(count, position);
    }
    for (const word of refused) {
      // Marks, reserved ids and the previous word were judged above with every rule.
      if (this.unusual[word] !== 0 || word === previous) continue;
      const position = tables.positionOf(word);
      if (position >= 0) count = tables.exclude(count, position);
    }
    return count;
  }

  /** unigramProb^(1/T) of the most probable unigrams (ranking.topUnigrams order), per graph and temperature. */
  private rootWeights(): Float64Array {
    this.rootWeightCache ??= perTemperature(rootWeightTables, this.graph, this.inverseTemperature, () => {
      const top = this.source.ranking().topUnigramHead(MAX_DRAW);
      const table = new Float64Array(Math.min(top.length, MAX_DRAW));
      for (let r = 0; r < table.length; r++) table[r] = this.graph.unigramProb[top[r]] ** this.inverseTemperature;
      return table;
    });
    return this.rootWeightCache;
  }

  /**
   * Whether the training text ends lines after `previous` (`end`), or repeats it, often enough
   * (PAIR_EVIDENCE, REPEAT_EVIDENCE): a fact of the model, noted per word in the draw tables.
   */
  private hasPairEvidence(previous: number, end: boolean): boolean {
    const evidence = this.evidence;
    const known = end ? EVIDENCE_END_KNOWN : EVIDENCE_REPEAT_KNOWN;
    const allowed = end ? EVIDENCE_END : EVIDENCE_REPEAT;
    let flags = evidence[previous];
    if ((flags & known) === 0) {
      const share = this.pairShare(previous, end ? EOS : previous);
      flags |= known | (share >= (end ? PAIR_EVIDENCE : REPEAT_EVIDENCE) ? allowed : 0);
      evidence[previous] = flags;
    }
    return (flags & allowed) !== 0;
  }

  /**
   * The observed share of `w` among the continuations of `previous`: its discounted count over
   * theirs, without the backoff mass (interpolation gives `</s>` ~2 % after any word).
   */
  private pairShare(previous: number, w: number): number {
    const graph = this.graph;
    if (graph.order === 1) return 1;
    const x = graph.findChild(previous, w);
    if (x < 0) return 0;
    return graph.shareOf(previous, x);
  }

  /** A weight p^(1/T) with the recent pairs' weight, the repetition penalty and the prompt's steering applied. */
  private adjusted(w: number, p: number, weight: number, seen: Set<number>, before: number): number {
    let adjusted = this.settings.recent?.repeats(before, w, p) ? weight * RECENT_WEIGHT : weight;
    if (w === EOS) return adjusted;
    if (this.penaltyFactor !== 1 && seen.has(w)) adjusted *= this.penaltyFactor;
    if (this.promptVector !== null)
      adjusted *= Math.exp(this.settings.steer * STEER_STRENGTH * this.similarityOf(w) * this.inverseTemperature);
    return adjusted;
  }

  /** A draw among drawIds[0, size) by weight, within the top-k and the nucleus when they are set: its index. */
  private pick(size: number, random: Random): number {
    const { topK, topP } = this.settings;
    let count = size;
    let indices: Int32Array | null = null;
    if ((topK > 0 && topK < size) || topP < 1) {
      for (let i = 0; i < size; i++) drawOrder[i] = i;
      sortByDescendingKey(drawOrder, drawWeights, size);
      indices = drawOrder;
      let total = 0;
      for (let i = 0; i < size; i++) total += drawWeights[i];
      const limit = topK > 0 ? Math.min(topK, size) : size;
      let mass = 0;
      count = 0;
      while (count < limit) {
        mass += drawWeights[drawOrder[count]] / total;
        count++;
        if (mass >= topP) break;
      }
    }
    let sum = 0;
    for (let i = 0; i < count; i++) sum += drawWeights[indices !== null ? indices[i] : i];
    let u = random.next() * sum;
    for (let i = 0; i < count; i++) {
      const index = indices !== null ? indices[i] : i;
      u -= drawWeights[index];
      if (u < 0) return index;
    }
    return indices !== null ? indices[count - 1] : count - 1;
  }

  private similarityOf(word: number): number {
    return promptSimilarity(this.source, this.similarity, this.promptVector, word);
  }
}

/** Whether `word` after `ids` completes a LOOP_NGRAM-gram that `ids` already holds. */
function closesLoop(ids: readonly number[], word: number): boolean {
  const n = LOOP_NGRAM;
  const end = ids.length; // the n-gram is ids[end-n+1 .. end-1] + word
  if (end < n - 1) return false;
  for (let start = 0; start + n - 1 < end - n + 2; start++) {
    if (ids[start + n - 1] !== word) continue;
    let same = true;
    for (let k = 0; k < n - 1; k++) {
      if (ids[start + k] !== ids[end - n + 1 + k]) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return false;
}

/** Level (0 = unigrams) of a node. */
function levelOf(graph: QueryGraph, node: number): number {
  const offsets = graph.offsets;
  let level = 0;
  while (level + 1 < graph.order && node >= offsets[level + 1]) level++;
  return level;
}

/** The most frequent real word: what keeps a text from being empty when nothing else is left. */
function firstRealWord(graph: QueryGraph): number {
  return graph.vocabularySize > EOS_ID + 1 ? EOS_ID + 1 : EOS_ID;
}

/**
 * Which of two walks to return: no copy, ended by the model, long enough, fewer recent pairs beyond the allowance,
 * fewer root draws, then fluency.
 */
function better(a: CandidateWalk, b: CandidateWalk, antiCopy: boolean): boolean {
  const rank = (w: CandidateWalk) =>
    (!antiCopy || w.longestCover <= MAX_COPY_SHARE * w.length ? 4 : 0) +
    (w.ended ? 2 : 0) +
    (w.words >= MIN_WORDS ? 1 : 0);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra > rb;
  const ea = recentExcess(a);
  const eb = recentExcess(b);
  if (ea !== eb) return ea < eb;
  if (a.rootDraws !== b.rootDraws) return a.rootDraws < b.rootDraws;
  return a.logProb / Math.max(1, a.scored) > b.logProb / Math.max(1, b.scored);
}

/**
 * Pairs of a walk that repeat recent texts, beyond RECENT_ALLOWANCE of its length: what a call draws
 * more walks to avoid. A count, not a share: a shorter walk that repeats less is preferred (as a
 * share, 20 KB texts reach distinct-2 0.67–0.69 instead of 0.76–0.77, with texts of 17–18 words
 * instead of 13; bench:generation).
 */
function recentExcess(walk: CandidateWalk): number {
  return Math.max(0, walk.recentPairs - RECENT_ALLOWANCE * walk.ids.length);
}

/** The written words of a walk that no rule reads (walk fills them only under a repetition penalty). */
const NOTHING_WRITTEN: Set<number> = new Set();

export function generateNatural(
  source: GenerationSource,
  settings: Settings,
  prompt: ReadPrompt,
  random: Random,
): Walk {
  const walker = new NaturalWalker(source, settings, prompt);
  const start = walker.start(prompt);
  let best: CandidateWalk | null = null;
  let drawnTokens = 0;
  for (let i = 0; i < MAX_CANDIDATES; i++) {
    if (i >= CANDIDATES && best !== null && recentExcess(best) === 0) break;
    // Only the repetition penalty reads (and fills) the written words: without it one empty set serves every walk.
    const seen = walker.readsWritten ? new Set(prompt.ids) : NOTHING_WRITTEN;
    const candidate = walker.walk(start, random, seen);
    drawnTokens += candidate.ids.length + candidate.closing.length;
    if (best === null || better(candidate, best, settings.maxCopyRun !== Number.POSITIVE_INFINITY)) best = candidate;
  }
  const chosen = best as CandidateWalk;
  const ids = chosen.ids.slice(walker.leadingMarks(start, chosen.ids));
  settings.recent?.record([start.last, ...ids]);
  return {
    words: [...ids.map((id) => source.words.word(id)), ...chosen.closing],
    drawnTokens,
    stop: chosen.ended ? 'end' : 'length',
    activated: walker.activated,
  };
}
