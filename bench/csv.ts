// npx tsx bench/csv.ts [megabytes] — our CSV reader (src/ingest/csv.ts) against csv-parse on a
// generated chat export (default 10 MB: quoted messages with commas, doubled quotes and line
// breaks, ragged rows, stray quotes), then the lenient cases an untrusted upload needs, each read
// by both. Prints best-of-5 MB/s and, per case, what each reader gives.
import { parse } from 'csv-parse/sync';
import { parseCsv } from '../src/ingest/csv.js';
import { bestOf } from './best-of.js';

const megabytes = Number(process.argv[2] ?? 10);

/** A deterministic export: id, author, timestamp, message (a few rows ragged or with stray quotes). */
function chatExport(bytes: number): string {
  const words = ['hola', 'qué tal', 'the', 'server', 'mañana', 'model', 'ok', 'lol', 'gracias', 'why', 'not', 'bot'];
  let state = 7;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 8;
  };
  const rows = ['id,author,timestamp,content'];
  let size = rows[0].length + 1;
  for (let id = 1; size < bytes; id++) {
    const length = 3 + (next() % 25);
    const message = Array.from({ length }, () => words[next() % words.length]).join(' ');
    const kind = next() % 20;
    const content =
      kind === 0
        ? `"${message}, ""quoted"" and\nanother line"`
        : kind === 1
          ? `"${message}, with a comma"`
          : kind === 2
            ? `${message} 5" screen` // a stray quote in an unquoted field
            : message;
    const extra = kind === 3 ? ',extra,cells' : '';
    const row = `${id},user${next() % 500},2026-12-07T10:${String(id % 60).padStart(2, '0')}:00Z,${content}${extra}`;
    rows.push(row);
    size += row.length + 1;
  }
  return rows.join('\n');
}

const csvParseLenient = (text: string) =>
  parse(text, { delimiter: ',', relax_quotes: true, relax_column_count: true, skip_empty_lines: false }) as string[][];

const text = chatExport(megabytes * 1e6);
const mb = Buffer.byteLength(text) / 1e6;
const ours = parseCsv(text, ',');
const theirs = csvParseLenient(text);
const same =
  ours.rows.length === theirs.length && ours.rows.every((row, i) => row.join('\u0000') === theirs[i].join('\u0000'));
console.log(`${mb.toFixed(1)} MB, ${ours.rows.length} rows; both readers give the same rows: ${same}`);
const oursMs = bestOf(5, () => parseCsv(text, ','));
const theirsMs = bestOf(5, () => csvParseLenient(text));
console.log(`ours      ${oursMs.toFixed(0)} ms  ${(mb / (oursMs / 1000)).toFixed(0)} MB/s`);
console.log(
  `csv-parse ${theirsMs.toFixed(0)} ms  ${(mb / (theirsMs / 1000)).toFixed(0)} MB/s (relax_quotes, relax_column_count)`,
);

const cases: [string, string][] = [
  ['unclosed quote (the one fatal flaw)', 'user,message\nana,"hola\nluis,adiós\n'],
  ['stray quote in an unquoted field', 'user,message\nana,a 5" screen\n'],
  ['text after a closing quote', 'user,message\nana,"hola" amigo\n'],
  ['ragged rows', 'user,message\nana,hola,extra\nluis\n'],
  ['CRLF and a lone CR', 'user,message\r\nana,hola\rluis,adiós\r\n'],
  ['quoted line break and doubled quotes', 'user,message\nana,"uno\ndos ""tres"""\n'],
];
const show = (run: () => unknown) => {
  try {
    return JSON.stringify(run());
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return `throws ${code ?? ''}: ${message.split('\n')[0]}`;
  }
};
for (const [name, input] of cases) {
  console.log(`\n${name}`);
  console.log(`  ours      ${show(() => parseCsv(input, ','))}`);
  console.log(`  csv-parse ${show(() => csvParseLenient(input))}`);
}
