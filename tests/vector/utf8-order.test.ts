import { describe, expect, it } from 'vitest';
import { compareUtf8, sortUtf8 } from '../../src/vector/utf8-order.js';

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('UTF-8 byte order', () => {
  it('agrees with comparing the UTF-8 bytes, where UTF-16 order does not', () => {
    const ids = ['～', '😀', 'a', 'B', 'é', 'a0', '\uE000', '\uFFFF', '𝄞', 'z😀', 'z～', ''];
    const expected = [...ids].sort(byBytes);
    expect([...ids].sort(compareUtf8)).toEqual(expected);
    expect(sortUtf8([...ids])).toEqual(expected);
    expect([...ids].sort()).not.toEqual(expected);
    for (const a of ids) for (const b of ids) expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(byBytes(a, b)));
  });

  it('keeps the engine sort where no id holds a character from U+D800 up', () => {
    expect(sortUtf8(['b', 'a10', 'a9', 'A'])).toEqual(['A', 'a10', 'a9', 'b']);
  });
});
