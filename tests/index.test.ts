import { afterEach, describe, expect, it } from 'vitest';
import * as facevault from '../src/index.js';
import { makeTempDir } from './helpers/temp-dir.js';

describe('the package entry', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('exposes the three layers: openDatabase, FacePipeline, Gallery over openEmbeddedStore', () => {
    expect(typeof facevault.openDatabase).toBe('function');
    expect(typeof facevault.FacePipeline.create).toBe('function');
    expect(typeof facevault.Gallery.open).toBe('function');
    expect(typeof facevault.openEmbeddedStore).toBe('function');
    expect(typeof facevault.openStore).toBe('function');
    expect(facevault.storeKindOf('postgres://db/faces')).toBe('postgres');
    expect(typeof facevault.isFacevaultError).toBe('function');
  });

  it('openDatabase from the entry works the Pinecone way', async () => {
    const temp = makeTempDir('fv-entry-');
    cleanup = temp.cleanup;
    const db = await facevault.openDatabase(temp.dir);
    try {
      await db.createIndex({ name: 'entry', dimension: 2, metric: 'euclidean' });
      const index = db.index('entry');
      await index.upsert({ records: [{ id: 'a', values: [0, 0] }, { id: 'b', values: [3, 4] }] });
      const { matches } = await index.query({ vector: [3, 4], topK: 1 });
      expect(matches.map((m) => [m.id, m.score])).toEqual([['b', 0]]);
    } finally {
      await db.close();
    }
  });
});
