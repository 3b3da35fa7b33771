import { describe, expect, it } from 'vitest';
import { FacevaultError, type ErrorCode } from '../../src/errors.js';
import {
  validateConfigureIndex,
  validateCreateIndex,
  validateId,
  validateIds,
  validateIndexName,
  validateListOptions,
  validateMetadata,
  validateNamespace,
  validateQuery,
  validateTopK,
  validateUpdate,
  validateUpsertBatch,
  validateVector,
} from '../../src/vector/validate.js';

function expectError(run: () => unknown, code: ErrorCode, message: string): FacevaultError {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(FacevaultError);
  const err = caught as FacevaultError;
  expect(err.code).toBe(code);
  expect(err.message).toContain(message);
  return err;
}

describe('validateIndexName', () => {
  it.each(['a', 'faces', 'faces-arcface-512', '0abc9', 'a'.repeat(45)])('accepts %s', (name) => {
    expect(validateIndexName(name)).toBe(name);
  });

  it.each([
    ['', 'string ""'],
    ['Faces', 'string "Faces"'],
    ['faces_512', 'string "faces_512"'],
    ['faces.v2', 'string "faces.v2"'],
    ['-faces', 'string "-faces"'],
    ['faces-', 'string "faces-"'],
    ['a'.repeat(46), 'is not a valid index name'],
    [42, 'name: 42'],
  ])('rejects %j', (name, message) => {
    expectError(() => validateIndexName(name), 'FV_ERR_INDEX_NAME', message);
    expectError(() => validateIndexName(name), 'FV_ERR_INDEX_NAME', "1-45 characters: lowercase letters a-z, digits 0-9 and '-'");
  });
});

