import { describe, expect, it } from 'vitest';
import { defaultHnsw, deservesGraph, GRAPH_MIN_RECORDS } from '../../../src/vector/ann/graph-policy.js';
import { validateCreateIndex } from '../../../src/vector/validate.js';
import { useTempDatabase } from '../../helpers/temp-database.js';

describe('defaultHnsw', () => {
  it('gives cosine the setting of the 1M sweep and the face-embedding check, and keeps f32 where i8 would reorder vectors', () => {
    expect(defaultHnsw('cosine')).toEqual({ m: 24, efConstruction: 128, efSearch: 44, quantization: 'i8' });
    expect(defaultHnsw('euclidean')).toEqual({ m: 16, efConstruction: 128, efSearch: 64, quantization: 'f32' });
    expect(defaultHnsw('dotproduct')).toEqual({ m: 16, efConstruction: 128, efSearch: 64, quantization: 'f32' });
  });

  it('hands out copies', () => {
    const first = defaultHnsw('cosine');
    first.m = 2;
    expect(defaultHnsw('cosine').m).toBe(24);
  });

  it('fills only what the creator left out', () => {
    expect(validateCreateIndex({ name: 'faces', dimension: 8, hnsw: { quantization: 'f32', efSearch: 100 } }, defaultHnsw).hnsw)
      .toEqual({ m: 24, efConstruction: 128, efSearch: 100, quantization: 'f32' });
    // Other stores (PostgreSQL) keep the portable defaults.
    expect(validateCreateIndex({ name: 'faces', dimension: 8 }).hnsw).toEqual({ m: 16, efConstruction: 128, efSearch: 64, quantization: 'f32' });
  });
});

describe('the embedded engine', () => {
  const temp = useTempDatabase();

  it('creates indexes with its defaults per metric', async () => {
    await expect(temp.db.createIndex({ name: 'faces', dimension: 8 })).resolves.toMatchObject({ hnsw: { m: 24, efSearch: 44, quantization: 'i8' } });
    await expect(temp.db.createIndex({ name: 'points', dimension: 8, metric: 'euclidean' })).resolves.toMatchObject({ hnsw: { m: 16, efSearch: 64, quantization: 'f32' } });
  });
});

describe('deservesGraph', () => {
  it('starts at GRAPH_MIN_RECORDS', () => {
    expect(deservesGraph(GRAPH_MIN_RECORDS - 1)).toBe(false);
    expect(deservesGraph(GRAPH_MIN_RECORDS)).toBe(true);
  });
});
