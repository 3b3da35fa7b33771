/**
 * Recognition at scale (issue 5): the gallery over the embedded store, on real photos.
 *
 *   npx tsx bench/recognition.ts                       # all three parts (long: LFW embeds ~13K photos, the 1M fill takes minutes)
 *   npx tsx bench/recognition.ts --parts enroll        # enroll throughput only (deepface set + 2,000 LFW photos)
 *   npx tsx bench/recognition.ts --parts lfw --share 0.25          # identification on a quarter of the people
 *   npx tsx bench/recognition.ts --parts latency --fill 1000000 --wait-graph --quantization i8
 *   options: --datasets DIR (default ../shared/datasets or $FACEVAULT_DATASETS), --workers N (default 2),
 *            --lfw-enroll N (2000), --probes N (latency probes, 100), --out FILE (bench/results/recognition.json)
 *
 * 1. Enroll throughput: faces/s of `Gallery.enroll` (read, hash, decode, detect, align, embed,
 *    upsert) on the DeepFace set and on the first 2,000 LFW photos; target >= 60 faces/s on 2 cores.
 * 2. LFW identification (open-set protocol after Best-Rowden et al. 2014): the gallery holds the
 *    first photo of each of the 1,680 people with two or more; genuine probes are their other
 *    photos; the 4,069 people with a single photo are the distractors — probes of people not
 *    enrolled. Rank-1 = the nearest subject is the right one (closed set, genuine probes);
 *    TAR @ FAR 1 % = share of genuine probes whose nearest subject is right and within the
 *    threshold at which 1 % of distractors are accepted. Exact and approximate search alike.
 *    A photo without a detected face counts as a miss (genuine) or a rejection (distractor).
 * 3. Identify latency in a gallery filled to `--fill` records: face-like synthetic vectors
 *    (identities = random directions, samples = identity + noise) plus the DeepFace set
 *    enrolled for real; probes = LFW photos, end to end (decode → embed → query → verdict) and
 *    the query alone, p50/p99; target <= 50 ms end to end.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FacePipeline } from '../src/face/pipeline.js';
import { parseCsv, type EnrollItem } from '../src/recognition/enroll-sources.js';
import { Gallery, type EnrollSummary } from '../src/recognition/gallery.js';
import { cosineDistanceFromScore, rankSubjects } from '../src/recognition/identify.js';
import { openEmbeddedStore, type EmbeddedStore } from '../src/stores/embedded-store.js';
import { MAX_BATCH, type StoreRecord } from '../src/stores/vector-store.js';
import type { HnswConfig } from '../src/vector/types.js';
import { machineFacts, parseArgs, printTable, summarize, writeResult, type LatencySummary, type Row } from './lib/report.js';
import { seededRandom } from './lib/synthetic.js';

const args = parseArgs(process.argv.slice(2));
const datasets = resolve(String(args.datasets ?? process.env.FACEVAULT_DATASETS ?? '../shared/datasets'));
const deepfaceDir = join(datasets, 'deepface');
const lfwDir = join(datasets, 'lfw');
if (!existsSync(join(lfwDir, 'lfw-identities.csv')) || !existsSync(join(deepfaceDir, 'identities.csv'))) {
  console.error(`datasets not found under ${datasets} (need deepface/identities.csv and lfw/lfw-identities.csv): pass --datasets DIR or set FACEVAULT_DATASETS`);
  process.exit(1);
}
const PARTS = new Set(String(args.parts ?? 'enroll,lfw,latency').split(','));
const WORKERS = Number(args.workers ?? 2);
const LFW_ENROLL = Number(args['lfw-enroll'] ?? 2000);
const SHARE = Number(args.share ?? 1);
const FILL = Number(args.fill ?? 1_000_000);
const LATENCY_PROBES = Number(args.probes ?? 100);
const QUANTIZATION = (args.quantization ?? 'i8') as HnswConfig['quantization'];
const OUT = String(args.out ?? 'bench/results/recognition.json');
const TOP_K = 10;

const results: Record<string, unknown> = { machine: machineFacts(), command: `npx tsx bench/recognition.ts ${process.argv.slice(2).join(' ')}`, workers: WORKERS };
const scratch = mkdtempSync(join(tmpdir(), 'facevault-bench-recognition-'));
const pipeline = await FacePipeline.create({ workers: WORKERS });

/** A fresh store and gallery in the scratch folder; the gallery index is created with the given HNSW settings. */
async function freshGallery(name: string, hnsw?: Partial<HnswConfig>): Promise<{ store: EmbeddedStore; gallery: Gallery }> {
  const store = await openEmbeddedStore(join(scratch, name));
  if (hnsw) await store.database.createIndex({ name: `faces-${pipeline.model.name}`, dimension: pipeline.model.dimension, metric: 'cosine', engine: 'approximate', hnsw });
  return { store, gallery: await Gallery.open({ store, pipeline }) };
}

