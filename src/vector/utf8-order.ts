/**
 * Ids are listed in the order of their UTF-8 bytes, as PostgreSQL's "C" collation and Pinecone
 * list them, so that a store's pages and tokens mean the same on every store. JavaScript's own
 * string order compares UTF-16 code units, which differs from it in one place: a character
 * above U+FFFF (a surrogate pair, 0xD800-0xDFFF) sorts before U+E000-U+FFFF in UTF-16 but
 * after them in UTF-8.
 */

/** Code units from U+D800 up, mapped so that surrogates sort after U+E000-U+FFFF. */
function utf8Rank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/**
 * Compares as the UTF-8 encodings would compare, byte by byte.
 * @example ['～', '😀'].sort(compareUtf8) // → ['～', '😀'] (UTF-16 order puts 😀 first)
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    return x >= 0xd800 && y >= 0xd800 ? utf8Rank(x) - utf8Rank(y) : x - y;
  }
  return a.length - b.length;
}

const BEYOND_ORDER_AGREEMENT = /[\uD800-\uFFFF]/;

/** Sorts in place in UTF-8 byte order; the engine's own (faster) sort where no id holds a character from U+D800 up. */
export function sortUtf8(strings: string[]): string[] {
  return strings.some((s) => BEYOND_ORDER_AGREEMENT.test(s)) ? strings.sort(compareUtf8) : strings.sort();
}
