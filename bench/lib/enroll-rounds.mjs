// One process of bench/enroll-built.ts: Gallery.enroll of the DeepFace photos in rounds, from the
// built tree (dist/, plain node: what the CLI and the server run) or from source (src/, under tsx:
// what the other benches run). Plain JavaScript so that plain node can run it.
//   node bench/lib/enroll-rounds.mjs dist DEEPFACE_DIR ROUNDS WORKERS [JOBS_PER_WORKER]   → one JSON line on stdout
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [tree, deepface, rounds, workers, jobsPerWorker] = process.argv.slice(2);
const base = resolve(tree === 'dist' ? 'dist' : 'src');
const ext = tree === 'dist' ? 'js' : 'ts';
const { FacePipeline } = await import(join(base, `face/pipeline.${ext}`));
const { Gallery } = await import(join(base, `recognition/gallery.${ext}`));
const { openEmbeddedStore } = await import(join(base, `stores/embedded-store.${ext}`));

const { deepfaceEnrollItems } = await import(join(base, `cli/demo-scenario.${ext}`));
const items = deepfaceEnrollItems(deepface);
const pipeline = await FacePipeline.create({ workers: Number(workers), ...(jobsPerWorker === undefined ? {} : { jobsPerWorker: Number(jobsPerWorker) }) });
// Files in the page cache and every worker past its first (slow) inferences.
for (const item of items) readFileSync(item.path);
await Promise.all(items.slice(0, 8).map((item) => pipeline.represent(item.path, { maxFaces: 1 }).catch(() => [])));
const scratch = mkdtempSync(join(tmpdir(), 'facevault-enroll-rounds-'));
const result = { tree, jobsPerWorker: jobsPerWorker === undefined ? 'default' : Number(jobsPerWorker), facesPerSecond: [], cpuMsPerFace: [] };
try {
  for (let round = 0; round < Number(rounds); round++) {
    const store = await openEmbeddedStore(join(scratch, `store-${round}`));
    const gallery = await Gallery.open({ store, pipeline });
    const started = performance.now();
    const cpu = process.cpuUsage();
    const summary = await gallery.enroll(items, { onMultipleFaces: 'largest' });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    result.facesPerSecond.push(summary.faces / seconds);
    result.cpuMsPerFace.push((used.user + used.system) / 1000 / summary.faces);
    await store.close();
  }
} finally {
  await pipeline.close();
  rmSync(scratch, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
