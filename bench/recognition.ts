/**
 * Recognition at scale (issue 5): the gallery over the embedded store, on real photos.
 *
 *   npx tsx bench/recognition.ts --parts enroll --out bench/results/recognition-enroll.json
 *   npx tsx bench/recognition.ts --parts calibrate,lfw --out bench/results/recognition-lfw.json
 *   npx tsx bench/recognition.ts --parts calibrate --model fusion-arcface-dlib --out bench/results/recognition-calibrate-fusion.json
 *   npx tsx bench/recognition.ts --parts latency --fill 1000000 --wait-graph --quantization i8 --out bench/results/recognition-latency-1m.json
 *   options: --datasets DIR (default ../shared/datasets or $FACEVAULT_DATASETS), --workers N (default 2),
 *            --model NAME (default the registry's), --lfw-enroll N (2000), --prefill N (100000),
 *            --probes N (latency probes, 200), --share S (calibrate and lfw parts: that share of the people), --out FILE
 *
 * 1. enroll: faces/s of `Gallery.enroll` (read, hash, decode, detect, align, embed, upsert) on the
 *    DeepFace set and on the first 2,000 LFW photos, against the face pipeline alone on the same
 *    photos (the peer: the ratio is the gallery's own cost), both with the files in the page cache
 *    and the workers warmed up; then the same LFW photos into a gallery already holding
 *    `--prefill` records. Target >= 60 faces/s on 2 cores.
 * 2. calibrate: the identification threshold, calibrated and reported on disjoint people. LFW's
 *    people, in the order of lfw-identities.csv, are split in two halves (even and odd positions).
 *    In each half, the open-set protocol of the lfw part: the gallery holds the first photo of each
 *    person with two or more, genuine probes are their other photos, the people with one photo are
 *    the distractors. The threshold at which 1 % of half A's distractors are accepted (rounded down
 *    to two significant digits) is reported on half B (TAR, FAR) and vice versa; exact
 *    nearest-subject search. The 1:1 false-match rate of distractors against every gallery face at
 *    that threshold projects the FAR of larger galleries: 1 − (1 − FMR)^N. For a fusion model, each
 *    of its networks too (their embeddings are slices of the fused one: same detection, own alignment).
 * 3. lfw: open-set identification on all of LFW (after Best-Rowden et al. 2014): the gallery holds
 *    the first photo of each of the 1,680 people with two or more, enrolled through `Gallery.enroll`;
 *    the 4,069 people with a single photo are the distractors. Rank-1 = the nearest subject is the
 *    right one (genuine probes); TAR @ FAR 1 % = share of genuine probes whose nearest subject is
 *    right and within the threshold at which 1 % of distractors are accepted; TAR and FAR at the
 *    model's verification and identification thresholds. Exact and approximate search alike. A
 *    photo without a detected face counts as a miss (genuine) or a rejection (distractor).
 * 4. latency: identify in a gallery filled to `--fill` synthetic face-like records (identities =
 *    random directions, samples = identity + noise) plus real faces: the DeepFace set and LFW's
 *    1,680-person gallery; probes = genuine LFW probes, end to end (`Gallery.identify`: decode →
 *    detect → embed every face → query → verdict) and the query alone, p50/p99, and the rank-1 of
 *    the probes among the filled gallery. Target <= 50 ms end to end.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FacePipeline } from '../src/face/pipeline.js';
import { networksOf, resolveModel } from '../src/face/models/registry.js';
import { parseCsv, type EnrollItem } from '../src/recognition/enroll-sources.js';
import { contentHash, faceRecordId } from '../src/recognition/face-record.js';
import { Gallery, type EnrollSummary } from '../src/recognition/gallery.js';
import { cosineDistanceFromScore, rankSubjects } from '../src/recognition/identify.js';
import { openEmbeddedStore, type EmbeddedStore } from '../src/stores/embedded-store.js';
import { MAX_BATCH, type StoreRecord } from '../src/stores/vector-store.js';
import type { Engine, HnswConfig } from '../src/vector/types.js';
import { machineFacts, parseArgs, printTable, summarize, writeResult, type Row } from './lib/report.js';
import { seededRandom } from './lib/synthetic.js';
import { at } from '../src/util/checked.js';

const args = parseArgs(process.argv.slice(2));
const datasets = resolve(String(args.datasets ?? process.env.FACEVAULT_DATASETS ?? '../shared/datasets'));
const deepfaceDir = join(datasets, 'deepface');
const lfwDir = join(datasets, 'lfw');
if (!existsSync(join(lfwDir, 'lfw-identities.csv')) || !existsSync(join(deepfaceDir, 'identities.csv'))) {
  console.error(`datasets not found under ${datasets} (need deepface/identities.csv and lfw/lfw-identities.csv): pass --datasets DIR or set FACEVAULT_DATASETS`);
  process.exit(1);
}
const PARTS = new Set(String(args.parts ?? 'enroll,calibrate,lfw,latency').split(','));
const WORKERS = Number(args.workers ?? 2);
const LFW_ENROLL = Number(args['lfw-enroll'] ?? 2000);
const PREFILL = Number(args.prefill ?? 100_000);
const SHARE = Number(args.share ?? 1);
const FILL = Number(args.fill ?? 1_000_000);
const LATENCY_PROBES = Number(args.probes ?? 200);
const QUANTIZATION = (args.quantization ?? 'i8') as HnswConfig['quantization'];
const OUT = String(args.out ?? 'bench/results/recognition.json');
const TOP_K = 10;
/** The operating point calibrated: the share of strangers a search may take for someone enrolled. */
const TARGET_FAR = 0.01;

