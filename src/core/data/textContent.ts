import { withoutBom } from '../files/unreadableFile';

/** Above this share of characters that are not UTF-8, a file is not text (a few bad bytes in a real text are tolerated). */
const MOST_NOT_UTF8 = 0.01;

export type TextContent = { text: string; notUtf8: number } | { problem: string };

/**
 * Bytes read as UTF-8 text, checked that they are text: NUL bytes, or more than 1% of characters
 * that do not decode, mean a binary file (`problem` says what was found). Sequences that do not
 * decode read as U+FFFD and are counted, so the caller can warn.
 */
export function textContent(bytes: Uint8Array): TextContent {
  const text = new TextDecoder('utf-8').decode(bytes);
  let nul = 0;
  for (const byte of bytes) if (byte === 0) nul++;
  let replaced = 0;
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) replaced++;
  // U+FFFD written in the file itself (EF BF BD) is text, not a failed decode.
  let literal = 0;
  for (let i = bytes.indexOf(0xef); i >= 0 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) literal++;
  const notUtf8 = replaced - literal;
  const characters = Math.max(text.length, 1);
  if (nul > 0 || notUtf8 > MOST_NOT_UTF8 * characters) {
    const found = [nul > 0 && `${nul.toLocaleString('en-US')} NUL bytes`, notUtf8 > 0 && `${notUtf8.toLocaleString('en-US')} of ${characters.toLocaleString('en-US')} characters not UTF-8`].filter(Boolean).join(' and ');
    return { problem: `not a text file (${found}); allowed: UTF-8 text` };
  }
  return { text: withoutBom(text), notUtf8 };
}

/** The warning for a text read with a few sequences that were not UTF-8. */
export const notUtf8Warning = (file: string, count: number) => `${file}: ${count.toLocaleString('en-US')} byte sequence${count === 1 ? '' : 's'} not UTF-8, read as U+FFFD`;
