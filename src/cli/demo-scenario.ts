/**
 * The reference scenario, on the embedded store: enroll real photos, add synthetic records up
 * to 100,000 in chunks of 1,000, identify a target photo exactly and approximately, fetch a
 * stored face by id and verify the target against it — timing each step for comparison with
 * the same scenario on Pinecone (8.37 s per 1,000-record chunk, 14 min for 100K, 0.3 s a query).
 *
 * Photos: DeepFace's test set (`<datasets>/deepface`, 61 labelled photos of 13 people, target
 * `integration/target.jpg`) when present; otherwise the group photos that ship with the npm
 * package @vladmandic/face-api (every face its own subject, person-1..N; the target is a
 * mirrored, resized copy of one of them), so the demo runs on any fresh install.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { FacePipeline } from '../face/pipeline.js';
import { parseCsv, type EnrollItem } from '../recognition/enroll-sources.js';
import type { Gallery, IdentifyResult, RecordVerification } from '../recognition/gallery.js';
import type { EmbeddedStore } from '../stores/embedded-store.js';
import { MAX_BATCH, type StoreRecord } from '../stores/vector-store.js';
import { seededRandom } from '../util/seeded-random.js';
import { at, defined } from '../util/checked.js';
import { PINECONE_REFERENCE } from './pinecone-reference.js';


export interface DemoPhotos {
  readonly label: string;
  /** Enrolls the photos; returns how many photos and faces went in. */
  readonly enroll: (gallery: Gallery) => Promise<{ photos: number; faces: number; problems: string[] }>;
  readonly target: { readonly name: string; readonly image: string | Uint8Array };
}

export interface DemoStep {
  readonly step: string;
  readonly seconds: number;
  readonly detail?: string;
  /** The reference's time for the same step, in seconds. */
  readonly reference?: number;
}

export interface DemoOutcome {
  readonly photos: string;
  readonly steps: DemoStep[];
  readonly identifyExact: IdentifyResult;
  readonly identifyApproximate: IdentifyResult;
  readonly verification?: RecordVerification;
}

/** DeepFace's labelled photos when the datasets folder holds them, else face-api's samples from npm. */
export async function demoPhotos(datasets: string): Promise<DemoPhotos> {
  const deepface = join(datasets, 'deepface');
  if (existsSync(join(deepface, 'identities.csv')) && existsSync(join(deepface, 'images', 'integration', 'target.jpg'))) return deepfacePhotos(deepface);
  return faceApiSamples();
}

/** The DeepFace set's photos as enroll items, each under its name where the source gives one, else its identity id. */
export function deepfaceEnrollItems(dir: string): EnrollItem[] {
  const rows = parseCsv(readFileSync(join(dir, 'identities.csv'), 'utf8')).slice(1);
  // identities.csv: image,identity_id,name_from_repo — a name where the source gives one.
  return rows.flatMap(([image, identity, name]) =>
    image === undefined || identity === undefined ? [] : [{ path: join(dir, 'images', image), source: image, subject: name?.trim() || identity }],
  );
}

function deepfacePhotos(dir: string): DemoPhotos {
  const items = deepfaceEnrollItems(dir);
  return {
    label: `DeepFace test set (${items.length} labelled photos, ${dir})`,
    enroll: async (gallery) => {
      // A few portraits show a second, smaller face in the background: take the largest.
      const summary = await gallery.enroll(items, { onMultipleFaces: 'largest' });
      return { photos: summary.photos, faces: summary.faces, problems: summary.problems.map((p) => `${p.source}: ${p.error?.code}`) };
    },
    target: { name: 'integration/target.jpg', image: join(dir, 'images', 'integration', 'target.jpg') },
  };
}

async function faceApiSamples(): Promise<DemoPhotos> {
  const demoDir = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
  const samples = [1, 2, 3, 4, 5, 6].map((n) => join(demoDir, `sample${n}.jpg`));
  const target = await sharp(samples[1]).flop().resize({ width: 900 }).jpeg({ quality: 85 }).toBuffer();
  return {
    label: `group photos of the npm package @vladmandic/face-api (${demoDir}; no datasets folder found); target: sample2.jpg mirrored and resized to 900 px`,
    enroll: async (gallery) => {
      let person = 0;
      let faces = 0;
      // One photo at a time, so the people are numbered in a stable order.
      for (const sample of samples) faces += (await gallery.enrollPhoto(sample, () => `person-${++person}`, { faces: 'all' })).recordIds.length;
      return { photos: samples.length, faces, problems: [] };
    },
    target: { name: 'sample2-mirrored.jpg', image: new Uint8Array(target) },
  };
}

/**
 * Runs the scenario on a fresh gallery; `synthetic` records are added in chunks of 1,000.
 * `waitForGraph` waits until the HNSW graph holds every record before the approximate query
 * (building 100K × 512-d takes minutes on two cores); without it the approximate query searches
 * the graph built so far and scans the rest exactly, so its answer is complete either way.
 */