const results: Record<string, unknown> = { machine: machineFacts(), command: `npx tsx bench/recognition.ts ${process.argv.slice(2).join(' ')}`, workers: WORKERS };
const scratch = mkdtempSync(join(tmpdir(), 'facevault-bench-recognition-'));
const pipeline = await FacePipeline.create({ workers: WORKERS, model: args.model === undefined ? undefined : String(args.model) });
const entry = resolveModel(pipeline.model.name);
results.model = entry.info.name;

/** A fresh store and gallery in the scratch folder; the gallery index is created with the given engine and HNSW settings. */
async function freshGallery(name: string, index: { engine?: Engine; hnsw?: Partial<HnswConfig> } = {}): Promise<{ store: EmbeddedStore; gallery: Gallery }> {
  const store = await openEmbeddedStore(join(scratch, name), { defaultEngine: index.engine });
  if (index.hnsw) await store.database.createIndex({ name: `faces-${pipeline.model.name}`, dimension: pipeline.model.dimension, metric: 'cosine', engine: 'approximate', hnsw: index.hnsw });
  return { store, gallery: await Gallery.open({ store, pipeline }) };
}

function deepfaceItems(): EnrollItem[] {
  return parseCsv(readFileSync(join(deepfaceDir, 'identities.csv'), 'utf8'))
    .slice(1)
    .flatMap(([image, identity, name]) => (image === undefined || identity === undefined ? [] : [{ path: join(deepfaceDir, 'images', image), source: image, subject: name?.trim() || identity }]));
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

const lfwPath = (image: string): string => join(lfwDir, 'images', image);
const lfwItem = (image: string, subject: string): EnrollItem => ({ path: lfwPath(image), source: image, subject });

/** Every `1 / share`-th element, so a partial run still spreads over the whole list. */
function spread<T>(items: readonly T[], share: number): T[] {
  const step = Math.max(1, Math.round(1 / share));
  return items.filter((_, i) => i % step === 0);
}

/** LFW's open-set protocol over some people: the first photo of each with two or more is enrolled, the rest probe. */
interface OpenSet {
  readonly gallery: readonly { subject: string; photo: string }[];
  readonly genuine: readonly { subject: string; photo: string }[];
  readonly distractors: readonly { subject: string; photo: string }[];
}

function openSet(people: readonly (readonly [string, readonly string[]])[]): OpenSet {
  const enrolled = people.filter(([, photos]) => photos.length >= 2);
  return {
    gallery: enrolled.map(([subject, photos]) => ({ subject, photo: at(photos, 0) })),
    genuine: enrolled.flatMap(([subject, photos]) => photos.slice(1).map((photo) => ({ subject, photo }))),
    distractors: people.flatMap(([subject, [photo, ...others]]) => (photo !== undefined && others.length === 0 ? [{ subject, photo }] : [])),
  };
}

/** Embeddings of LFW photos (the face nearest the centre: LFW's subject), computed once per run and shared by the parts; null: no face found. */
const lfwEmbeddings = new Map<string, Float32Array | null>();

async function embedLfw(photos: readonly string[]): Promise<number> {
  const todo = [...new Set(photos)].filter((photo) => !lfwEmbeddings.has(photo));
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: 2 * WORKERS }, async (_, lane) => {
      for (let i = lane; i < todo.length; i += 2 * WORKERS) {
        const photo = at(todo, i);
        const faces = await pipeline.represent(lfwPath(photo), { maxFaces: 1, select: 'central' }).catch(() => []);
        lfwEmbeddings.set(photo, faces[0]?.embedding ?? null);
        if (++done % 1000 === 0) console.log(`  embedded ${done} / ${todo.length} LFW photos`);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function timedEnroll(gallery: Gallery, items: readonly EnrollItem[], onMultipleFaces: 'largest' | 'central'): Promise<{ summary: EnrollSummary; seconds: number }> {
  const started = performance.now();
  const summary = await gallery.enroll(items, { onMultipleFaces });
  return { summary, seconds: (performance.now() - started) / 1000 };
}

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
      identity.forEach((centre, d) => {
        const value = Math.fround(centre / Math.sqrt(dimension) + (0.6 * gaussian()) / Math.sqrt(dimension));
        values[d] = value;
        norm += value * value;
      });
      values.forEach((value, d) => {
        values[d] = value / Math.sqrt(norm);
      });
      // Ids shaped like the gallery's own (photo hash + face number), so they arrive in no sorted order, as a real gallery's do.
      records.push({ id: faceRecordId(contentHash(Buffer.from(`fill-${i}`)), 0), values, metadata: { subject: `fill-${Math.floor(i / 10)}` } });
    }
    yield records;
  }
}

