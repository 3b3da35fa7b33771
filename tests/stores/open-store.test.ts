import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, redact, storeKindOf } from '../../src/stores/open-store.js';
import type { VectorStore } from '../../src/stores/vector-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('openStore', () => {
  const opened: VectorStore[] = [];
  const temps: ReturnType<typeof makeTempDir>[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    for (const tmp of temps.splice(0)) tmp.cleanup();
  });

  it('opens the embedded store for a path and for a file: URL', async () => {
    const tmp = makeTempDir('facevault-open-');
    temps.push(tmp);
    const byPath = await openStore(tmp.dir);
    opened.push(byPath);
    expect(byPath.kind).toBe('embedded');
    await byPath.createIndex({ name: 'kept', dimension: 2, metric: 'cosine' });
    await byPath.close();
    opened.pop();
    const byUrl = await openStore(pathToFileURL(tmp.dir).href);
    opened.push(byUrl);
    expect((await byUrl.listIndexes()).map((index) => index.name)).toEqual(['kept']);
  });

  it('names the store a URL chooses without opening it', () => {
    expect(storeKindOf('./data')).toBe('embedded');
    expect(storeKindOf('C:\\facevault\\data')).toBe('embedded');
    expect(storeKindOf('postgres://db/faces')).toBe('postgres');
    expect(storeKindOf('postgresql://db/faces?schema=x')).toBe('postgres');
    expect(storeKindOf('pinecone://127.0.0.1:5080')).toBe('pinecone');
    expect(storeKindOf('PINECONE+HTTPS://example.com')).toBe('pinecone');
  });

  it('refuses an unknown scheme with a typed error that does not repeat the password', async () => {
    await expect(openStore('mysql://root:hunter2@db/faces')).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', message: expect.not.stringContaining('hunter2') });
    expect(redact('postgres://facevault:s3cret@db:5432/faces')).toBe('postgres://facevault:***@db:5432/faces');
    expect(redact('/var/lib/facevault')).toBe('/var/lib/facevault');
  });

  it('asks for a Pinecone API key when none is set', async () => {
    const saved = process.env.PINECONE_API_KEY;
    delete process.env.PINECONE_API_KEY;
    try {
      await expect(openStore('pinecone://127.0.0.1:9')).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', message: expect.stringContaining('PINECONE_API_KEY') });
    } finally {
      if (saved !== undefined) process.env.PINECONE_API_KEY = saved;
    }
  });
});