describe('validateCreateIndex', () => {
  it('fills the defaults', () => {
    expect(validateCreateIndex({ name: 'faces', dimension: 512 })).toEqual({
      name: 'faces',
      dimension: 512,
      metric: 'cosine',
      engine: 'exact',
      deletionProtection: 'disabled',
      tags: {},
      hnsw: { m: 16, efConstruction: 128, efSearch: 64, quantization: 'f32' },
    });
  });

  it('keeps every option given and merges partial HNSW settings with the defaults', () => {
    const config = validateCreateIndex({
      name: 'faces',
      dimension: 20_000,
      metric: 'euclidean',
      engine: 'approximate',
      deletionProtection: 'enabled',
      tags: { team: 'vision', env: 'prod-eu 1' },
      hnsw: { m: 32, quantization: 'f16' },
      suppressConflicts: true,
    });
    expect(config).toMatchObject({ dimension: 20_000, metric: 'euclidean', engine: 'approximate', deletionProtection: 'enabled' });
    expect(config).not.toHaveProperty('suppressConflicts');
    expect(config.tags).toEqual({ team: 'vision', env: 'prod-eu 1' });
    expect(config.hnsw).toEqual({ m: 32, efConstruction: 128, efSearch: 64, quantization: 'f16' });
  });

  it.each([
    [{ name: 'faces', dimension: 0 }, 'FV_ERR_INDEX_CONFIG', 'dimension: expects an integer from 1 to 20000, got 0'],
    [{ name: 'faces', dimension: 20_001 }, 'FV_ERR_INDEX_CONFIG', 'got 20001'],
    [{ name: 'faces', dimension: 1.5 }, 'FV_ERR_INDEX_CONFIG', 'got 1.5'],
    [{ name: 'faces' }, 'FV_ERR_INDEX_CONFIG', 'dimension: expects an integer from 1 to 20000, got undefined'],
    [{ name: 'faces', dimension: 8, metric: 'l2' }, 'FV_ERR_INDEX_CONFIG', 'metric: got string "l2"; allowed: euclidean, cosine, dotproduct'],
    [{ name: 'faces', dimension: 8, engine: 'hnsw' }, 'FV_ERR_INDEX_CONFIG', 'engine: got string "hnsw"; allowed: exact, approximate'],
    [{ name: 'faces', dimension: 8, deletionProtection: true }, 'FV_ERR_INDEX_CONFIG', 'deletionProtection: got true; allowed: enabled, disabled'],
    [{ name: 'faces', dimension: 8, hnsw: { quantization: 'b1' } }, 'FV_ERR_INDEX_CONFIG', 'hnsw.quantization: got string "b1"; allowed: f32, f16, i8'],
    [{ name: 'faces', dimension: 8, hnsw: { m: 1 } }, 'FV_ERR_INDEX_CONFIG', 'hnsw.m: expects an integer from 2 to 128'],
    [{ name: 'faces', dimension: 8, hnsw: { efSearch: 0 } }, 'FV_ERR_INDEX_CONFIG', 'hnsw.efSearch: expects an integer from 1 to 10000'],
    [{ name: 'faces', dimension: 8, hnsw: { ef: 10 } }, 'FV_ERR_INDEX_CONFIG', 'hnsw.ef: unknown field; allowed: m, efConstruction, efSearch, quantization'],
    [{ name: 'faces', dimension: 8, tags: { 'a b': 'x' } }, 'FV_ERR_INDEX_CONFIG', 'tags["a b"]: tag keys are 1-80 characters'],
    [{ name: 'faces', dimension: 8, tags: { team: 'a/b' } }, 'FV_ERR_INDEX_CONFIG', 'tags.team: got string "a/b"; tag values'],
    [{ name: 'faces', dimension: 8, tags: { team: 7 } }, 'FV_ERR_INDEX_CONFIG', 'tags.team: got 7'],
    [{ name: 'Faces', dimension: 8 }, 'FV_ERR_INDEX_NAME', 'name: string "Faces"'],
    [{ name: 'faces', dimension: 8, suppressConflicts: 'yes' }, 'FV_ERR_INVALID_ARGUMENT', 'suppressConflicts: expects true or false, got string "yes"'],
    [{ name: 'faces', dimension: 8, spec: {} }, 'FV_ERR_INVALID_ARGUMENT', 'options.spec: unknown field'],
    [null, 'FV_ERR_INVALID_ARGUMENT', 'options: expects an object, got null'],
  ] as const)('rejects %j', (options, code, message) => {
    expectError(() => validateCreateIndex(options), code, message);
  });
});

describe('validateConfigureIndex', () => {
  it('returns only the settings given', () => {
    expect(validateConfigureIndex({ engine: 'approximate', hnsw: { efSearch: 128 } })).toEqual({ engine: 'approximate', hnsw: { efSearch: 128 } });
  });

  it('rejects an empty request and settings fixed at creation', () => {
    expectError(() => validateConfigureIndex({}), 'FV_ERR_INVALID_ARGUMENT', 'options: nothing to configure');
    expectError(() => validateConfigureIndex({ hnsw: { m: 32 } }), 'FV_ERR_INDEX_CONFIG', 'hnsw.m: unknown field; allowed: efSearch');
    expectError(() => validateConfigureIndex({ dimension: 3 }), 'FV_ERR_INVALID_ARGUMENT', 'options.dimension: unknown field');
  });
});