async function fill(gallery: Gallery, count: number): Promise<number> {
  const started = performance.now();
  for (const records of faceLikeChunks(count, gallery.model.dimension)) await gallery.storeIndex.upsert(records, { namespace: gallery.name });
  return (performance.now() - started) / 1000;
}

// ── 1. enroll throughput ────────────────────────────────────────────────────────────────────
if (PARTS.has('enroll')) {
  const rows: Row[] = [];
  const lfwFirst = [...lfwPeople()].flatMap(([subject, photos]) => photos.map((photo) => lfwItem(photo, subject))).slice(0, LFW_ENROLL);
  const sets = [['deepface', deepfaceItems(), 'largest'], [`lfw (first ${lfwFirst.length})`, lfwFirst, 'central']] as const;
  // Same start for the gallery and its peer: files in the page cache, every worker past its first (slow) inferences.
  for (const [, items] of sets) for (const item of items) readFileSync(item.path);
  await Promise.all(lfwFirst.slice(0, 8 * WORKERS).map((item) => pipeline.represent(item.path, { maxFaces: 1 })));
  const enrollRow = (set: string, run: string, summary: EnrollSummary, seconds: number): Row => ({ set, run, photos: summary.photos, faces: summary.faces, failed: summary.failed, seconds, 'faces/s': summary.faces / seconds });
  for (const [set, items, select] of sets) {
    // The peer: the face pipeline alone on the same photos, as many in flight as the gallery keeps.
    const started = performance.now();
    let faces = 0;
    const lanes = 4 * WORKERS;
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        for (let i = lane; i < items.length; i += lanes) {
          const found = (await pipeline.represent(at(items, i).path, { maxFaces: 1, select }).catch(() => [])).length;
          faces += found;
        }
      }),
    );
    const peerSeconds = (performance.now() - started) / 1000;
    const peer = faces / peerSeconds;
    rows.push({ set, run: 'pipeline.represent only (peer)', photos: items.length, faces, failed: items.length - faces, seconds: peerSeconds, 'faces/s': peer });
    const { store, gallery } = await freshGallery(`enroll-${set.split(' ')[0]}`);
    const { summary, seconds } = await timedEnroll(gallery, items, select);
    rows.push({ ...enrollRow(set, 'Gallery.enroll, empty gallery', summary, seconds), 'gallery / peer': summary.faces / seconds / peer });
    await store.close();
  }
  // A large gallery: the enrolment's own look-ups must not grow with it. Exact engine, so no graph build competes for the cores.
  const { store, gallery } = await freshGallery('enroll-prefilled', { engine: 'exact' });
  const fillSeconds = await fill(gallery, PREFILL);
  const { summary, seconds } = await timedEnroll(gallery, lfwFirst, 'central');
  rows.push(enrollRow(`lfw (first ${lfwFirst.length})`, `Gallery.enroll, gallery of ${PREFILL.toLocaleString('en-US')} (filled in ${fillSeconds.toFixed(0)} s)`, summary, seconds));
  await store.close();
  printTable(`Enroll throughput (${WORKERS} workers; target >= 60 faces/s)`, rows);
  results.enroll = rows;
}