function deepfaceItems(): EnrollItem[] {
  return parseCsv(readFileSync(join(deepfaceDir, 'identities.csv'), 'utf8'))
    .slice(1)
    .filter((row) => row.length >= 2)
    .map(([image, identity, name]) => ({ path: join(deepfaceDir, 'images', image), source: image, subject: name?.trim() || identity }));
}

/** LFW as person → photos (relative to lfw/images), in the file's order. */
function lfwPeople(): Map<string, string[]> {
  const people = new Map<string, string[]>();
  for (const [image, identity] of parseCsv(readFileSync(join(lfwDir, 'lfw-identities.csv'), 'utf8')).slice(1)) {
    if (!image || !identity) continue;
    const photos = people.get(identity);
    if (photos) photos.push(image);
    else people.set(identity, [image]);
  }
  return people;
}

const lfwItem = (image: string, subject: string): EnrollItem => ({ path: join(lfwDir, 'images', image), source: image, subject });

/** Every `1 / share`-th element, so a partial run still spreads over the whole list. */
function spread<T>(items: readonly T[], share: number): T[] {
  const step = Math.max(1, Math.round(1 / share));
  return items.filter((_, i) => i % step === 0);
}

async function timedEnroll(gallery: Gallery, items: EnrollItem[], onMultipleFaces: 'largest' | 'central'): Promise<{ summary: EnrollSummary; seconds: number }> {
  const started = performance.now();
  const summary = await gallery.enroll(items, { onMultipleFaces });
  return { summary, seconds: (performance.now() - started) / 1000 };
}

// ── 1. enroll throughput ────────────────────────────────────────────────────────────────────
if (PARTS.has('enroll')) {
  const rows: Row[] = [];
  const lfwFirst = [...lfwPeople()].flatMap(([subject, photos]) => photos.map((photo) => lfwItem(photo, subject))).slice(0, LFW_ENROLL);
  for (const [set, items, select] of [['deepface', deepfaceItems(), 'largest'], [`lfw (first ${lfwFirst.length})`, lfwFirst, 'central']] as const) {
    const { store, gallery } = await freshGallery(`enroll-${set.split(' ')[0]}`);
    const { summary, seconds } = await timedEnroll(gallery, items, select);
    rows.push({ set, run: 'Gallery.enroll', photos: summary.photos, faces: summary.faces, failed: summary.failed, seconds, 'faces/s': summary.faces / seconds, target: '>= 60' });
    await store.close();
    // The peer: the face pipeline alone on the same photos, as many in flight; the ratio is the gallery's own cost (hash, lookup, upsert).
    const started = performance.now();
    let faces = 0;
    await Promise.all(
      Array.from({ length: 2 * WORKERS }, async (_, lane) => {
        for (let i = lane; i < items.length; i += 2 * WORKERS) {
          const found = (await pipeline.represent(items[i].path, { maxFaces: 1, select }).catch(() => [])).length;
          faces += found;
        }
      }),
    );
    const peerSeconds = (performance.now() - started) / 1000;
    rows.push({ set, run: 'pipeline.represent only (peer)', photos: items.length, faces, failed: items.length - faces, seconds: peerSeconds, 'faces/s': faces / peerSeconds, target: `gallery / peer: ${(summary.faces / seconds / (faces / peerSeconds)).toFixed(2)}` });
  }
  printTable(`Enroll throughput (${WORKERS} workers)`, rows);
  results.enroll = rows;
}

// ── 2. LFW identification ──────────────────────────────────────────────────────────────────
interface ProbeOutcome {
  /** Nearest subject and its distance, or null when no face was found. */
  readonly nearest: { subject: string; distance: number } | null;
}