describe('validateVector', () => {
  it('converts number[] and any numeric typed array to a new Float32Array', () => {
    const fromArray = validateVector([3, 4], 2, 'euclidean', 'vector');
    expect(fromArray).toBeInstanceOf(Float32Array);
    expect(Array.from(fromArray)).toEqual([3, 4]);
    expect(Array.from(validateVector(new Float64Array([0.5, -2]), 2, 'cosine', 'vector'))).toEqual([0.5, -2]);
    expect(Array.from(validateVector(new Int8Array([-1, 1]), 2, 'cosine', 'vector'))).toEqual([-1, 1]);
    const input = new Float32Array([1, 2]);
    expect(validateVector(input, 2, 'cosine', 'vector')).not.toBe(input);
  });

  it('accepts an all-zero vector where distance is defined (euclidean, dotproduct)', () => {
    expect(Array.from(validateVector([0, 0], 2, 'euclidean', 'vector'))).toEqual([0, 0]);
    expect(Array.from(validateVector([0, 0], 2, 'dotproduct', 'vector'))).toEqual([0, 0]);
  });

  it('accepts the largest float32 and rounds values to float32', () => {
    expect(validateVector([3.4028234663852886e38, 0.1], 2, 'cosine', 'vector')[1]).toBe(Math.fround(0.1));
  });

  it.each([
    [[1, 2, 3], 'FV_ERR_VECTOR_DIMENSION', 'vector: has 3 values, the index dimension is 2'],
    [new Float32Array(1), 'FV_ERR_VECTOR_DIMENSION', 'vector: has 1 values, the index dimension is 2'],
    [[1, Number.NaN], 'FV_ERR_VECTOR_VALUE', 'vector[1]: expects a finite number, got NaN'],
    [[Number.NEGATIVE_INFINITY, 1], 'FV_ERR_VECTOR_VALUE', 'vector[0]: expects a finite number, got -Infinity'],
    [[1, 1e39], 'FV_ERR_VECTOR_VALUE', 'vector[1]: 1e+39 overflows a 32-bit float'],
    [new Float64Array([-1e39, 1]), 'FV_ERR_VECTOR_VALUE', 'vector[0]: -1e+39 overflows a 32-bit float'],
    [new Float32Array([1, Number.NaN]), 'FV_ERR_VECTOR_VALUE', 'vector[1]: expects a finite number, got NaN'],
    [[1, '2'], 'FV_ERR_VECTOR_VALUE', 'vector[1]: expects a finite number, got string "2"'],
    [[null, 2], 'FV_ERR_VECTOR_VALUE', 'vector[0]: expects a finite number, got null'],
    [[0, 0], 'FV_ERR_VECTOR_VALUE', 'vector: an all-zero vector has no direction'],
    ['1,2', 'FV_ERR_VECTOR_VALUE', 'vector: expects an array of numbers or a Float32Array, got string'],
    [undefined, 'FV_ERR_VECTOR_VALUE', 'got undefined'],
  ] as const)('rejects %j under cosine', (values, code, message) => {
    expectError(() => validateVector(values, 2, 'cosine', 'vector'), code, message);
  });

  it('rejects a BigInt64Array, whose elements are not numbers', () => {
    expectError(() => validateVector(new BigInt64Array(2), 2, 'cosine', 'vector'), 'FV_ERR_VECTOR_VALUE', 'got BigInt64Array');
  });

  it('names the first bad element and carries its index', () => {
    const err = expectError(() => validateVector([1, 2, Number.NaN, Number.NaN], 4, 'euclidean', 'q'), 'FV_ERR_VECTOR_VALUE', 'q[2]');
    expect(err.details).toMatchObject({ index: 2 });
  });
});

describe('validateId', () => {
  it('accepts ids up to 512 UTF-8 bytes, multi-byte characters included', () => {
    expect(validateId('face-1', 'id')).toBe('face-1');
    expect(validateId('a'.repeat(512), 'id')).toHaveLength(512);
    expect(validateId('€'.repeat(170) + 'ab', 'id')).toHaveLength(172); // 512 bytes
    expect(validateId('😀', 'id')).toBe('😀');
  });

  it.each([
    ['', 'expects a non-empty string, got string ""'],
    [7, 'expects a non-empty string, got 7'],
    [undefined, 'expects a non-empty string, got undefined'],
    ['a'.repeat(513), 'is 513 UTF-8 bytes, over the 512-byte limit'],
    ['€'.repeat(171), 'is 513 UTF-8 bytes'],
    ['a\uD800', '"a\\ud800" holds an unpaired UTF-16 surrogate'],
    ['\uDC00b', '"\\udc00b" holds an unpaired UTF-16 surrogate'],
  ])('rejects %j', (id, message) => {
    expectError(() => validateId(id, 'records[2].id'), 'FV_ERR_RECORD_ID', `records[2].id: ${message}`);
  });
});