// ── 2. identification threshold, calibrated on half of LFW's people, reported on the other ────
/** The `slice` of a unit embedding (one network's part of a fused one), at unit length again. */
function sliceUnit(embedding: Float32Array, slice: { start: number; end: number }): Float32Array {
  const part = embedding.slice(slice.start, slice.end);
  let norm = 0;
  for (const v of part) norm += v * v;
  const k = 1 / Math.sqrt(norm);
  return part.map((v) => v * k);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  a.forEach((x, i) => {
    s += x * at(b, i);
  });
  return s;
}

interface Nearest {
  readonly subject: string;
  /** Cosine distance; Infinity for a photo without a face. */
  readonly distance: number;
}

/** Exact nearest-subject search by brute force (what an exact gallery query computes), and every distractor × gallery distance (the 1:1 impostor comparisons). */
function searchOpenSet(set: OpenSet, slice: { start: number; end: number }): { genuine: Nearest[]; distractors: Nearest[]; impostorDistances: number[] } {
  const gallery = set.gallery.flatMap(({ subject, photo }) => {
    const e = lfwEmbeddings.get(photo);
    return e ? [{ subject, embedding: sliceUnit(e, slice) }] : [];
  });
  const impostorDistances: number[] = [];
  const nearestOf = (photo: string, keepAll: boolean): Nearest => {
    const e = lfwEmbeddings.get(photo);
    if (!e) return { subject: '', distance: Number.POSITIVE_INFINITY };
    const probe = sliceUnit(e, slice);
    let best: Nearest = { subject: '', distance: Number.POSITIVE_INFINITY };
    for (const face of gallery) {
      const distance = 1 - dot(probe, face.embedding);
      if (keepAll) impostorDistances.push(distance);
      if (distance < best.distance) best = { subject: face.subject, distance };
    }
    return best;
  };
  return {
    genuine: set.genuine.map(({ photo }) => nearestOf(photo, false)),
    distractors: set.distractors.map(({ photo }) => nearestOf(photo, true)),
    impostorDistances,
  };
}

/**
 * The largest threshold, rounded down to two significant digits, at which at most `far` of the
 * distractors are accepted (distance <= threshold). Significant digits, not decimals: dlib's
 * distances are a seventh of ArcFace's, and 0.01 steps would move its FAR several-fold.
 */
function thresholdAtFar(distractorDistances: readonly number[], far: number): number {
  const sorted = [...distractorDistances].sort((a, b) => a - b);
  const allowed = Math.floor(far * sorted.length);
  // Accepting below sorted[allowed] takes exactly `allowed` distractors; rounding down keeps it at most that.
  const limit = at(sorted, allowed);
  const scale = 10 ** (1 - Math.floor(Math.log10(limit)));
  return Math.floor(limit * scale - 1e-9) / scale;
}