export async function runDemo(setup: {
  readonly store: EmbeddedStore;
  readonly pipeline: FacePipeline;
  readonly gallery: Gallery;
  readonly photos: DemoPhotos;
  readonly synthetic: number;
  readonly waitForGraph: boolean;
  readonly onStep?: (step: DemoStep) => void;
}): Promise<DemoOutcome> {
  const { store, pipeline, gallery, photos } = setup;
  const steps: DemoStep[] = [];
  const record = (step: DemoStep) => {
    steps.push(step);
    setup.onStep?.(step);
  };

  let started = performance.now();
  const enrolled = await photos.enroll(gallery);
  const enrollSeconds = elapsed(started);
  record({
    step: `enroll ${enrolled.photos} photos`,
    seconds: enrollSeconds,
    detail: `${enrolled.faces} faces, ${(enrolled.faces / enrollSeconds).toFixed(1)} faces/s${enrolled.problems.length ? `; not enrolled: ${enrolled.problems.join(', ')}` : ''}`,
  });

  const dimension = gallery.model.dimension;
  const chunks = Math.ceil(setup.synthetic / MAX_BATCH);
  let upsertSeconds = 0;
  const random = seededRandom(42);
  for (let chunk = 0; chunk < chunks; chunk++) {
    const records = syntheticChunk(chunk * MAX_BATCH, Math.min(MAX_BATCH, setup.synthetic - chunk * MAX_BATCH), dimension, random);
    started = performance.now();
    await gallery.storeIndex.upsert(records, { namespace: gallery.name });
    upsertSeconds += elapsed(started);
  }
  if (chunks > 0) {
    record({
      step: `upsert ${setup.synthetic.toLocaleString('en-US')} synthetic × ${dimension}-d in ${chunks} chunks of ${MAX_BATCH.toLocaleString('en-US')}`,
      seconds: upsertSeconds,
      detail: `${((upsertSeconds / chunks) * 1000).toFixed(1)} ms per chunk (reference ${PINECONE_REFERENCE.secondsPerChunk} s)`,
      reference: (PINECONE_REFERENCE.secondsPerChunk * setup.synthetic) / MAX_BATCH,
    });
  }
  const total = (await gallery.storeIndex.stats()).namespaces[gallery.name] ?? 0;

  const probe = defined((await pipeline.represent(photos.target.image, { maxFaces: 1 }))[0], 'the face of the target photo');
  const exactQuery = await medianSeconds(9, () => gallery.storeIndex.query({ namespace: gallery.name, vector: probe.embedding, topK: 10, exact: true }));
  record({ step: `query top-10, exact, ${total.toLocaleString('en-US')} records`, seconds: exactQuery, detail: 'median of 9', reference: PINECONE_REFERENCE.secondsPerQuery });

  if (setup.waitForGraph) {
    started = performance.now();
    await store.database.index(gallery.indexName).namespace(gallery.name).flush();
    record({ step: 'wait for the HNSW graph to hold every record', seconds: elapsed(started) });
  }
  const approximateQuery = await medianSeconds(9, () => gallery.storeIndex.query({ namespace: gallery.name, vector: probe.embedding, topK: 10, exact: false }));
  record({
    step: `query top-10, approximate, ${total.toLocaleString('en-US')} records`,
    seconds: approximateQuery,
    detail: setup.waitForGraph ? 'median of 9, HNSW graph complete' : 'median of 9; records the background graph build has not reached yet are scanned exactly',
    reference: PINECONE_REFERENCE.secondsPerQuery,
  });

  started = performance.now();
  const identifyExact = await gallery.identify(photos.target.image, { exact: true });
  record({ step: `identify ${photos.target.name} (exact), end to end`, seconds: elapsed(started), detail: describeIdentity(identifyExact), reference: PINECONE_REFERENCE.secondsPerQuery });
  started = performance.now();
  const identifyApproximate = await gallery.identify(photos.target.image, { exact: false });
  record({ step: `identify ${photos.target.name} (approximate), end to end`, seconds: elapsed(started), detail: describeIdentity(identifyApproximate), reference: PINECONE_REFERENCE.secondsPerQuery });

  const first = identifyExact.faces[0]?.identity;
  const recordId = first?.status === 'known' ? first.recordId : identifyExact.faces[0]?.candidates[0]?.recordId;
  let verification: RecordVerification | undefined;
  if (recordId !== undefined) {
    started = performance.now();
    const stored = await gallery.getRecord(recordId);
    record({ step: `fetch record ${recordId} by id`, seconds: elapsed(started), detail: stored ? `subject ${stored.subject}, from ${stored.source}` : 'not found' });
    started = performance.now();
    verification = await gallery.verifyRecord(photos.target.image, recordId);
    record({
      step: `verify ${photos.target.name} against that record`,
      seconds: elapsed(started),
      detail: `${verification.verified ? 'verified' : 'not verified'}: distance ${verification.distance.toFixed(3)} ${verification.verified ? '<=' : '>'} threshold ${verification.threshold}, confidence ${verification.confidence.toFixed(1)} %`,
    });
  }
  return { photos: photos.label, steps, identifyExact, identifyApproximate, verification };
}

function describeIdentity(result: IdentifyResult): string {
  return result.faces
    .map((face) => (face.identity.status === 'known' ? `${face.identity.subject} (distance ${face.identity.distance.toFixed(3)}, confidence ${face.identity.confidence.toFixed(1)} %)` : 'unknown'))
    .join('; ');
}

/**
 * `count` records of uniformly random directions, as the reference scenario upserts (such
 * vectors are far from every face: cosine distance ≈ 1, so they never match).
 */
function syntheticChunk(first: number, count: number, dimension: number, random: () => number): StoreRecord[] {
  const records: StoreRecord[] = [];
  for (let r = 0; r < count; r++) {
    const values = new Float32Array(dimension);
    let norm = 0;
    for (let i = 0; i < dimension; i++) {
      const value = Math.fround(random() * 2 - 1);
      values[i] = value;
      norm += value * value;
    }
    const k = 1 / Math.sqrt(norm);
    values.forEach((value, i) => {
      values[i] = value * k;
    });
    const id = `synthetic-${String(first + r).padStart(6, '0')}`;
    records.push({ id, values, metadata: { subject: id, source: 'synthetic' } });
  }
  return records;
}

async function medianSeconds(runs: number, operation: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await operation();
    times.push(elapsed(started));
  }
  times.sort((a, b) => a - b);
  return at(times, Math.floor(times.length / 2));
}

function elapsed(since: number): number {
  return (performance.now() - since) / 1000;
}