describe('validateMetadata', () => {
  it('returns the metadata with its JSON, and undefined for undefined', () => {
    const metadata = { subject: 'ada', year: 1843, verified: true, tags: ['math', 'poetry'], empty: [] };
    expect(validateMetadata(metadata, 'metadata')).toEqual({ metadata, json: JSON.stringify(metadata) });
    expect(validateMetadata(undefined, 'metadata')).toBeUndefined();
    expect(validateMetadata({}, 'metadata')).toEqual({ metadata: {}, json: '{}' });
  });

  it('measures the 40 KB limit in UTF-8 bytes of the JSON', () => {
    const fits = { text: 'a'.repeat(40 * 1024 - 11) }; // {"text":"…"} adds 11 bytes
    expect(validateMetadata(fits, 'metadata')?.json).toHaveLength(40 * 1024);
    expectError(() => validateMetadata({ text: 'a'.repeat(40 * 1024 - 10) }, 'metadata'), 'FV_ERR_METADATA', 'metadata: is 40961 bytes as JSON, over the 40960-byte limit');
    expectError(() => validateMetadata({ text: 'é'.repeat(20_475) }, 'metadata'), 'FV_ERR_METADATA', 'is 40961 bytes');
  });

  it.each([
    [null, 'metadata: expects an object of strings, numbers, booleans or lists of strings, got null'],
    [['a'], 'metadata: expects an object', ],
    [new Map([['a', 'b']]), 'got Map'],
    [{ subject: null }, 'metadata.subject: expects a string, finite number, boolean or list of strings, got null; remove the key instead'],
    [{ box: { x: 1 } }, 'metadata.box: expects a string, finite number, boolean or list of strings, got object'],
    [{ scores: [0.9, 0.8] }, 'metadata.scores[0]: lists may hold only strings, got 0.9'],
    [{ tags: ['a', null] }, 'metadata.tags[1]: lists may hold only strings, got null'],
    [{ quality: Number.NaN }, 'metadata.quality: expects a string, finite number, boolean or list of strings, got NaN'],
    [{ 'taken at': new Date(0) }, 'metadata["taken at"]: expects a string, finite number, boolean or list of strings, got Date'],
  ])('rejects %j', (metadata, message) => {
    expectError(() => validateMetadata(metadata, 'metadata'), 'FV_ERR_METADATA', message);
  });
});