function rates(set: OpenSet, searched: ReturnType<typeof searchOpenSet>, threshold: number): { rank1: number; tar: number; far: number; fmr: number } {
  let correct = 0, accepted = 0;
  set.genuine.forEach(({ subject }, i) => {
    const { subject: nearest, distance } = at(searched.genuine, i);
    if (nearest === subject) {
      correct++;
      if (distance <= threshold) accepted++;
    }
  });
  const falseAccepts = searched.distractors.filter((d) => d.distance <= threshold).length;
  const falseMatches = searched.impostorDistances.filter((d) => d <= threshold).length;
  return { rank1: correct / set.genuine.length, tar: accepted / set.genuine.length, far: falseAccepts / set.distractors.length, fmr: falseMatches / searched.impostorDistances.length };
}

/** Model name → the threshold this run calibrated on half A. */
const calibrated = new Map<string, number>();

if (PARTS.has('calibrate')) {
  const people = spread([...lfwPeople()], SHARE);
  const halves = { A: openSet(people.filter((_, i) => i % 2 === 0)), B: openSet(people.filter((_, i) => i % 2 === 1)) };
  const seconds = await embedLfw(people.flatMap(([, photos]) => photos));
  // The model itself and, for a fusion, each network: its embedding is a slice of the fused vector.
  let offset = 0;
  const evaluated = [
    { model: entry.info.name, slice: { start: 0, end: entry.info.dimension } },
    ...(entry.kind === 'fusion' ? networksOf(entry).map((network) => ({ model: network.info.name, slice: { start: offset, end: (offset += network.info.dimension) } })) : []),
  ];
  const rows: Row[] = [];
  for (const { model, slice } of evaluated) {
    const searched = { A: searchOpenSet(halves.A, slice), B: searchOpenSet(halves.B, slice) };
    for (const [calibration, report] of [['A', 'B'], ['B', 'A']] as const) {
      const threshold = thresholdAtFar(searched[calibration].distractors.map((d) => d.distance), TARGET_FAR);
      if (calibration === 'A') calibrated.set(model, threshold);
      const onCalibration = rates(halves[calibration], searched[calibration], threshold);
      const onReport = rates(halves[report], searched[report], threshold);
      const verification = rates(halves[report], searched[report], resolveModel(model).info.thresholds.cosine);
      rows.push({
        model,
        'calibrated on': `half ${calibration} (${halves[calibration].gallery.length} enrolled, ${halves[calibration].distractors.length} distractors)`,
        'threshold @ FAR 1 %': threshold,
        'FAR (calibration half)': onCalibration.far,
        'reported on': `half ${report} (${halves[report].gallery.length} enrolled, ${halves[report].genuine.length} genuine, ${halves[report].distractors.length} distractors)`,
        'rank-1': onReport.rank1,
        TAR: onReport.tar,
        FAR: onReport.far,
        '1:1 FMR': onReport.fmr.toExponential(2),
        'projected FAR, 10K gallery': 1 - (1 - onReport.fmr) ** 10_000,
        'projected FAR, 1M gallery': 1 - (1 - onReport.fmr) ** 1_000_000,
        [`TAR @ verification ${resolveModel(model).info.thresholds.cosine}`]: verification.tar,
        [`FAR @ verification ${resolveModel(model).info.thresholds.cosine}`]: verification.far,
      });
    }
  }
  const noFace = [...lfwEmbeddings.values()].filter((e) => e === null).length;
  printTable(`Identification threshold at FAR ${TARGET_FAR * 100} %, calibrated on one half of LFW's people, reported on the other (${lfwEmbeddings.size} photos embedded in ${seconds.toFixed(0)} s; ${noFace} without a face)`, rows);
  results.calibrate = { rows, split: 'people of lfw-identities.csv at even (A) and odd (B) positions', targetFar: TARGET_FAR, photosWithoutFace: noFace };
}

