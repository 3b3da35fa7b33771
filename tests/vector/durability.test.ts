import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/vector/database.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const child = fileURLToPath(new URL('../fixtures/upsert-forever.ts', import.meta.url));

/** Runs the child until it has acknowledged `minAcks` batches, then kills it with SIGKILL mid-write. */
function runAndKill(dir: string, batchSize: number, minAcks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, String(batchSize)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastAck = -1;
    let stderr = '';
    let buffered = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^ack (\d+)$/.exec(line);
        if (match) lastAck = Number(match[1]);
      }
      if (lastAck + 1 >= minAcks) proc.kill('SIGKILL');
    });
    proc.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(lastAck) : reject(new Error(`child exited without being killed: ${stderr}`))));
  });
}

describe('durability', () => {
  const tmp = makeTempDir();
  afterEach(() => tmp.cleanup());

  it('keeps every acknowledged batch and no partial batch after kill -9', async () => {
    const batchSize = 500;
    const lastAck = await runAndKill(tmp.dir, batchSize, 30);
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
});