describe('validateUpsertBatch', () => {
  it('lays every vector out row-major in one Float32Array and keeps ids and metadata in order', () => {
    const batch = validateUpsertBatch(
      [
        { id: 'a', values: [1, 2], metadata: { subject: 'ada' } },
        { id: 'b', values: new Float32Array([3, 4]) },
        { id: 'c', values: [5, 6], sparseValues: undefined },
      ],
      2,
      'cosine',
    );
    expect(batch.ids).toEqual(['a', 'b', 'c']);
    expect(Array.from(batch.vectors)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batch.metadata).toEqual([{ subject: 'ada' }, undefined, undefined]);
    expect(batch.metadataJson).toEqual(['{"subject":"ada"}', undefined, undefined]);
  });

  it('accepts 1,000 records', () => {
    const records = Array.from({ length: 1000 }, (_, i) => ({ id: `r${i}`, values: [i + 1] }));
    expect(validateUpsertBatch(records, 1, 'cosine').vectors).toHaveLength(1000);
  });

  const ok = (id: string) => ({ id, values: [1, 0] });
  it.each([
    ['a non-array', { id: 'a', values: [1, 0] }, 'FV_ERR_INVALID_ARGUMENT', 'records: expects an array of records, got object'],
    ['an empty batch', [], 'FV_ERR_INVALID_ARGUMENT', 'records: expects at least one of records'],
    ['1,001 records', Array.from({ length: 1001 }, (_, i) => ok(`r${i}`)), 'FV_ERR_BATCH_TOO_LARGE', 'records: has 1001 records, the limit is 1000'],
    ['a non-object record', [ok('a'), 'b'], 'FV_ERR_INVALID_ARGUMENT', 'records[1]: expects an object {id, values, metadata?}, got string "b"'],
    ['a misspelt field', [{ id: 'a', values: [1, 0], metdata: {} }], 'FV_ERR_INVALID_ARGUMENT', 'records[0].metdata: unknown field'],
    ['sparse values', [{ ...ok('a'), sparseValues: { indices: [0], values: [1] } }], 'FV_ERR_INVALID_ARGUMENT', 'records[0].sparseValues: sparse vectors are not supported'],
    ['a missing id', [{ values: [1, 0] }], 'FV_ERR_RECORD_ID', 'records[0].id: expects a non-empty string, got undefined'],
    ['a duplicate id', [ok('a'), ok('b'), ok('a')], 'FV_ERR_DUPLICATE_ID', 'records[2].id: "a" repeats records[0].id'],
    ['a short vector', [ok('a'), { id: 'b', values: [1] }], 'FV_ERR_VECTOR_DIMENSION', 'records[1].values: has 1 values, the index dimension is 2 (record "b")'],
    ['a bad element', [ok('a'), ok('b'), { id: 'c', values: [1, Number.POSITIVE_INFINITY] }], 'FV_ERR_VECTOR_VALUE', 'records[2].values[1]: expects a finite number, got Infinity (record "c")'],
    ['a zero vector', [{ id: 'z', values: [0, 0] }], 'FV_ERR_VECTOR_VALUE', 'records[0].values: an all-zero vector has no direction'],
    ['bad metadata', [{ ...ok('a'), metadata: { n: [1] } }], 'FV_ERR_METADATA', 'records[0].metadata.n[0]: lists may hold only strings, got 1 (record "a")'],
  ] as const)('rejects %s', (_label, records, code, message) => {
    expectError(() => validateUpsertBatch(records, 2, 'cosine'), code, message);
  });

  it('validates into a buffer the caller reuses: a view of it, nothing of the previous batch left in the result', () => {
    const into = new Float32Array(8).fill(9);
    const first = validateUpsertBatch([{ id: 'a', values: [1, 2] }, { id: 'b', values: new Float32Array([3, 4]) }, { id: 'c', values: [5, 6] }], 2, 'cosine', into);
    expect(first.vectors.buffer).toBe(into.buffer);
    expect(Array.from(first.vectors)).toEqual([1, 2, 3, 4, 5, 6]);
    const second = validateUpsertBatch([{ id: 'd', values: [7, 8] }], 2, 'cosine', into);
    expect(Array.from(second.vectors)).toEqual([7, 8]);
    // Too short for the batch: a new array, the buffer untouched.
    const third = validateUpsertBatch([ok('e'), ok('f'), ok('g'), ok('h'), ok('i')], 2, 'cosine', into);
    expect(third.vectors.buffer).not.toBe(into.buffer);
    expect(third.vectors).toHaveLength(10);
    expectError(() => validateUpsertBatch([ok('a'), { id: 'b', values: [1, Number.NaN] }], 2, 'cosine', into), 'FV_ERR_VECTOR_VALUE', 'records[1].values[1]: expects a finite number, got NaN (record "b")');
    expectError(() => validateUpsertBatch([ok('a'), ok('a')], 2, 'cosine', into), 'FV_ERR_DUPLICATE_ID', 'records[1].id: "a" repeats records[0].id');
  });

  it('carries the record id and the lengths in the dimension error details', () => {
    const err = expectError(() => validateUpsertBatch([{ id: 'b', values: [1, 2, 3] }], 2, 'euclidean'), 'FV_ERR_VECTOR_DIMENSION', 'has 3 values');
    expect(err.details).toMatchObject({ id: 'b', got: 3, expected: 2, path: 'records[0].values' });
  });
});