// ── 3. LFW identification, whole set ─────────────────────────────────────────────────────────
/** The threshold at which `far` of the distractors are accepted (distance < threshold), and the genuine probes identified within it. */
function openSetRates(genuine: readonly { correct: boolean; distance: number }[], distractorDistances: readonly number[], far: number): { threshold: number; tar: number } {
  const sorted = [...distractorDistances].sort((a, b) => a - b);
  const allowed = Math.floor(far * sorted.length);
  // Accept distance < threshold: exactly `allowed` distractors fall below it.
  const threshold = sorted[allowed] ?? Number.POSITIVE_INFINITY;
  const tar = genuine.filter((g) => g.correct && g.distance < threshold).length / Math.max(1, genuine.length);
  return { threshold, tar };
}

if (PARTS.has('lfw')) {
  const set = openSet(spread([...lfwPeople()], SHARE));
  const { store, gallery } = await freshGallery('lfw');
  const enroll = await timedEnroll(gallery, set.gallery.map(({ subject, photo }) => lfwItem(photo, subject)), 'central');
  console.log(`LFW gallery: ${enroll.summary.faces} of ${set.gallery.length} people enrolled in ${enroll.seconds.toFixed(1)} s (${enroll.summary.failed} without a face)`);
  await store.database.index(gallery.indexName).namespace(gallery.name).flush();
  const probes = [...set.genuine, ...set.distractors];
  const embedSeconds = await embedLfw(probes.map((p) => p.photo));

  const rows: Row[] = [];
  // The registry's thresholds, and the one this run calibrated on half A (when the calibrate part ran), for comparison.
  const onHalfA = calibrated.get(entry.info.name);
  const thresholds: Record<string, number> = { verification: entry.info.thresholds.cosine, identification: gallery.rule.threshold, ...(onHalfA === undefined ? {} : { 'calibrated on half A': onHalfA }) };
  for (const exact of [true, false]) {
    const nearest = new Map<string, { subject: string; distance: number } | null>();
    const queryStarted = performance.now();
    for (const { photo } of probes) {
      const embedding = lfwEmbeddings.get(photo);
      if (!embedding) continue;
      const matches = await gallery.storeIndex.query({ namespace: gallery.name, vector: embedding, topK: TOP_K, includeMetadata: true, exact });
      const [best] = rankSubjects(matches.map((m) => ({ recordId: m.id, subject: String(m.metadata?.subject), distance: cosineDistanceFromScore(m.score) })), gallery.rule);
      nearest.set(photo, best ? { subject: best.subject, distance: best.distance } : null);
    }
    const querySeconds = (performance.now() - queryStarted) / 1000;
    const genuine = set.genuine.map(({ photo, subject }) => {
      const found = nearest.get(photo);
      return { correct: found?.subject === subject, distance: found?.distance ?? Number.POSITIVE_INFINITY };
    });
    const distractorDistances = set.distractors.map(({ photo }) => nearest.get(photo)?.distance ?? Number.POSITIVE_INFINITY);
    const at1 = openSetRates(genuine, distractorDistances, TARGET_FAR);
    const row: Row = {
      search: exact ? 'exact' : 'approximate',
      gallery: enroll.summary.faces,
      'genuine probes': genuine.length,
      distractors: set.distractors.length,
      'rank-1': genuine.filter((g) => g.correct).length / genuine.length,
      'TAR @ FAR 1 %': at1.tar,
      'threshold @ FAR 1 %': at1.threshold,
    };
    for (const [name, threshold] of Object.entries(thresholds)) {
      row[`TAR @ ${name} ${threshold}`] = genuine.filter((g) => g.correct && g.distance <= threshold).length / genuine.length;
      row[`FAR @ ${name} ${threshold}`] = distractorDistances.filter((d) => d <= threshold).length / set.distractors.length;
    }
    row['query ms (mean)'] = (querySeconds * 1000) / probes.length;
    rows.push(row);
  }
  const noFace = probes.filter(({ photo }) => !lfwEmbeddings.get(photo)).length;
  printTable(`LFW open-set identification (probes embedded in ${embedSeconds.toFixed(0)} s; ${noFace} without a face)`, rows);
  results.lfw = { rows, enrolledPeople: enroll.summary.faces, enrollFailures: enroll.summary.failed, probesWithoutFace: noFace, share: SHARE, thresholds };
  await store.close();
}

