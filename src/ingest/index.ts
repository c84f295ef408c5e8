// Ingestion: uploaded files → training lines. The manager uses only what is exported here.
export type { IngestLimits, SourceBytes, TextEncoding, TextFormat } from './types.js';
export { checkSources, ingestSources, readSources } from './ingest-sources.js';
export { parseSources } from './parse-sources.js';
export { decodeText } from './decode-text.js';
export { readSourceBytes } from './read-source.js';
export { extractLines } from './extract-lines.js';
export { detectFormat } from './detect-format.js';
export { cleanText } from './clean.js';