describe('validateIds', () => {
  it('accepts 1 to 1,000 valid ids, keeping duplicates', () => {
    expect(validateIds(['a', 'b', 'a'], 'ids')).toEqual(['a', 'b', 'a']);
    expect(validateIds(Array.from({ length: 1000 }, (_, i) => `${i}`), 'ids')).toHaveLength(1000);
  });

  it('rejects a non-array, an empty list, more than 1,000 ids and a bad id', () => {
    expectError(() => validateIds('a', 'ids'), 'FV_ERR_INVALID_ARGUMENT', 'ids: expects an array of ids, got string "a"');
    expectError(() => validateIds([], 'ids'), 'FV_ERR_INVALID_ARGUMENT', 'ids: expects at least one of ids');
    expectError(() => validateIds(Array.from({ length: 1001 }, (_, i) => `${i}`), 'ids'), 'FV_ERR_BATCH_TOO_LARGE', 'ids: has 1001 ids, the limit is 1000');
    expectError(() => validateIds(['a', ''], 'ids'), 'FV_ERR_RECORD_ID', 'ids[1]: expects a non-empty string');
  });
});

describe('validateTopK', () => {
  it.each([1, 10, 10_000])('accepts %d', (topK) => expect(validateTopK(topK)).toBe(topK));
  it.each([
    [0, 'got 0'],
    [10_001, 'got 10001'],
    [2.5, 'got 2.5'],
    ['10', 'got string "10"'],
    [undefined, 'got undefined'],
  ])('rejects %j', (topK, message) => {
    expectError(() => validateTopK(topK), 'FV_ERR_TOP_K', `topK: expects an integer from 1 to 10000, ${message}`);
  });
});

describe('validateNamespace', () => {
  it('defaults to the empty namespace and accepts strings up to 512 bytes', () => {
    expect(validateNamespace(undefined)).toBe('');
    expect(validateNamespace('')).toBe('');
    expect(validateNamespace('gallery-2024')).toBe('gallery-2024');
    expect(validateNamespace('n'.repeat(512))).toHaveLength(512);
  });

  it('rejects non-strings, more than 512 bytes and unpaired surrogates', () => {
    expectError(() => validateNamespace(null), 'FV_ERR_INVALID_ARGUMENT', 'namespace: expects a string, got null');
    expectError(() => validateNamespace('ü'.repeat(257)), 'FV_ERR_INVALID_ARGUMENT', 'namespace: is 514 UTF-8 bytes, over the 512-byte limit');
    expectError(() => validateNamespace('\uD83D'), 'FV_ERR_INVALID_ARGUMENT', 'namespace: "\\ud83d" holds an unpaired UTF-16 surrogate');
  });
});

describe('validateListOptions', () => {
  it('fills the defaults', () => {
    expect(validateListOptions(undefined)).toEqual({ prefix: '', limit: 100, namespace: '' });
    expect(validateListOptions({ prefix: 'doc1#', limit: 1, paginationToken: 'abc', namespace: 'n' })).toEqual({
      prefix: 'doc1#',
      limit: 1,
      paginationToken: 'abc',
      namespace: 'n',
    });
  });

  it.each([
    [{ limit: 0 }, 'FV_ERR_INVALID_ARGUMENT', 'limit: expects an integer from 1 to 100, got 0'],
    [{ limit: 101 }, 'FV_ERR_INVALID_ARGUMENT', 'got 101'],
    [{ prefix: 5 }, 'FV_ERR_INVALID_ARGUMENT', 'prefix: expects a string, got 5'],
    [{ prefix: 'p'.repeat(513) }, 'FV_ERR_INVALID_ARGUMENT', 'prefix: is 513 UTF-8 bytes'],
    [{ paginationToken: '' }, 'FV_ERR_PAGINATION_TOKEN', 'paginationToken: expects the non-empty string a previous page returned, got string ""'],
    [{ paginationToken: 3 }, 'FV_ERR_PAGINATION_TOKEN', 'got 3'],
    [{ cursor: 'x' }, 'FV_ERR_INVALID_ARGUMENT', 'options.cursor: unknown field'],
    ['x', 'FV_ERR_INVALID_ARGUMENT', 'options: expects an object'],
  ] as const)('rejects %j', (options, code, message) => {
    expectError(() => validateListOptions(options), code, message);
  });
});

