/** Vector values go out as the shortest text that reads back to the stored float32, and the hand-written responses are valid JSON of the documented shapes. */
import { describe, expect, it } from 'vitest';
import { JsonBytes } from '../../src/server/float32-json.js';
import { fetchJson, queryJson } from '../../src/server/vector-responses.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import { at } from '../helpers/checked.js';

const float32Text = (value: number) => new JsonBytes(4).float32(value).toString();
const float32ArrayJson = (values: Float32Array) => new JsonBytes(4).float32Array(values).toString();

/** The definition, slowly: the fewest significant digits whose value rounds to the same float32. */
function shortestByDefinition(value: number): string {
  if (value === 0) return '0';
  for (let digits = 1; ; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return String(candidate);
  }
}

describe('float32Text', () => {
  it.each([
    [0.5, '0.5'],
    [0.4, '0.4'],
    [-0.4, '-0.4'],
    [1 / 3, '0.33333334'],
    [0.1, '0.1'],
    [2, '2'],
    [-1000, '-1000'],
    [123456.7, '123456.7'],
    [16777217, '16777216'],
    [1e-7, '1e-7'],
    [3.4e38, '3.4e+38'],
    [1.401298464324817e-45, '1e-45'],
    [0, '0'],
    [-0, '0'],
  ])('%d → %s', (value, text) => {
    expect(float32Text(Math.fround(value))).toBe(text);
  });

  it('is the shortest text that reads back to the same float32, for any float32', () => {
    const random = seededRandom(10);
    const bits = new Uint32Array(1);
    const float = new Float32Array(bits.buffer);
    const wrong: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      bits[0] = Math.floor(random() * 2 ** 32);
      const value = at(float, 0);
      if (!Number.isFinite(value)) continue;
      const text = float32Text(value);
      if (Math.fround(JSON.parse(text) as number) !== value || text !== shortestByDefinition(value)) wrong.push(`${value} → ${text}`);
    }
    expect(wrong).toEqual([]);
  });

  it('gives a double its nearest float32, in at most 9 digits', () => {
    expect(float32Text(Math.fround(0.12345678901234568))).toBe('0.12345679');
  });
});

describe('float32Array', () => {
  it('writes a JSON array, growing the buffer as it goes', () => {
    expect(float32ArrayJson(Float32Array.of(0.5, 0.4, -2))).toBe('[0.5,0.4,-2]');
    expect(float32ArrayJson(new Float32Array(0))).toBe('[]');
    const many = Float32Array.from({ length: 1000 }, (_, i) => i / 7);
    expect((JSON.parse(float32ArrayJson(many)) as number[]).map(Math.fround)).toEqual(Array.from(many));
  });

  it('writes other JSON as JSON.stringify does, in UTF-8', () => {
    expect(new JsonBytes(2).raw('{"a":').json('café ✓').raw('}').toString()).toBe('{"a":"café ✓"}');
  });
});

describe('responses carrying values', () => {
  it('fetch: records by id, with metadata when present and pagination when more follow', () => {
    const text = fetchJson({
      records: [
        { id: 'a"1', values: Float32Array.of(0.5, 0.4), metadata: { genre: 'drama', tags: ['x'] } },
        { id: 'b', values: Float32Array.of(1, 0) },
      ],
      namespace: 'ns',
      usage: { readUnits: 1 },
      next: 'tok',
    }).toString();
    expect(JSON.parse(text)).toEqual({
      vectors: { 'a"1': { id: 'a"1', values: [0.5, 0.4], metadata: { genre: 'drama', tags: ['x'] } }, b: { id: 'b', values: [1, 0] } },
      namespace: 'ns',
      usage: { readUnits: 1 },
      pagination: { next: 'tok' },
    });
    expect(fetchJson({ records: [], namespace: '__default__', usage: { readUnits: 1 } }).toString()).toBe('{"vectors":{},"namespace":"__default__","usage":{"readUnits":1}}');
  });

  it('query: matches with values only when the store gave them', () => {
    const text = queryJson({
      matches: [
        { id: 'a', score: 0.25, values: Float32Array.of(0.4) },
        { id: 'b', score: -1.5, metadata: { n: 2 } },
      ],
      namespace: '__default__',
      usage: { readUnits: 1 },
    }).toString();
    expect(JSON.parse(text)).toEqual({ matches: [{ id: 'a', score: 0.25, values: [0.4] }, { id: 'b', score: -1.5, metadata: { n: 2 } }], namespace: '__default__', usage: { readUnits: 1 } });
  });
});
