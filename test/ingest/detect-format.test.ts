import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/ingest/index.js';

describe('detectFormat', () => {
  it.each([
    ['chat.txt', 'txt'],
    ['NOTES.TXT', 'txt'],
    ['readme.md', 'md'],
    ['guide.markdown', 'md'],
    ['export.csv', 'csv'],
    ['export.tsv', 'csv'],
    ['messages.json', 'json'],
    ['server.log', 'log'],
  ] as const)('reads %s as %s from its extension', (name, format) => {
    expect(detectFormat(name)).toBe(format);
  });

  it('trusts the extension over a claimed content type', () => {
    expect(detectFormat('chat.txt', 'application/octet-stream')).toBe('txt');
    expect(detectFormat('data.json', 'text/plain; charset=utf-8')).toBe('json');
  });

  it('treats a file without an extension as text unless its content type says otherwise', () => {
    expect(detectFormat('mensajes')).toBe('txt');
    expect(detectFormat('mensajes', null)).toBe('txt');
    expect(detectFormat('mensajes', 'application/octet-stream')).toBe('txt');
    expect(detectFormat('mensajes', 'application/json')).toBe('json');
    expect(detectFormat('mensajes', 'text/markdown; charset=utf-8')).toBe('md');
    expect(detectFormat('.bashrc')).toBe('txt');
    expect(detectFormat('mensajes', 'image/png')).toBeNull();
  });

  it('looks only at the last path segment of a hostile name', () => {
    expect(detectFormat('../../etc/passwd')).toBe('txt');
    expect(detectFormat('dir.d\\evil')).toBe('txt');
  });

  it.each(['setup.exe', 'photo.png', 'paper.pdf', 'archive.tar.gz', 'model.ulm'])('refuses %s', (name) => {
    expect(detectFormat(name)).toBeNull();
    // A client that claims text for a binary extension is not believed.
    expect(detectFormat(name, 'text/plain')).toBeNull();
  });

  it('accepts an unknown extension only when the content type is text', () => {
    expect(detectFormat('chat.2024', 'text/plain')).toBe('txt');
    expect(detectFormat('chat.2024', 'application/x-whatever')).toBeNull();
    expect(detectFormat('chat.2024')).toBeNull();
  });
});