describe('validateQuery', () => {
  it('normalises a query by vector with the defaults', () => {
    const query = validateQuery({ vector: [3, 4], topK: 5 }, 2, 'euclidean');
    expect(query).toEqual({ vector: new Float32Array([3, 4]), topK: 5, includeValues: false, includeMetadata: false, namespace: '' });
  });

  it('normalises a query by id with every option', () => {
    const query = validateQuery(
      { id: 'a', topK: 3, filter: { subject: 'ada' }, includeValues: true, includeMetadata: true, namespace: 'n', exact: false, ef: 128 },
      2,
      'cosine',
    );
    expect(query).toMatchObject({ id: 'a', topK: 3, includeValues: true, includeMetadata: true, namespace: 'n', exact: false, ef: 128 });
    expect(query.vector).toBeUndefined();
    expect(query.filter?.({ subject: 'ada' })).toBe(true);
    expect(query.filter?.({ subject: 'bob' })).toBe(false);
  });

  it('drops an empty filter so the engine can skip filtering', () => {
    expect(validateQuery({ id: 'a', topK: 1, filter: {} }, 2, 'cosine').filter).toBeUndefined();
  });

  it.each([
    [{ topK: 1 }, 'FV_ERR_INVALID_ARGUMENT', 'options: give exactly one of vector and id, got neither'],
    [{ vector: [1, 0], id: 'a', topK: 1 }, 'FV_ERR_INVALID_ARGUMENT', 'got both'],
    [{ vector: [1, 0] }, 'FV_ERR_TOP_K', 'topK: expects an integer from 1 to 10000, got undefined'],
    [{ vector: [1], topK: 1 }, 'FV_ERR_VECTOR_DIMENSION', 'vector: has 1 values, the index dimension is 2'],
    [{ vector: [0, 0], topK: 1 }, 'FV_ERR_VECTOR_VALUE', 'vector: an all-zero vector has no direction'],
    [{ id: '', topK: 1 }, 'FV_ERR_RECORD_ID', 'id: expects a non-empty string'],
    [{ id: 'a', topK: 1, filter: { a: { $regex: 'x' } } }, 'FV_ERR_FILTER', 'filter.a: unknown operator "$regex"'],
    [{ id: 'a', topK: 1, filter: [] }, 'FV_ERR_FILTER', 'filter: expects an object, got empty array'],
    [{ id: 'a', topK: 1, includeValues: 'yes' }, 'FV_ERR_INVALID_ARGUMENT', 'includeValues: expects true or false, got string "yes"'],
    [{ id: 'a', topK: 1, exact: 1 }, 'FV_ERR_INVALID_ARGUMENT', 'exact: expects true or false, got 1'],
    [{ id: 'a', topK: 1, ef: 0 }, 'FV_ERR_INVALID_ARGUMENT', 'ef: expects an integer from 1 to 10000, got 0'],
    [{ id: 'a', topK: 1, namespace: 3 }, 'FV_ERR_INVALID_ARGUMENT', 'namespace: expects a string, got 3'],
    [{ id: 'a', topK: 1, sparseVector: { indices: [1], values: [1] } }, 'FV_ERR_INVALID_ARGUMENT', 'sparseVector: sparse vectors are not supported'],
    [{ id: 'a', topK: 1, top_k: 1 }, 'FV_ERR_INVALID_ARGUMENT', 'options.top_k: unknown field'],
    [{ id: 'a', topK: 1001, includeMetadata: true }, 'FV_ERR_TOP_K', 'topK: is 1001; with includeMetadata it may be at most 1000 (without them, 10000)'],
    [{ id: 'a', topK: 10000, includeValues: true, includeMetadata: true }, 'FV_ERR_TOP_K', 'with includeValues and includeMetadata it may be at most 1000'],
  ] as const)('rejects %j', (options, code, message) => {
    expectError(() => validateQuery(options, 2, 'cosine'), code, message);
  });

  it('allows 10,000 matches of id and score, and 1,000 that carry values or metadata, as Pinecone', () => {
    expect(validateQuery({ id: 'a', topK: 10_000 }, 2, 'cosine').topK).toBe(10_000);
    expect(validateQuery({ id: 'a', topK: 1000, includeValues: true, includeMetadata: true }, 2, 'cosine').topK).toBe(1000);
  });
});

