import { describe, expect, it } from 'vitest';
import { VersionLog } from '../../src/vector/version-log.js';

/** A seeded generator, so a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('VersionLog', () => {
  it('maps current versions to their slots and forgets overwritten and deleted ones', () => {
    const log = new VersionLog();
    log.set(0, 1);
    log.set(1, 2);
    log.set(0, 3);
    log.clear(1);
    expect(log.slotOf(3)).toBe(0);
    expect(log.slotOf(1)).toBeUndefined();
    expect(log.slotOf(2)).toBeUndefined();
    expect(log.slotOf(99)).toBeUndefined();
    expect(log.seqAt(0)).toBe(3);
    expect(log.seqAt(1)).toBe(0);
    expect(log.seqAt(5000)).toBe(0);
  });

  it('gives the current versions above a sequence number in order, and counts every version written above it', () => {
    const log = new VersionLog();
    for (let seq = 1; seq <= 10; seq++) log.set(seq - 1, seq);
    log.set(2, 11); // slot 2's version 3 is overwritten
    log.clear(7); // version 8 deleted
    expect(log.currentAfter(5)).toEqual({ seqs: [6, 7, 9, 10, 11], slots: [5, 6, 8, 9, 2] });
    expect(log.currentAfter(5, (slot) => slot % 2 === 0)).toEqual({ seqs: [7, 9, 11], slots: [6, 8, 2] });
    expect(log.countAfter(5)).toBe(6);
    expect(log.countAfter(11)).toBe(0);
  });

  it('sorts itself when versions arrive out of order, as a log compacted earlier replays', () => {
    const log = new VersionLog();
    log.set(0, 50);
    log.set(1, 60);
    log.set(2, 10); // a rewritten old version replayed after newer ones
    log.set(3, 20);
    expect(log.slotOf(10)).toBe(2);
    expect(log.currentAfter(15)).toEqual({ seqs: [20, 50, 60], slots: [3, 0, 1] });
    log.set(4, 70);
    expect(log.currentAfter(55)).toEqual({ seqs: [60, 70], slots: [1, 4] });
  });

  it('finds every key where sequence numbers come in dense runs far apart, as namespaces written in turns give', () => {
    const log = new VersionLog();
    const runs = [
      { first: 1, step: 1 },
      { first: 10_000, step: 1 },
      { first: 1e9, step: 7 },
      { first: 2e9, step: 1 },
    ];
    const written: [number, number][] = [];
    for (const { first, step } of runs) for (let k = 0; k < 3_000; k++) written.push([first + k * step, written.length]);
    for (const [seq, slot] of written) log.set(slot, seq);
    for (const [seq, slot] of written) expect(log.slotOf(seq)).toBe(slot);
    for (const absent of [0, 3_001, 5_000, 1e9 + 1, 1e9 + 6, 1.5e9, 3e9]) expect(log.slotOf(absent)).toBeUndefined();
    expect(log.countAfter(9_999)).toBe(9_000);
    expect(log.countAfter(1e9 + 7 * 2_999)).toBe(3_000);
  });

  it('agrees with a map of current versions through many random writes, overwrites and deletes', () => {
    const next = random(7);
    const log = new VersionLog();
    const current = new Map<number, number>(); // seq → slot
    const slotSeq = new Map<number, number>();
    let seq = 0;
    for (let step = 0; step < 50_000; step++) {
      const slot = Math.floor(next() * 3_000);
      if (next() < 0.2) {
        const held = slotSeq.get(slot);
        if (held !== undefined) current.delete(held);
        slotSeq.delete(slot);
        log.clear(slot);
      } else {
        const held = slotSeq.get(slot);
        if (held !== undefined) current.delete(held);
        // Now and then an old sequence number, as a replayed compaction appends.
        const version = next() < 0.01 ? -(step + 1) : ++seq;
        const positive = version > 0 ? version : 1e9 + step;
        current.set(positive, slot);
        slotSeq.set(slot, positive);
        log.set(slot, positive);
      }
      if (step % 5_000 === 0) {
        for (let probe = 0; probe < 200; probe++) {
          const s = Math.floor(next() * (seq + 2));
          expect(log.slotOf(s)).toBe(current.get(s));
        }
      }
    }
    const through = seq / 2;
    const expected = [...current.entries()].filter(([s]) => s > through).sort((a, b) => a[0] - b[0]);
    expect(log.currentAfter(through)).toEqual({ seqs: expected.map(([s]) => s), slots: expected.map(([, slot]) => slot) });
    for (const [s, slot] of current) expect(log.slotOf(s)).toBe(slot);
  });
});
