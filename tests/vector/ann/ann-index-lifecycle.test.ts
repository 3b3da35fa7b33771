import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnnIndex, type AnnOptions } from '../../../src/vector/ann/ann-index.js';
import { MANIFEST_FILE } from '../../../src/vector/ann/snapshot-store.js';
import { HNSW, clustered, row } from './fixtures.js';
import { at } from '../../helpers/checked.js';

const dimension = 8;
const data = clustered(40, dimension, 4, { noise: 0.5, seed: 5 });
const keys = Array.from({ length: 40 }, (_, i) => i + 1);
let root = '';
let options: AnnOptions;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fv-ann-life-'));
  options = { dir: join(root, 'ann'), dimension, metric: 'euclidean', hnsw: HNSW };
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

/** Opens an index holding the first `count` rows, flushed. */
async function openWith(count: number): Promise<AnnIndex> {
  const ann = await AnnIndex.open(options);
  ann.enqueue(keys.slice(0, count), data.subarray(0, count * dimension));
  await ann.flush();
  return ann;
}

describe('AnnIndex lifecycle', () => {
  it('close is idempotent, refuses later use and rejects a pending flush', async () => {
    const ann = await AnnIndex.open(options);
    ann.enqueue(keys, data);
    const pending = ann.flush();
    const closing = ann.close();
    expect(ann.close()).toBe(closing);
    await expect(pending).rejects.toMatchObject({ code: 'FV_ERR_CLOSED' });
    await closing;
    await ann.close();
    expect(() => ann.search(row(data, dimension, 0), 1)).toThrow(expect.objectContaining({ code: 'FV_ERR_CLOSED' }));
    expect(() => ann.enqueue([99], row(data, dimension, 0))).toThrow(expect.objectContaining({ code: 'FV_ERR_CLOSED' }));
    await expect(ann.flush()).rejects.toMatchObject({ code: 'FV_ERR_CLOSED' });
  });

  it('drop removes its files and directory', async () => {
    const ann = await openWith(10);
    expect(readdirSync(options.dir).length).toBeGreaterThan(0);
    await ann.drop();
    expect(existsSync(options.dir)).toBe(false);
  });

  it('discards a corrupt snapshot at open: searchableThrough 0, nothing found, rebuilt from what is enqueued again', async () => {
    await (await openWith(20)).close();
    const { graphFile } = JSON.parse(readFileSync(join(options.dir, MANIFEST_FILE), 'utf8')) as { graphFile: string };
    const bytes = readFileSync(join(options.dir, graphFile));
    bytes[bytes.length >> 1] = at(bytes, bytes.length >> 1) ^ 0xff;
    writeFileSync(join(options.dir, graphFile), bytes);
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);

    const ann = await AnnIndex.open(options);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('SHA-256'));
    expect(ann.searchableThrough).toBe(0);
    expect(ann.size).toBe(0);
    expect(ann.search(row(data, dimension, 3), 5).keys.length).toBe(0);
    expect(readdirSync(options.dir)).toEqual([]);
    ann.enqueue(keys, data);
    await ann.flush();
    expect(ann.search(row(data, dimension, 3), 1).keys[0]).toBe(4);
    await ann.close();
  });

  it('refuses a snapshot of another major format version with FV_ERR_STORAGE_VERSION and keeps its files', async () => {
    await (await openWith(5)).close();
    const manifestPath = join(options.dir, MANIFEST_FILE);
    writeFileSync(manifestPath, readFileSync(manifestPath, 'utf8').replace('"formatVersion": "1.0"', '"formatVersion": "2.0"'));
    await expect(AnnIndex.open(options)).rejects.toMatchObject({ code: 'FV_ERR_STORAGE_VERSION' });
    expect(readdirSync(options.dir)).toHaveLength(2);
  });

  it('keeps searching the last snapshot when the builder fails, and rejects flush', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const ann = await openWith(10);
    rmSync(options.dir, { recursive: true }); // the next snapshot cannot be written
    ann.enqueue(keys.slice(10), data.subarray(10 * dimension));
    await expect(ann.flush()).rejects.toMatchObject({ code: 'FV_ERR_INTERNAL' });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('HNSW builder stopped'));
    expect(ann.searchableThrough).toBe(10);
    expect(ann.search(row(data, dimension, 7), 1).keys[0]).toBe(8);
    ann.enqueue([41], row(data, dimension, 0)); // dropped quietly: the caller scans it exactly
    await expect(ann.flush()).rejects.toMatchObject({ code: 'FV_ERR_INTERNAL' });
    await ann.close();
  });

  it('does not keep the process alive, closed or not', async () => {
    const annIndexUrl = new URL('../../../src/vector/ann/ann-index.js', import.meta.url).href;
    const script = join(root, 'exits.mts');
    writeFileSync(script, `
      import { AnnIndex } from ${JSON.stringify(annIndexUrl)};
      const hnsw = ${JSON.stringify(HNSW)};
      const closed = await AnnIndex.open({ dir: ${JSON.stringify(join(root, 'a'))}, dimension: 2, metric: 'cosine', hnsw });
      closed.enqueue([1, 2], Float32Array.of(1, 0, 0, 1));
      await closed.flush();
      await closed.close();
      const left = await AnnIndex.open({ dir: ${JSON.stringify(join(root, 'b'))}, dimension: 2, metric: 'cosine', hnsw });
      left.enqueue([1, 2], Float32Array.of(1, 0, 0, 1));
      await left.flush();
      console.log('done', left.searchableThrough);
    `);
    const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
    // The timeout only catches a hang: the process must exit by itself.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: projectRoot, timeout: 30_000 });
    expect(stdout.trim()).toBe('done 2');
  });

  it('closes in the middle of a build without aborting the process (a queued step must not touch the released graph)', async () => {
    const annIndexUrl = new URL('../../../src/vector/ann/ann-index.js', import.meta.url).href;
    const script = join(root, 'close-mid-build.mts');
    writeFileSync(script, `
      import { AnnIndex } from ${JSON.stringify(annIndexUrl)};
      const hnsw = ${JSON.stringify(HNSW)};
      const dimension = 64;
      for (let round = 0; round < 6; round++) {
        const ann = await AnnIndex.open({ dir: ${JSON.stringify(root)} + '/mid-' + round, dimension, metric: 'cosine', hnsw });
        for (let batch = 0; batch < 20; batch++) {
          const vectors = Float32Array.from({ length: 1000 * dimension }, () => Math.random() - 0.5);
          ann.enqueue(Array.from({ length: 1000 }, (_, i) => batch * 1000 + i + 1), vectors);
        }
        await new Promise((resolve) => setTimeout(resolve, 20 * round));
        await ann.close();
      }
      console.log('closed every round');
    `);
    const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: projectRoot, timeout: 50_000 });
    expect(stdout.trim()).toBe('closed every round');
  });
});