/** The threshold at which `far` of the distractors are accepted, and the genuine probes identified within it. */
function openSetRates(genuine: readonly { correct: boolean; distance: number }[], distractorDistances: readonly number[], far: number): { threshold: number; tar: number } {
  const sorted = [...distractorDistances].sort((a, b) => a - b);
  const allowed = Math.floor(far * sorted.length);
  // Accept distance < threshold: exactly `allowed` distractors fall below it.
  const threshold = allowed < sorted.length ? sorted[allowed] : Number.POSITIVE_INFINITY;
  const tar = genuine.filter((g) => g.correct && g.distance < threshold).length / Math.max(1, genuine.length);
  return { threshold, tar };
}

if (PARTS.has('lfw')) {
  const people = lfwPeople();
  const enrolled = spread([...people].filter(([, photos]) => photos.length >= 2), SHARE);
  const genuineProbes = enrolled.flatMap(([subject, photos]) => photos.slice(1).map((photo) => ({ photo, subject })));
  const distractors = spread([...people].filter(([, photos]) => photos.length === 1).map(([subject, [photo]]) => ({ photo, subject })), SHARE);
  const { store, gallery } = await freshGallery('lfw');
  const enroll = await timedEnroll(gallery, enrolled.map(([subject, photos]) => lfwItem(photos[0], subject)), 'central');
  console.log(`LFW gallery: ${enroll.summary.faces} of ${enrolled.length} people enrolled in ${enroll.seconds.toFixed(1)} s (${enroll.summary.failed} without a face)`);
  await store.database.index(gallery.indexName).namespace(gallery.name).flush();

  // Embed each probe once; query it both ways.
  const probes = [...genuineProbes.map((p) => ({ ...p, genuine: true })), ...distractors.map((p) => ({ ...p, genuine: false }))];
  const embeddings = new Map<string, Float32Array | null>();
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 2 * WORKERS }, async (_, lane) => {
      for (let i = lane; i < probes.length; i += 2 * WORKERS) {
        const { photo } = probes[i];
        try {
          const [face] = await pipeline.represent(join(lfwDir, 'images', photo), { maxFaces: 1, select: 'central' });
          embeddings.set(photo, face.embedding);
        } catch {
          embeddings.set(photo, null);
        }
        if (++done % 500 === 0) console.log(`  embedded ${done} / ${probes.length} probes`);
      }
    }),
  );
  const embedSeconds = (performance.now() - started) / 1000;

  const rows: Row[] = [];
  for (const exact of [true, false]) {
    const outcomes = new Map<string, ProbeOutcome>();
    const queryStarted = performance.now();
    for (const { photo } of probes) {
      const embedding = embeddings.get(photo);
      if (!embedding) {
        outcomes.set(photo, { nearest: null });
        continue;
      }
      const matches = await gallery.storeIndex.query({ namespace: gallery.name, vector: embedding, topK: TOP_K, includeMetadata: true, exact });
      const [best] = rankSubjects(matches.map((m) => ({ recordId: m.id, subject: String(m.metadata?.subject), distance: cosineDistanceFromScore(m.score) })), gallery.rule);
      outcomes.set(photo, { nearest: best ? { subject: best.subject, distance: best.distance } : null });
    }
    const querySeconds = (performance.now() - queryStarted) / 1000;
    const genuine = genuineProbes.map(({ photo, subject }) => {
      const nearest = outcomes.get(photo)?.nearest;
      return { correct: nearest?.subject === subject, distance: nearest?.distance ?? Number.POSITIVE_INFINITY };
    });
    const distractorDistances = distractors.map(({ photo }) => outcomes.get(photo)?.nearest?.distance ?? Number.POSITIVE_INFINITY);
    const rank1 = genuine.filter((g) => g.correct).length / genuine.length;
    const at1 = openSetRates(genuine, distractorDistances, 0.01);
    const modelThreshold = gallery.rule.threshold;
    rows.push({
      search: exact ? 'exact' : 'approximate',
      gallery: enroll.summary.faces,
      'genuine probes': genuine.length,
      distractors: distractors.length,
      'rank-1': rank1,
      'TAR @ FAR 1 %': at1.tar,
      'threshold @ FAR 1 %': at1.threshold,
      [`TAR @ ${modelThreshold}`]: genuine.filter((g) => g.correct && g.distance <= modelThreshold).length / genuine.length,
      [`FAR @ ${modelThreshold}`]: distractorDistances.filter((d) => d <= modelThreshold).length / distractors.length,
      'query ms (mean)': (querySeconds * 1000) / probes.length,
    });
  }
  const noFace = [...embeddings.values()].filter((e) => e === null).length;
  printTable(`LFW open-set identification (probes embedded in ${embedSeconds.toFixed(0)} s; ${noFace} without a face)`, rows);
  results.lfw = { rows, enrolledPeople: enroll.summary.faces, enrollFailures: enroll.summary.failed, probesWithoutFace: noFace, share: SHARE };
  await store.close();
}

