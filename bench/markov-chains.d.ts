// markov-chains ships no type declarations; this covers what the benchmark uses.
declare module 'markov-chains' {
  export default class Chain<T = unknown> {
    constructor(corpus: T[][], options?: { stateSize?: number });
    walk(beginState?: T[]): T[];
  }
}