describe('validateUpdate', () => {
  it('accepts values, metadata or both by id', () => {
    expect(validateUpdate({ id: 'a', values: [1, 2] }, 2, 'cosine')).toEqual({ id: 'a', values: new Float32Array([1, 2]), namespace: '' });
    expect(validateUpdate({ id: 'a', metadata: { subject: 'ada' }, namespace: 'n' }, 2, 'cosine')).toEqual({
      id: 'a',
      metadata: { metadata: { subject: 'ada' }, json: '{"subject":"ada"}' },
      namespace: 'n',
    });
  });

  it('accepts metadata by filter, compiled to a predicate', () => {
    const update = validateUpdate({ filter: { subject: 'ada' }, metadata: { verified: true } }, 2, 'cosine');
    expect(update.id).toBeUndefined();
    expect(update.metadata?.json).toBe('{"verified":true}');
    expect(update.filter?.({ subject: 'ada' })).toBe(true);
    expect(update.filter?.({ subject: 'bob' })).toBe(false);
  });

  it.each([
    [{ values: [1, 2] }, 'FV_ERR_INVALID_ARGUMENT', 'options: give exactly one of id and filter, got neither'],
    [{ id: 'a', filter: { a: 1 }, metadata: { b: 1 } }, 'FV_ERR_INVALID_ARGUMENT', 'got both'],
    [{ id: 'a' }, 'FV_ERR_INVALID_ARGUMENT', 'options: nothing to update; give values, metadata or both'],
    [{ filter: { a: 1 }, values: [1, 2] }, 'FV_ERR_INVALID_ARGUMENT', 'values: can be set by id only'],
    [{ filter: { a: { $gt: 'x' } }, metadata: { b: 1 } }, 'FV_ERR_FILTER', 'filter.a.$gt: expects a number'],
    [{ id: 7, values: [1, 2] }, 'FV_ERR_RECORD_ID', 'id: expects a non-empty string, got 7'],
    [{ id: 'a', values: [1, 2, 3] }, 'FV_ERR_VECTOR_DIMENSION', 'values: has 3 values, the index dimension is 2'],
    [{ id: 'a', values: [1, Number.NaN] }, 'FV_ERR_VECTOR_VALUE', 'values[1]: expects a finite number, got NaN'],
    [{ id: 'a', metadata: { a: null } }, 'FV_ERR_METADATA', 'metadata.a: expects a string'],
    [{ id: 'a', values: [1, 2], sparseValues: { indices: [], values: [] } }, 'FV_ERR_INVALID_ARGUMENT', 'sparseValues: sparse vectors are not supported'],
    [{ id: 'a', setMetadata: { a: 1 } }, 'FV_ERR_INVALID_ARGUMENT', 'options.setMetadata: unknown field'],
  ] as const)('rejects %j', (options, code, message) => {
    expectError(() => validateUpdate(options, 2, 'cosine'), code, message);
  });
});