// ── 4. identify latency at scale ───────────────────────────────────────────────────────────
if (PARTS.has('latency')) {
  const { store, gallery } = await freshGallery('latency', { hnsw: { quantization: QUANTIZATION, m: 16, efConstruction: 128, efSearch: 64 } });
  const set = openSet([...lfwPeople()]);
  const real = await timedEnroll(gallery, deepfaceItems(), 'largest');
  const lfwGallery = await timedEnroll(gallery, set.gallery.map(({ subject, photo }) => lfwItem(photo, subject)), 'central');
  const fillSeconds = await fill(gallery, FILL);
  const total = (await gallery.storeIndex.stats()).totalRecordCount;
  console.log(`filled to ${total.toLocaleString('en-US')} records: ${FILL.toLocaleString('en-US')} synthetic in ${fillSeconds.toFixed(1)} s, ${real.summary.faces} DeepFace and ${lfwGallery.summary.faces} LFW faces`);
  let graphSeconds: number | null = null;
  if (args['wait-graph'] === true) {
    const started = performance.now();
    await store.database.index(gallery.indexName).namespace(gallery.name).flush();
    graphSeconds = (performance.now() - started) / 1000;
    console.log(`HNSW graph (${QUANTIZATION}) complete after ${graphSeconds.toFixed(0)} s more`);
  }
  const probes = spread(set.genuine, LATENCY_PROBES / set.genuine.length).slice(0, LATENCY_PROBES);
  await embedLfw(probes.map((p) => p.photo));
  const rows: Row[] = [];
  for (const exact of [true, false]) {
    // Untimed: the first queries open the graph and warm the caches.
    for (const { photo } of probes.slice(0, 5)) await gallery.identify(lfwPath(photo), { exact }).catch(() => undefined);
    const endToEnd: number[] = [];
    const queryOnly: number[] = [];
    let rank1 = 0;
    let embedded = 0;
    for (const { photo, subject } of probes) {
      let t = performance.now();
      try {
        await gallery.identify(lfwPath(photo), { exact });
        endToEnd.push(performance.now() - t);
      } catch {
        // No face: nothing to time.
      }
      const embedding = lfwEmbeddings.get(photo);
      if (!embedding) continue;
      embedded++;
      t = performance.now();
      const matches = await gallery.storeIndex.query({ namespace: gallery.name, vector: embedding, topK: TOP_K, includeMetadata: true, exact });
      queryOnly.push(performance.now() - t);
      const [best] = rankSubjects(matches.map((m) => ({ recordId: m.id, subject: String(m.metadata?.subject), distance: cosineDistanceFromScore(m.score) })), gallery.rule);
      if (best?.subject === subject) rank1++;
    }
    const e2e = summarize(endToEnd);
    const q = summarize(queryOnly);
    rows.push({
      search: exact ? 'exact' : `approximate${graphSeconds === null ? ' (graph partial: the rest scanned exactly)' : ` (${QUANTIZATION} graph complete)`}`,
      records: total,
      probes: probes.length,
      'end-to-end p50 ms': e2e.p50,
      'end-to-end p99 ms': e2e.p99,
      'query p50 ms': q.p50,
      'query p99 ms': q.p99,
      'rank-1': rank1 / Math.max(1, embedded),
      target: '<= 50 ms end to end',
    });
  }
  printTable(`Identify latency, gallery of ${total.toLocaleString('en-US')} records`, rows);
  results.latency = { rows, fill: FILL, fillSeconds, graphSeconds, quantization: QUANTIZATION, hnsw: { m: 16, efConstruction: 128, efSearch: 64 }, realFaces: { deepface: real.summary.faces, lfw: lfwGallery.summary.faces } };
  await store.close();
}

await pipeline.close();
rmSync(scratch, { recursive: true, force: true });
writeResult(OUT, results);
