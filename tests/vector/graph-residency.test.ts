/** A namespace's graph stays open while used and closes when idle, reopening from its snapshot (issue 12). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnnIndex } from '../../src/vector/ann/ann-index.js';
import { SharedBuilder } from '../../src/vector/ann/shared-builder.js';
import { NamespaceState } from '../../src/vector/namespace.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { clustered } from './ann/fixtures.js';

const DIMENSION = 16;
const HNSW = { m: 8, efConstruction: 32, efSearch: 32, quantization: 'f32' as const };
const IDLE_MS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function namespaceOf(dir: string, data: Float32Array): NamespaceState {
  const ns = new NamespaceState('people', DIMENSION, 'euclidean', dir, { graphIdleMs: IDLE_MS });
  const n = data.length / DIMENSION;
  ns.applyUpsert({ ids: Array.from({ length: n }, (_, i) => `r${i}`), seqs: Float64Array.from({ length: n }, (_, i) => i + 1), vectors: data, metadata: new Array(n) });
  return ns;
}

describe('graph residency', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    tmp.cleanup();
  });

  it('closes a graph left unused, answers exactly meanwhile, and reopens it from its snapshot with nothing to rebuild', async () => {
    const data = clustered(3_000, DIMENSION, 30, { seed: 31 });
    const ns = namespaceOf(tmp.dir, data);
    await ns.ensureGraph(HNSW);
    await ns.flushGraph();
    const request = { vector: data.slice(5 * DIMENSION, 6 * DIMENSION), topK: 5, exact: false, efSearch: HNSW.efSearch };
    const graphSearch = vi.spyOn(AnnIndex.prototype, 'search');
    const search = (req: typeof request) => ns.search(req, (hits) => hits);
    const fromGraph = await search(request);
    expect(graphSearch).toHaveBeenCalledTimes(1);

    // Queries closer together than the idle time keep it open.
    for (let i = 0; i < 4; i++) {
      await sleep(IDLE_MS / 2);
      await search(request);
      expect(ns.hasGraph()).toBe(true);
    }
    await vi.waitFor(() => expect(ns.hasGraph()).toBe(false), { timeout: 10 * IDLE_MS });
    graphSearch.mockClear();
    expect(await search(request)).toEqual(await search({ ...request, exact: true }));
    expect(graphSearch).not.toHaveBeenCalled();

    await ns.ensureGraph(HNSW);
    expect(SharedBuilder.shared().attachedGraphs).toBe(0);
    expect(await search(request)).toEqual(fromGraph);
    expect(graphSearch).toHaveBeenCalledTimes(1);
    await ns.close();
  });

  it('keeps a graph open while it is still building, however long that takes', async () => {
    const data = clustered(30_000, DIMENSION, 300, { seed: 32 });
    const ns = namespaceOf(tmp.dir, data);
    const ann = await ns.ensureGraph(HNSW);
    await sleep(3 * IDLE_MS);
    expect(ann.building).toBe(true);
    expect(ns.hasGraph()).toBe(true);
    await ns.flushGraph();
    await vi.waitFor(() => expect(ns.hasGraph()).toBe(false), { timeout: 10 * IDLE_MS });
    await ns.close();
  });
});