// ── 3. identify latency at scale ───────────────────────────────────────────────────────────
/** Face-like fill: 1 identity direction per 10 records, each record its identity plus noise (unit length). */
function* faceLikeChunks(count: number, dimension: number): Generator<StoreRecord[]> {
  const random = seededRandom(7);
  const gaussian = () => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
  const identity = new Float32Array(dimension);
  for (let first = 0; first < count; first += MAX_BATCH) {
    const records: StoreRecord[] = [];
    for (let i = first; i < Math.min(count, first + MAX_BATCH); i++) {
      if (i % 10 === 0) for (let d = 0; d < dimension; d++) identity[d] = gaussian();
      const values = new Float32Array(dimension);
      let norm = 0;
      for (let d = 0; d < dimension; d++) {
        values[d] = identity[d] / Math.sqrt(dimension) + (0.6 * gaussian()) / Math.sqrt(dimension);
        norm += values[d] * values[d];
      }
      for (let d = 0; d < dimension; d++) values[d] /= Math.sqrt(norm);
      const id = `fill-${String(i).padStart(7, '0')}`;
      records.push({ id, values, metadata: { subject: `fill-${Math.floor(i / 10)}` } });
    }
    yield records;
  }
}

if (PARTS.has('latency')) {
  const { store, gallery } = await freshGallery('latency', { quantization: QUANTIZATION, m: 16, efConstruction: 128, efSearch: 64 });
  const real = await timedEnroll(gallery, deepfaceItems(), 'largest');
  let started = performance.now();
  for (const records of faceLikeChunks(FILL, gallery.model.dimension)) await gallery.storeIndex.upsert(records, { namespace: gallery.name });
  const fillSeconds = (performance.now() - started) / 1000;
  const total = (await gallery.storeIndex.stats()).totalRecordCount;
  console.log(`filled to ${total.toLocaleString('en-US')} records: ${FILL.toLocaleString('en-US')} synthetic in ${fillSeconds.toFixed(1)} s, ${real.summary.faces} real faces`);
  let graphSeconds: number | null = null;
  if (args['wait-graph'] === true) {
    started = performance.now();
    await store.database.index(gallery.indexName).namespace(gallery.name).flush();
    graphSeconds = (performance.now() - started) / 1000;
    console.log(`HNSW graph (${QUANTIZATION}) complete after ${graphSeconds.toFixed(0)} s more`);
  }
  const probes = spread([...lfwPeople().values()].map((photos) => photos[0]), LATENCY_PROBES / lfwPeople().size).slice(0, LATENCY_PROBES);
  const rows: Row[] = [];
  for (const exact of [true, false]) {
    const endToEnd: number[] = [];
    const queryOnly: number[] = [];
    for (const photo of probes) {
      const path = join(lfwDir, 'images', photo);
      let t = performance.now();
      try {
        await gallery.identify(path, { exact });
      } catch {
        continue;
      }
      endToEnd.push(performance.now() - t);
      const [face] = await pipeline.represent(path, { maxFaces: 1 });
      t = performance.now();
      await gallery.storeIndex.query({ namespace: gallery.name, vector: face.embedding, topK: TOP_K, includeMetadata: true, exact });
      queryOnly.push(performance.now() - t);
    }
    const e2e: LatencySummary = summarize(endToEnd);
    const q: LatencySummary = summarize(queryOnly);
    rows.push({
      search: exact ? 'exact' : `approximate${graphSeconds === null ? ' (graph partial: the rest scanned exactly)' : ` (${QUANTIZATION} graph complete)`}`,
      records: total,
      probes: e2e.n,
      'end-to-end p50 ms': e2e.p50,
      'end-to-end p99 ms': e2e.p99,
      'query p50 ms': q.p50,
      'query p99 ms': q.p99,
      target: '<= 50 ms end to end',
    });
  }
  printTable(`Identify latency, gallery of ${total.toLocaleString('en-US')} records`, rows);
  results.latency = { rows, fill: FILL, fillSeconds, graphSeconds, quantization: QUANTIZATION, realFaces: real.summary.faces };
  await store.close();
}

await pipeline.close();
rmSync(scratch, { recursive: true, force: true });
writeResult(OUT, results);
