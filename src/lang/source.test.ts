import { describe, expect, it } from 'vitest';
import { decodeSource, stripBom } from './source.js';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const where = (r: ReturnType<typeof decodeSource>) => r.diagnostics.map((d) => `${d.line}:${d.col}+${d.length} ${d.message}`);

describe('decodeSource', () => {
  it('decodes UTF-8 text as it is, non-ASCII included', () => {
    const r = decodeSource(bytes('spec "café → ok"\n'), 'a.mms');
    expect(r).toEqual({ text: 'spec "café → ok"\n', diagnostics: [] });
  });

  it('drops a UTF-8 byte order mark at the start', () => {
    expect(decodeSource(bytes([0xef, 0xbb, 0xbf], 'spec "t"\n'), 'a.mms')).toEqual({ text: 'spec "t"\n', diagnostics: [] });
    expect(stripBom('\ufeffspec')).toBe('spec');
  });

  it('a binary file is one error at 1:1 about the whole file', () => {
    const junk = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
    const r = decodeSource(junk, 'b.mms');
    expect(where(r)).toEqual(['1:1+1 not a text file (binary content)']);
    expect(r.diagnostics[0]!.whole).toBe(true);
    expect(where(decodeSource(bytes([0, 0, 0, 1, 2, 3, 0x7f, 0, 0]), 'b.mms'))).toEqual(['1:1+1 not a text file (binary content)']);
  });

  it('invalid UTF-8 in a text file is an error at its line and column, a run of bad bytes one error', () => {
    const r = decodeSource(bytes('spec "t"\nvm1: write heap[0] "', [0xff], '"\n# é ', [0xc3, 0x28], '\n', [0xed, 0xa0, 0x80], '\n'), 'c.mms');
    expect(where(r)).toEqual([
      '2:21+1 invalid UTF-8 (byte 0xff): a spec is UTF-8 text',
      '3:5+1 invalid UTF-8 (byte 0xc3): a spec is UTF-8 text',
      '4:1+3 invalid UTF-8 (byte 0xed): a spec is UTF-8 text',
    ]);
    expect(r.text.split('\n')[1]).toBe('vm1: write heap[0] "\ufffd"');
  });

  it('a stray NUL byte in a text file is an error at its place', () => {
    expect(where(decodeSource(bytes('spec "t"\nprocess vm1\nprocess', [0], ' vm2\n'), 'd.mms'))).toEqual(['3:8+1 a NUL byte: a spec is text']);
  });

  it('an empty file is text', () => {
    expect(decodeSource(new Uint8Array(0), 'e.mms')).toEqual({ text: '', diagnostics: [] });
  });
});
