/**
 * A scan below the size where the threads are faster stays on the main thread while it is idle,
 * and goes to the threads while the main thread is busy (other requests wait on it).
 */
import { describe, expect, it, vi } from 'vitest';
import { ScanPool } from '../../src/vector/exact/scan-pool.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import { useTempDatabase } from '../helpers/temp-database.js';

const DIMENSION = 128;
// 8,000 × 128 floats = 4 MB of rows: under the 16 MiB from which scans always go to the threads, over the 2 MiB from which a busy main thread sends them.
const RECORDS = 8_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('scans of mid-sized namespaces', () => {
  const temp = useTempDatabase();

  it('run on the main thread while it is idle, on the scan threads while it is busy, with the same answer', async () => {
    await temp.db.createIndex({ name: 'mid', dimension: DIMENSION, metric: 'euclidean' });
    const index = temp.db.index('mid');
    const next = seededRandom(9);
    for (let start = 0; start < RECORDS; start += 1_000) {
      await index.upsert({ records: Array.from({ length: 1_000 }, (_, i) => ({ id: `r${start + i}`, values: Array.from({ length: DIMENSION }, () => next()) })) });
    }
    const vector = Array.from({ length: DIMENSION }, (_, j) => (j % 7) / 7);
    const offloaded = vi.spyOn(ScanPool.prototype, 'search');

    await index.query({ vector, topK: 5, exact: true });
    await sleep(300);
    offloaded.mockClear();
    const idle = await index.query({ vector, topK: 5, exact: true });
    expect(offloaded).not.toHaveBeenCalled();

    // 300 ms of the main thread running code without a break.
    for (const until = performance.now() + 300; performance.now() < until; );
    const busy = await index.query({ vector, topK: 5, exact: true });
    expect(offloaded).toHaveBeenCalledTimes(1);
    expect(busy).toEqual(idle);
  });
});
