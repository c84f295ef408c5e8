// Which extraction a file gets, decided from its name and the content type the uploader
// claimed. Only a cheap first filter: the bytes are checked again when decoded (binary, encoding).
import type { TextFormat } from './types.js';

const FORMAT_BY_EXTENSION: Record<string, TextFormat> = {
  txt: 'txt',
  text: 'txt',
  md: 'md',
  markdown: 'md',
  mdown: 'md',
  mkd: 'md',
  csv: 'csv',
  tsv: 'csv',
  json: 'json',
  log: 'log',
};

const FORMAT_BY_CONTENT_TYPE: Record<string, TextFormat> = {
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/x-markdown': 'md',
  'text/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'application/csv': 'csv',
  'application/json': 'json',
  'text/json': 'json',
  'text/x-log': 'log',
};

// Extensions that are never text, whatever content type a client claims for them: refusing
// them early saves a download the binary check would reject anyway.
const BINARY_EXTENSIONS = new Set(
  (
    'exe dll so dylib bin com msi apk dmg iso img class jar wasm o a lib ' +
    'png jpg jpeg gif webp bmp ico tif tiff heic avif svgz psd ' +
    'mp3 mp4 m4a wav ogg oga opus flac aac webm mkv mov avi wmv ' +
    'pdf doc docx xls xlsx ppt pptx odt ods odp rtf epub ' +
    'zip gz tgz bz2 xz zst 7z rar tar lz4 ' +
    'sqlite db ulm ttf otf woff woff2 pyc'
  ).split(' '),
);

/** The lower-cased extension of the last path segment, without the dot; '' when there is none. */
function fileExtension(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  // A leading dot (".bashrc") names a file, it is not an extension.
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

function bareContentType(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function detectFormat(name: string, contentType?: string | null): TextFormat | null {
  const extension = fileExtension(name);
  const type = bareContentType(contentType);
  const known = FORMAT_BY_EXTENSION[extension];
  if (known) return known;
  if (BINARY_EXTENSIONS.has(extension)) return null;
  const claimed = FORMAT_BY_CONTENT_TYPE[type] ?? (type.startsWith('text/') ? 'txt' : undefined);
  if (claimed) return claimed;
  // No extension and no useful content type: a plain text file (a chat log, a README) until its
  // bytes say otherwise. An unknown extension with a non-text type is refused.
  if (extension === '' && (type === '' || type === 'application/octet-stream')) return 'txt';
  return null;
}

/** What to name in UNSUPPORTED_FILE_TYPE {name, type}: the extension, else the content type. */
export function describeFileType(name: string, contentType?: string | null): string {
  const extension = fileExtension(name);
  if (extension) return `.${extension}`;
  return bareContentType(contentType) || 'unknown';
}
