/**
 * From the bytes of a spec file to its text (docs/language.md, "Lexical syntax"):
 *
 *   - a spec is UTF-8; a UTF-8 byte order mark at the start is dropped;
 *   - a file that is mostly not text (NUL bytes, control bytes, invalid UTF-8: more than three
 *     bytes in ten of its first 8 KiB) is one error, `file:1:1: not a text file (binary content)`;
 *   - otherwise each invalid UTF-8 sequence and each NUL byte is an error at its place (a
 *     U+FFFD silently standing for it would hide it inside a string or a comment).
 */
import type { Diagnostic } from '../run/result.js';

/** The text of a file, or the diagnostics saying why it is not spec text. */
export interface DecodedSource {
  /** The text (invalid sequences as U+FFFD, for showing the lines of the errors). */
  readonly text: string;
  readonly diagnostics: Diagnostic[];
}

const SAMPLE = 8192;
/** Diagnostics about the encoding stop after this many (a screenful is printed anyway). */
const MAX_ENCODING_ERRORS = 100;

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Decodes a spec file's bytes. Never throws. */
export function decodeSource(bytes: Uint8Array, file: string): DecodedSource {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  if (looksBinary(body)) {
    return {
      text: '',
      diagnostics: [{ file, line: 1, col: 1, length: 1, message: 'not a text file (binary content)', whole: true }],
    };
  }
  if (!body.includes(0)) {
    try {
      return { text: fatal.decode(body), diagnostics: [] };
    } catch {
      // Invalid UTF-8: located below.
    }
  }
  return decodeLocated(body, file);
}

/** Drops a leading U+FEFF (a BOM that reached us as text, as from vite). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** More than three bytes in ten of the first 8 KiB are NUL, control bytes or not UTF-8. */
function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, SAMPLE);
  if (n === 0) return false;
  let odd = 0;
  for (let i = 0; i < n;) {
    const b = bytes[i]!;
    if (b < 0x80) {
      // Tab, LF, VT, FF, CR are text; other controls are not.
      if (b < 0x20 && (b < 0x09 || b > 0x0d)) odd++;
      i++;
      continue;
    }
    const len = validSequence(bytes, i);
    if (len === 0) { odd++; i++; } else i += len;
  }
  return odd * 10 > n * 3;
}

/**
 * The length of the valid UTF-8 sequence starting at bytes[i] (a lead byte ≥ 0x80), or 0.
 * Overlong forms, surrogates and code points above U+10FFFF are invalid (RFC 3629).
 */
function validSequence(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  let need: number, lo = 0x80, hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) need = 1;
  else if (b >= 0xe0 && b <= 0xef) { need = 2; if (b === 0xe0) lo = 0xa0; if (b === 0xed) hi = 0x9f; }
  else if (b >= 0xf0 && b <= 0xf4) { need = 3; if (b === 0xf0) lo = 0x90; if (b === 0xf4) hi = 0x8f; }
  else return 0;
  for (let k = 1; k <= need; k++) {
    const c = bytes[i + k];
    if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return 0;
  }
  return need + 1;
}

/** The text with U+FFFD for each bad sequence, and an error at each (and at each NUL). */
function decodeLocated(bytes: Uint8Array, file: string): DecodedSource {
  const diagnostics: Diagnostic[] = [];
  let text = '';
  let line = 1;
  let lineStart = 0;
  let run = 0;
  let lastBad = -2;
  const flush = (end: number): void => {
    if (end > run) text += lenient.decode(bytes.subarray(run, end));
  };
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    if (b === 0x0a) {
      flush(i + 1);
      run = i + 1;
      line++;
      lineStart = text.length;
      i++;
      continue;
    }
    if (b !== 0 && (b < 0x80 || validSequence(bytes, i) > 0)) {
      i += b < 0x80 ? 1 : validSequence(bytes, i);
      continue;
    }
    flush(i);
    const last = diagnostics[diagnostics.length - 1];
    if (b !== 0 && i === lastBad + 1 && last !== undefined && last.line === line) {
      // A run of bad bytes is one error, its caret under all of them.
      diagnostics[diagnostics.length - 1] = { ...last, length: last.length + 1 };
    } else if (diagnostics.length < MAX_ENCODING_ERRORS) {
      const hex = b.toString(16).padStart(2, '0');
      diagnostics.push({
        file, line, col: text.length - lineStart + 1, length: 1,
        message: b === 0 ? 'a NUL byte: a spec is text' : `invalid UTF-8 (byte 0x${hex}): a spec is UTF-8 text`,
      });
    }
    if (b !== 0) lastBad = i;
    text += b === 0 ? '\0' : '\ufffd';
    i++;
    run = i;
  }
  flush(bytes.length);
  return { text, diagnostics };
}
