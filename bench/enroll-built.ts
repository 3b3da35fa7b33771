/**
 * Enroll throughput as the CLI and the server run it (issue 15, "enroll at detector speed"): the
 * built tree (`dist/`, plain node) against the same code from source under tsx (how
 * bench/enroll-speed.ts and the other benches run it), and the built tree with one job a worker
 * instead of the default two (`FacePipelineOptions.jobsPerWorker`). Each contender runs in its own
 * processes, the contenders taking turns; each process warms up, then enrolls the DeepFace set's 62
 * photos `--rounds` times into fresh stores (2 workers); the figures are the medians over every
 * process's rounds after its first (its first round still pays JIT and cache warm-up).
 *
 *   npm run build && npx tsx bench/enroll-built.ts [--runs 3] [--rounds 6] [--workers 2] [--datasets DIR]
 *
 * Writes bench/results/enroll-built.json (--out PATH for another).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { deepfaceDirOrExit } from './lib/deepface-set.js';
import { machineFacts, parseArgs, printTable, summarize, writeResult, type Row } from './lib/report.js';

const args = parseArgs(process.argv.slice(2));
const deepface = deepfaceDirOrExit(args);
if (!existsSync('dist/face/pipeline.js')) {
  console.error('No built tree: run `npm run build` first');
  process.exit(1);
}
const RUNS = Number(args.runs ?? 3);
const ROUNDS = Number(args.rounds ?? 6);
const WORKERS = Number(args.workers ?? 2);
const OUT = String(args.out ?? 'bench/results/enroll-built.json');

interface Contender {
  readonly name: string;
  readonly tree: 'dist' | 'src';
  readonly jobsPerWorker?: number;
}
interface Rounds {
  facesPerSecond: number[];
  cpuMsPerFace: number[];
}

const CONTENDERS: readonly Contender[] = [
  { name: 'built (dist/, plain node), 2 jobs a worker (default)', tree: 'dist' },
  { name: 'built, 1 job a worker', tree: 'dist', jobsPerWorker: 1 },
  { name: 'source (src/, tsx), default', tree: 'src' },
];

function runProcess(contender: Contender): Rounds {
  const argv = ['bench/lib/enroll-rounds.mjs', contender.tree, deepface, String(ROUNDS), String(WORKERS), ...(contender.jobsPerWorker === undefined ? [] : [String(contender.jobsPerWorker)])];
  const output = contender.tree === 'dist' ? execFileSync(process.execPath, argv, { encoding: 'utf8' }) : execFileSync('npx', ['tsx', ...argv], { encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').at(-1) as string) as Rounds;
}

const all = new Map<Contender, Rounds[]>(CONTENDERS.map((c) => [c, []]));
for (let run = 0; run < RUNS; run++) {
  for (const contender of run % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse()) {
    const rounds = runProcess(contender);
    all.get(contender)?.push(rounds);
    console.log(`run ${run + 1} ${contender.name}: ${rounds.facesPerSecond.map((v) => v.toFixed(1)).join(' ')} faces/s; ${rounds.cpuMsPerFace.map((v) => v.toFixed(1)).join(' ')} CPU ms a face`);
  }
}

const warm = (runs: readonly Rounds[], key: keyof Rounds) => runs.flatMap((r) => r[key].slice(1));
const rows: Row[] = CONTENDERS.map((contender) => {
  const runs = all.get(contender) ?? [];
  const cpu = summarize(warm(runs, 'cpuMsPerFace')).p50;
  return {
    contender: contender.name,
    'faces/s, median of warm rounds': summarize(warm(runs, 'facesPerSecond')).p50,
    'CPU ms a face': cpu,
    'faces/s on 2 busy cores (2,000 / CPU ms)': 2000 / cpu,
  };
});
printTable(`Gallery.enroll on the DeepFace set, ${WORKERS} workers, ${RUNS} processes each × ${ROUNDS} rounds (first round of each left out)`, rows);
writeResult(OUT, { machine: machineFacts(), command: `npx tsx bench/enroll-built.ts ${process.argv.slice(2).join(' ')}`.trim(), workers: WORKERS, runs: CONTENDERS.map((c) => ({ ...c, processes: all.get(c) })), rows });
