import { describe, expect, it } from 'vitest';
import { ReadWriteGate } from '../../src/vector/read-write-gate.js';

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ReadWriteGate', () => {
  it('runs a write at once, in the caller’s turn, when no read is in flight', () => {
    const gate = new ReadWriteGate();
    expect(gate.write(() => 42)).toBe(42);
  });

  it('holds writes while a read is in flight, then runs them in order before reads that came after them', async () => {
    const gate = new ReadWriteGate();
    const log: string[] = [];
    const firstRead = deferred();
    const reading = gate.read(async () => {
      log.push('read 1 starts');
      await firstRead.promise;
      log.push('read 1 ends');
    });
    const writeA = gate.write(() => log.push('write A'));
    const writeB = gate.write(() => log.push('write B'));
    const laterRead = gate.read(async () => log.push('read 2'));
    await Promise.resolve();
    expect(log).toEqual(['read 1 starts']);
    firstRead.resolve();
    await Promise.all([reading, writeA, writeB, laterRead]);
    expect(log).toEqual(['read 1 starts', 'read 1 ends', 'write A', 'write B', 'read 2']);
  });

  it('lets reads overlap one another', async () => {
    const gate = new ReadWriteGate();
    let inFlight = 0;
    let most = 0;
    const read = () =>
      gate.read(async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
      });
    await Promise.all([read(), read(), read()]);
    expect(most).toBe(3);
  });

  it('rejects a waiting write with its own error and still runs the writes and reads behind it', async () => {
    const gate = new ReadWriteGate();
    const release = deferred();
    const reading = gate.read(() => release.promise);
    const failing = gate.write(() => {
      throw new Error('disk full');
    });
    const next = gate.write(() => 'written');
    release.resolve();
    await reading;
    await expect(failing).rejects.toThrow('disk full');
    await expect(next).resolves.toBe('written');
    await expect(gate.read(async () => 'read')).resolves.toBe('read');
  });

  it('releases the gate when a read fails', async () => {
    const gate = new ReadWriteGate();
    await expect(gate.read(async () => Promise.reject(new Error('scan thread died')))).rejects.toThrow('scan thread died');
    expect(gate.write(() => 'runs at once')).toBe('runs at once');
  });
});
