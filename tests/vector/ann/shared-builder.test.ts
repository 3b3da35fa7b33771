/** Every graph of the process is built by one shared builder thread, which ends when no graph needs it (issue 12). */
import { readdirSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnnIndex, type AnnOptions } from '../../../src/vector/ann/ann-index.js';
import { SharedBuilder } from '../../../src/vector/ann/shared-builder.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { HNSW, clustered, row } from './fixtures.js';

const dimension = 16;
const builder = SharedBuilder.shared();
let tmp: ReturnType<typeof makeTempDir>;
const optionsFor = (name: string): AnnOptions => ({ dir: join(tmp.dir, name), dimension, metric: 'euclidean', hnsw: HNSW });
const osThreads = () => readdirSync('/proc/self/task').length;

beforeEach(() => {
  tmp = makeTempDir('fv-shared-builder-');
});
afterEach(() => {
  vi.useRealTimers();
  tmp.cleanup();
});

describe('SharedBuilder', () => {
  it('builds 40 graphs at once on one thread, and ends the thread when they close', async () => {
    await access(tmp.dir); // starts libuv's thread pool (4 threads, once per process) before counting
    const threadsBefore = osThreads();
    const data = clustered(40 * 20, dimension, 40, { seed: 3 });
    const graphs = await Promise.all(Array.from({ length: 40 }, (_, g) => AnnIndex.open(optionsFor(`g${g}`))));
    graphs.forEach((ann, g) => ann.enqueue(Array.from({ length: 20 }, (_, i) => i + 1), data.subarray(g * 20 * dimension, (g + 1) * 20 * dimension)));
    expect(builder.threadCount).toBe(1);
    expect(builder.attachedGraphs).toBe(40);
    // One builder thread, plus at most the transient threads of one usearch insert.
    expect(osThreads() - threadsBefore).toBeLessThanOrEqual(3);
    await Promise.all(graphs.map((ann) => ann.flush()));
    graphs.forEach((ann, g) => expect(ann.search(row(data, dimension, g * 20 + 7), 1).keys[0]).toBe(8));

    await Promise.all(graphs.map((ann) => ann.close()));
    expect(builder.attachedGraphs).toBe(0);
    expect(builder.threadCount).toBe(0);
  });

  it('takes graphs in turn: a small graph is searchable long before a large build ends', async () => {
    const large = await AnnIndex.open(optionsFor('large'));
    const small = await AnnIndex.open(optionsFor('small'));
    large.enqueue(Array.from({ length: 30_000 }, (_, i) => i + 1), clustered(30_000, dimension, 300, { seed: 4 }));
    const smallData = clustered(10, dimension, 2, { seed: 5 });
    small.enqueue(Array.from({ length: 10 }, (_, i) => i + 1), smallData);
    await small.flush();
    expect(small.search(row(smallData, dimension, 3), 1).keys[0]).toBe(4);
    expect(large.building).toBe(true);
    await Promise.all([large.close(), small.close()]);
  });

  it('detaches a caught-up graph after a while and resumes it from its snapshot on the next write', async () => {
    const data = clustered(60, dimension, 6, { seed: 6 });
    const ann = await AnnIndex.open(optionsFor('lingering'));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    ann.enqueue(Array.from({ length: 30 }, (_, i) => i + 1), data.subarray(0, 30 * dimension));
    await ann.flush();
    expect(builder.attachedGraphs).toBe(1);
    vi.advanceTimersByTime(10_000);
    await vi.waitFor(() => expect(builder.threadCount).toBe(0));

    ann.enqueue(Array.from({ length: 30 }, (_, i) => i + 31), data.subarray(30 * dimension));
    expect(builder.threadCount).toBe(1);
    await ann.flush();
    expect(ann.size).toBe(60);
    expect(ann.search(row(data, dimension, 12), 1).keys[0]).toBe(13);
    expect(ann.search(row(data, dimension, 47), 1).keys[0]).toBe(48);
    await ann.close();
    expect(builder.threadCount).toBe(0);
  });
});
