/**
 * A namespace's record versions (src/vector/version-log.ts) against the `Map<seq, slot>` they
 * replaced, same run, rounds taking turns: the time to take N versions as upserts append them,
 * the heap they hold, the time to look up graph keys (32 a query, as an approximate top-10 asks),
 * and the one-off sort after replaying a compacted log (old sequence numbers after newer ones).
 *
 *   npx tsx bench/version-log.ts [--n 1000000] [--rounds 5]
 *
 * Writes bench/results/version-log.json (--out PATH for another).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { VersionLog } from '../src/vector/version-log.js';
import { machineFacts, parseArgs, printTable, summarize, writeResult } from './lib/report.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const args = parseArgs(process.argv.slice(2));
const N = Number(args.n ?? 1_000_000);
const ROUNDS = Number(args.rounds ?? 5);
const OUT = String(args.out ?? 'bench/results/version-log.json');
const LOOKUPS = 10_000 * 32;

/** Slot of version i + 1: a shuffled order, as slots freed by deletes are reused. */
const slotOf = Uint32Array.from({ length: N }, (_, i) => (i * 7_919) % N);
const keys = Float64Array.from({ length: LOOKUPS }, (_, i) => 1 + ((i * 104_729) % N));

function heapMiB(build: () => unknown): { held: unknown; mib: number } {
  gc();
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const held = build();
  gc();
  return { held, mib: (process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - before) / 2 ** 20 };
}

const contenders = {
  map: {
    build: () => {
      const map = new Map<number, number>();
      for (let i = 0; i < N; i++) map.set(i + 1, slotOf[i] as number);
      return map;
    },
    lookup: (held: unknown) => {
      const map = held as Map<number, number>;
      let sum = 0;
      for (const key of keys) sum += map.get(key) ?? 0;
      return sum;
    },
  },
  versionLog: {
    build: () => {
      const log = new VersionLog();
      for (let i = 0; i < N; i++) log.set(slotOf[i] as number, i + 1);
      return log;
    },
    lookup: (held: unknown) => {
      const log = held as VersionLog;
      let sum = 0;
      for (const key of keys) sum += log.slotOf(key) ?? 0;
      return sum;
    },
  },
};

const times: Record<string, { build: number[]; lookup: number[]; mib: number[] }> = { map: { build: [], lookup: [], mib: [] }, versionLog: { build: [], lookup: [], mib: [] } };
const sums = new Set<number>();
for (let round = 0; round < ROUNDS; round++) {
  for (const name of round % 2 === 0 ? (['map', 'versionLog'] as const) : (['versionLog', 'map'] as const)) {
    const c = contenders[name];
    let start = performance.now();
    c.build();
    times[name]?.build.push(performance.now() - start);
    const { held, mib } = heapMiB(c.build);
    times[name]?.mib.push(mib);
    start = performance.now();
    sums.add(c.lookup(held));
    times[name]?.lookup.push(performance.now() - start);
  }
}
if (sums.size !== 1) throw new Error('the two contenders found different slots');

// A replay after compaction: the newer half of the versions first, then the rewritten older half.
const sortMs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const log = new VersionLog();
  for (let i = 0; i < N / 2; i++) log.set(i, N / 2 + i + 1);
  for (let i = 0; i < N / 2; i++) log.set(N / 2 + i, i + 1);
  const start = performance.now();
  log.slotOf(1);
  sortMs.push(performance.now() - start);
}

const median = (values: number[]) => summarize(values).p50;
const rows = (['map', 'versionLog'] as const).map((name) => ({
  contender: name === 'map' ? 'Map<seq, slot> (before)' : 'VersionLog (now)',
  [`take ${N.toLocaleString('en')} versions, ms`]: median(times[name]?.build ?? []),
  'heap held, MiB': median(times[name]?.mib ?? []),
  'µs per 32 keys (a query)': (median(times[name]?.lookup ?? []) * 1000) / (LOOKUPS / 32),
}));
printTable(`Record versions of one namespace, ${N.toLocaleString('en')} records, median of ${ROUNDS} rounds taking turns`, rows);
console.log(`first lookup after an out-of-order replay of ${N.toLocaleString('en')} versions (the one-off sort): ${median(sortMs).toFixed(0)} ms`);
writeResult(OUT, { machine: machineFacts(), command: `npx tsx bench/version-log.ts ${process.argv.slice(2).join(' ')}`.trim(), n: N, rounds: ROUNDS, times, sortAfterOutOfOrderReplayMs: sortMs, table: rows });
