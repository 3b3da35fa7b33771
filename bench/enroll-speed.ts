/**
 * Enroll throughput on the DeepFace set's large photos (issue 15, "enroll at detector speed"):
 * `Gallery.enroll` with 2 workers, this tree against a peer, in interleaved rounds on the same
 * photos (the order alternates each round); the figure is the median of the per-round ratios,
 * since absolute speeds on this shared machine move by 2× between runs.
 *
 *   git archive <commit> | tar -x -C /tmp/fv-base && ln -s $PWD/node_modules /tmp/fv-base/node_modules \
 *     && (cd /tmp/fv-base && node scripts/build-wasm.mjs)
 *   npx tsx bench/enroll-speed.ts --peer /tmp/fv-base --rounds 5 --out bench/results/enroll-speed.json
 *   options: --datasets DIR (default ../shared/datasets or $FACEVAULT_DATASETS), --workers N (2), --rounds N (5),
 *            --peer DIR (a snapshot of an older tree; without it only this tree's two decode modes run)
 *
 * Contenders: 'peer' (the snapshot's Gallery.enroll, its defaults), 'whole decode' (this tree with
 * shrinkOnLoad: false: every photo decoded whole), 'shrink-on-load' (this tree's default: a large
 * photo decoded at its detector view's pyramid level, full resolution only around small faces).
 * Besides wall-clock faces/s, each round's CPU time (the whole process: workers, sharp's threads,
 * the main thread) per face, and the rate that gives on 2 cores kept busy (2,000 / CPU ms a face):
 * on a shared machine wall-clock rates move with the neighbours' load, CPU time far less.
 * Also: per photo, the cosine distance between each of this tree's modes and the peer's
 * embedding, and where one finds no face and the other does.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deepfaceDirOrExit } from './lib/deepface-set.js';
import { machineFacts, parseArgs, printTable, writeResult, type Row } from './lib/report.js';
import { deepfaceEnrollItems } from '../src/cli/demo-scenario.js';
import { at } from '../src/util/checked.js';

const args = parseArgs(process.argv.slice(2));
const deepface = deepfaceDirOrExit(args);
const WORKERS = Number(args.workers ?? 2);
const ROUNDS = Number(args.rounds ?? 5);
const PEER = args.peer === undefined ? undefined : resolve(String(args.peer));
const OUT = String(args.out ?? 'bench/results/enroll-speed.json');

interface EnrollItem {
  readonly path: string;
  readonly source: string;
  readonly subject: string;
}
interface Representation {
  readonly embedding: Float32Array;
}
/** The little of a tree's API this bench uses, so an older snapshot can stand in. */
interface Tree {
  readonly name: string;
  represent(path: string): Promise<Representation[]>;
  enroll(items: readonly EnrollItem[]): Promise<{ faces: number; photos: number }>;
  close(): Promise<void>;
}

const scratch = mkdtempSync(join(tmpdir(), 'facevault-bench-enroll-'));
let stores = 0;

async function openTree(name: string, root: string, pipelineOptions: Record<string, unknown>): Promise<Tree> {
  const { FacePipeline } = await import(join(root, 'src/face/pipeline.ts'));
  const { Gallery } = await import(join(root, 'src/recognition/gallery.ts'));
  const { openEmbeddedStore } = await import(join(root, 'src/stores/embedded-store.ts'));
  const pipeline = await FacePipeline.create({ workers: WORKERS, ...pipelineOptions });
  return {
    name,
    represent: (path) => pipeline.represent(path, { maxFaces: 1, select: 'largest' }).catch(() => []),
    async enroll(items) {
      const store = await openEmbeddedStore(join(scratch, `store-${stores++}`));
      try {
        const gallery = await Gallery.open({ store, pipeline });
        return await gallery.enroll(items, { onMultipleFaces: 'largest' });
      } finally {
        await store.close();
      }
    },
    close: () => pipeline.close(),
  };
}

const items: readonly EnrollItem[] = deepfaceEnrollItems(deepface);

const here = resolve('.');
const trees: Tree[] = [];
if (PEER) trees.push(await openTree('peer', PEER, {}));
trees.push(await openTree('whole decode', here, { shrinkOnLoad: false }));
trees.push(await openTree('shrink-on-load', here, { shrinkOnLoad: true }));
const current = at(trees, trees.length - 1);
const reference = at(trees, 0);

// Files in the page cache and every worker past its first (slow) inferences.
for (const item of items) readFileSync(item.path);
for (const tree of trees) await Promise.all(items.slice(0, 4 * WORKERS).map((item) => tree.represent(item.path)));

