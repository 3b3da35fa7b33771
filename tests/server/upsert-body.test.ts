/** The upsert body parser returns what JSON.parse returns (values to the float32), and hands whatever it does not expect to the default parser. */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { BodyBuffers, parseUpsertBody, receiveBody } from '../../src/server/upsert-body.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import { at } from '../helpers/checked.js';

const parse = (text: string) => parseUpsertBody(Buffer.from(text, 'utf8'), JSON.parse);

describe('parseUpsertBody', () => {
  it.each([
    ['a plain body', '{"vectors":[{"id":"a","values":[0.5,0.25,-1,0,1e-3,2E+2,-0.0]}],"namespace":"ns"}'],
    ['whitespace everywhere', ' { "vectors" : [ { "id" : "a" , "values" : [ 1 , 2 ] } , { "values":[3,4],"id":"b" } ] } \n'],
    ['tabs and CRLF inside values', '{"vectors":[{"id":"a","values":[\t1,\r\n 2 ,\t3\n]}]}'],
    ['metadata, sparse values and fields no store knows', '{"vectors":[{"id":"a","values":[1],"metadata":{"genre":"drama","year":2001.5,"tags":["x","y"],"ok":true},"sparseValues":{"indices":[0],"values":[1]},"extra":null}],"other":[1,{"a":"]"}]}'],
    ['ids and strings with escapes and UTF-8', '{"vectors":[{"id":"caf\\u00e9 \\"q\\" ✓","values":[1],"metadata":{"s":"tab\\tnew\\nline ümlaut"}}],"namespace":"naïve"}'],
    ['values that are not all plain numbers', '{"vectors":[{"id":"a","values":[1,null,"2",[3],true]},{"id":"b","values":"none"},{"id":"c","values":{}}]}'],
    ['records that are not objects', '{"vectors":[1,"a",null,[]]}'],
    ['empty containers', '{"vectors":[{"id":"a","values":[]}],"empty":{}}'],
    ['a later duplicate key winning', '{"vectors":[{"id":"a","id":"b","values":[1],"values":[2]}],"vectors2":1}'],
    ['numbers beyond the fast path', '{"vectors":[{"id":"a","values":[1e-30,1e300,1e400,123456789012345678901234567890,0.1234567890123456789012345]}]}'],
    ['a body that is not an object', '[1,2,3]'],
  ])('%s: the same as JSON.parse', (_case, text) => {
    expect(parse(text)).toEqual(JSON.parse(text));
  });

  it('reads values to the same float32 as JSON.parse, for full-precision doubles', () => {
    const random = seededRandom(4);
    const values = Array.from({ length: 20_000 }, (_, i) => (random() - 0.5) * 10 ** ((i % 13) - 8));
    const text = JSON.stringify({ vectors: [{ id: 'a', values }] });
    const parsed = parse(text) as { vectors: { values: number[] }[] };
    const parsedValues = at(parsed.vectors, 0).values;
    const differing = values.filter((value, i) => Math.fround(at(parsedValues, i)) !== Math.fround(value));
    expect(differing).toEqual([]);
  });

  it('reads values with up to 15 significant digits exactly', () => {
    const text = '{"vectors":[{"id":"a","values":[0.1,0.2,0.30000000000000004,123456789012345,-9.87654321e-5,5e-324]}]}';
    expect(parse(text)).toEqual(JSON.parse(text));
    expect(Object.is((parse('{"vectors":[{"id":"a","values":[-0]}]}') as { vectors: { values: number[] }[] }).vectors[0]?.values[0], -0)).toBe(true);
  });

  it('hands bodies with __proto__ or constructor keys to the default parser whole', () => {
    const seen: string[] = [];
    const guarded = (text: string) => {
      seen.push(text);
      return 'guarded';
    };
    expect(parseUpsertBody(Buffer.from('{"vectors":[],"__proto__":{"x":1}}'), guarded)).toBe('guarded');
    expect(parseUpsertBody(Buffer.from('{"vectors":[{"id":"constructor","values":[1]}]}'), guarded)).toBe('guarded');
    expect(seen).toHaveLength(2);
  });

  it.each([
    ['truncated', '{"vectors":[{"id":"a","values":[1,2'],
    ['a trailing comma', '{"vectors":[{"id":"a","values":[1,2,]}]}'],
    ['a leading zero', '{"vectors":[{"id":"a","values":[01]}]}'],
    ['a bare dot', '{"vectors":[{"id":"a","values":[1.]}]}'],
    ['garbage after the body', '{"vectors":[]} x'],
    ['a control character in a string', '{"vectors":[{"id":"a\u0001","values":[1]}]}'],
    ['an unquoted key', '{vectors:[]}'],
  ])('%s: the default parser decides (and refuses it)', (_case, text) => {
    expect(() => parse(text)).toThrow(SyntaxError);
  });

  it('refuses an empty body as fastify does', () => {
    expect(() => parseUpsertBody(Buffer.alloc(0), JSON.parse)).toThrow(expect.objectContaining({ code: 'FST_ERR_CTP_EMPTY_JSON_BODY' }));
  });
});

describe('receiveBody', () => {
  const text = (body: Buffer) => body.toString('utf8');
  const stream = (...chunks: string[]) => Readable.from(chunks.map((chunk) => Buffer.from(chunk)), { objectMode: false });

  it('hands the parser exactly the bytes received, in kept buffers reused from body to body', async () => {
    const buffers = new BodyBuffers();
    const long = 'x'.repeat(100_000);
    expect(await receiveBody(stream(long.slice(0, 70_000), long.slice(70_000)), 100_000, 1e6, buffers, text)).toBe(long);
    // A shorter body next, in the same (now dirty) buffer: nothing of the first one shows.
    expect(await receiveBody(stream('{"a":', '1}'), 7, 1e6, buffers, text)).toBe('{"a":1}');
    // Without a Content-Length the buffer grows as the body arrives.
    expect(await receiveBody(stream('a'.repeat(50_000), 'b'.repeat(50_000)), Number.NaN, 1e6, buffers, (body) => body.length)).toBe(100_000);
  });

  it('refuses what fastify refuses, with its errors', async () => {
    const buffers = new BodyBuffers();
    await expect(receiveBody(stream('{}'), 20, 10, buffers, text)).rejects.toMatchObject({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    await expect(receiveBody(stream('0123456789', '0123456789'), Number.NaN, 15, buffers, text)).rejects.toMatchObject({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    await expect(receiveBody(stream('{}'), 5, 100, buffers, text)).rejects.toMatchObject({ code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' });
    await expect(receiveBody(stream('{"a":1}'), 3, 100, buffers, text)).rejects.toMatchObject({ code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' });
    const failing = new Readable({ read() { this.destroy(new Error('connection reset')); } });
    await expect(receiveBody(failing, 10, 100, buffers, text)).rejects.toMatchObject({ message: 'connection reset', statusCode: 400 });
    await expect(receiveBody(stream(''), 0, 100, buffers, (body) => parseUpsertBody(body, JSON.parse))).rejects.toMatchObject({ code: 'FST_ERR_CTP_EMPTY_JSON_BODY' });
  });
});
