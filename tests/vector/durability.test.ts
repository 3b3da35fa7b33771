import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/vector/database.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const child = fileURLToPath(new URL('../fixtures/upsert-forever.ts', import.meta.url));

interface Acknowledged {
  /** Last batch whose upsert was acknowledged, -1 for none. */
  upserted: number;
  /** Last batch whose delete of its even records was acknowledged. */
  deleted: number;
}

/**
 * Runs the child until `killAt` (a line it prints, e.g. `compacting 12`) or, without it, until it
 * has acknowledged `minAcks` batches, then kills it with SIGKILL `delayMs` later.
 */
function runAndKill(dir: string, batchSize: number, options: { minAcks: number; mode?: 'compact'; delayMs?: number }): Promise<Acknowledged> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', child, dir, String(batchSize), ...(options.mode ? [options.mode] : [])];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: Acknowledged = { upserted: -1, deleted: -1 };
    let stderr = '';
    let buffered = '';
    let killing = false;
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [word, batch] = line.split(' ');
        if (word === 'ack') acked.upserted = Number(batch);
        if (word === 'deleted') acked.deleted = Number(batch);
        const trigger = options.mode === 'compact' ? word === 'compacting' : word === 'ack';
        if (trigger && !killing && Number(batch) + 1 >= options.minAcks) {
          killing = true;
          setTimeout(() => proc.kill('SIGKILL'), options.delayMs ?? 0);
        }
      }
    });
    // Acknowledgements printed before the kill may still sit in the pipe: 'close' waits for them.
    proc.on('close', (_code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`child exited without being killed: ${stderr}`))));
  });
}

describe('durability', () => {
  const tmp = makeTempDir();
  afterEach(() => tmp.cleanup());

  it('keeps every acknowledged batch and no partial batch after kill -9', async () => {
    const batchSize = 500;
    const { upserted: lastAck } = await runAndKill(tmp.dir, batchSize, { minAcks: 30 });
    expect(lastAck).toBeGreaterThanOrEqual(29);

    const db = await openDatabase(tmp.dir);
    try {
      const index = db.index('crash');
      const stats = await index.describeIndexStats();
      const total = stats.totalRecordCount;
      // Every acknowledged batch is there; at most the batches in flight when killed may also be, whole.
      expect(total % batchSize).toBe(0);
      const batchesStored = total / batchSize;
      expect(batchesStored).toBeGreaterThanOrEqual(lastAck + 1);
      for (let batch = 0; batch < batchesStored; batch++) {
        const ids = Array.from({ length: batchSize }, (_, i) => `b${batch}-r${i}`);
        const { records } = await index.fetch({ ids: ids.slice(0, 1000) });
        expect(Object.keys(records).length).toBe(batchSize);
      }
      const { records } = await index.fetch({ ids: [`b${batchesStored}-r0`] });
      expect(records).toEqual({});
      const sample = (await index.fetch({ ids: [`b${lastAck}-r7`] })).records[`b${lastAck}-r7`];
      expect(sample?.metadata).toEqual({ batch: lastAck });
      expect(sample?.values[0]).toBeCloseTo(lastAck + 0.007, 5);
    } finally {
      await db.close();
    }
  });

  // Each compaction rewrites the whole namespace (~10K live records by then), so the kill lands
  // inside one or between its steps depending on the delay; every outcome must keep all acks.
  it.each([0, 3, 8])('loses nothing acknowledged when killed %i ms into a compaction', async (delayMs) => {
    const batchSize = 1000;
    const acked = await runAndKill(tmp.dir, batchSize, { minAcks: 20, mode: 'compact', delayMs });
    expect(acked.deleted).toBeGreaterThanOrEqual(19);

    const db = await openDatabase(tmp.dir);
    try {
      const index = db.index('crash');
      for (let batch = 0; batch <= acked.upserted + 1; batch++) {
        const ids = Array.from({ length: batchSize }, (_, i) => `b${batch}-r${i}`);
        const { records } = await index.fetch({ ids });
        const odd = ids.filter((_, i) => i % 2 === 1);
        const even = ids.filter((_, i) => i % 2 === 0);
        const present = (list: string[]) => list.filter((id) => records[id] !== undefined).length;
        if (batch <= acked.upserted) expect(present(odd)).toBe(odd.length);
        else expect([0, odd.length]).toContain(present(odd));
        // A delete is one batch too: all of it or none of it, and all of it once acknowledged.
        if (batch <= acked.deleted) expect(present(even)).toBe(0);
        else expect([0, even.length]).toContain(present(even));
        const sample = records[`b${batch}-r7`];
        if (sample) expect(sample.values[0]).toBeCloseTo(batch + 0.007, 5);
      }
    } finally {
      await db.close();
    }
  });
});