const speeds = new Map<string, number[]>(trees.map((t) => [t.name, []]));
/** CPU milliseconds (all threads of this process) per face, per round. */
const cpuPerFace = new Map<string, number[]>(trees.map((t) => [t.name, []]));
const ratios = new Map<string, number[]>(trees.map((t) => [t.name, []]));
let faces = 0;
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? trees : [...trees].reverse();
  const perRound = new Map<string, number>();
  for (const tree of order) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const summary = await tree.enroll(items);
    const rate = summary.faces / ((performance.now() - started) / 1000);
    const used = process.cpuUsage(cpu);
    cpuPerFace.get(tree.name)?.push((used.user + used.system) / 1000 / summary.faces);
    faces = summary.faces;
    perRound.set(tree.name, rate);
    speeds.get(tree.name)?.push(rate);
  }
  for (const tree of trees) ratios.get(tree.name)?.push((perRound.get(current.name) ?? 0) / (perRound.get(tree.name) ?? 1));
  console.log(`round ${round + 1}: ${trees.map((t) => `${t.name} ${perRound.get(t.name)?.toFixed(1)} faces/s (${cpuPerFace.get(t.name)?.at(-1)?.toFixed(1)} CPU ms a face)`).join(', ')}`);
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((p, q) => p - q);
  return sorted.length % 2 ? at(sorted, sorted.length >> 1) : (at(sorted, sorted.length / 2 - 1) + at(sorted, sorted.length / 2)) / 2;
};
const rows: Row[] = trees.map((tree) => ({
  contender: tree.name,
  photos: items.length,
  faces,
  'faces/s (median)': +median(speeds.get(tree.name) ?? []).toFixed(1),
  'faces/s (per round)': (speeds.get(tree.name) ?? []).map((v) => v.toFixed(1)).join(' '),
  [`${current.name} / it (median of rounds)`]: +median(ratios.get(tree.name) ?? []).toFixed(2),
  'CPU ms a face (median)': +median(cpuPerFace.get(tree.name) ?? []).toFixed(1),
  'faces/s on 2 busy cores': +(2000 / median(cpuPerFace.get(tree.name) ?? [])).toFixed(1),
}));
printTable(`Gallery.enroll on the DeepFace set, ${WORKERS} workers, ${ROUNDS} interleaved rounds`, rows);

// Same faces? Cosine distance of each of this tree's modes' embedding to the reference's, photo by photo.
async function agreementWith(other: Tree): Promise<Record<string, unknown>> {
  const distances: { photo: string; cosine: number }[] = [];
  const missing: { photo: string; reference: number; other: number }[] = [];
  for (const item of items) {
    const [a, b] = await Promise.all([reference.represent(item.path), other.represent(item.path)]);
    if (!a[0] || !b[0]) {
      if (a.length !== b.length) missing.push({ photo: item.source, reference: a.length, other: b.length });
      continue;
    }
    let dot = 0;
    a[0].embedding.forEach((v, i) => (dot += v * (b[0]?.embedding[i] ?? 0)));
    distances.push({ photo: item.source, cosine: 1 - dot });
  }
  distances.sort((p, q) => q.cosine - p.cosine);
  return {
    of: other.name,
    against: reference.name,
    photos: distances.length,
    medianCosineDistance: +median(distances.map((d) => d.cosine)).toFixed(5),
    meanCosineDistance: +(distances.reduce((sum, d) => sum + d.cosine, 0) / Math.max(1, distances.length)).toFixed(5),
    largest: distances.slice(0, 5).map((d) => ({ photo: d.photo, cosine: +d.cosine.toFixed(4) })),
    faceCountDiffers: missing,
  };
}
const agreement = [];
for (const tree of trees) {
  if (tree === reference) continue;
  agreement.push(await agreementWith(tree));
  console.log('embeddings', JSON.stringify(agreement.at(-1)));
}

for (const tree of trees) await tree.close();
rmSync(scratch, { recursive: true, force: true });
writeResult(OUT, {
  machine: machineFacts(),
  command: `npx tsx bench/enroll-speed.ts ${process.argv.slice(2).join(' ')}`,
  peer: PEER ?? null,
  workers: WORKERS,
  rounds: ROUNDS,
  enroll: rows,
  perRound: Object.fromEntries(trees.map((t) => [t.name, speeds.get(t.name)])),
  cpuMsPerFacePerRound: Object.fromEntries(trees.map((t) => [t.name, cpuPerFace.get(t.name)?.map((v) => +v.toFixed(2))])),
  agreement,
});
