/**
 * A scan thread: scores its share of a slab's rows in place (the slab's memory is shared) with
 * its own kernel instance and scratch region, and returns its best entries for the pool to merge.
 */
import { parentPort } from 'node:worker_threads';
import { BlockScorer } from './block-scorer.js';
import { bindKernel, type KernelMemory, type KernelScan } from './kernel-loader.js';
import { offerNearest, slotsWithKey } from './scan.js';
import type { FromScanThread, ScanPart, ToScanThread } from './scan-protocol.js';
import { TopKSelector } from './top-k.js';

if (parentPort === null) throw new Error('scan-worker must run in a worker thread');
const port = parentPort;
const slabs = new Map<number, { memory: KernelMemory; scan: KernelScan }>();
const selector = new TopKSelector();

port.on('message', (message: ToScanThread) => {
  if (message.type === 'attach') slabs.set(message.slab, { memory: message.memory, scan: bindKernel(message.memory) });
  else if (message.type === 'detach') slabs.delete(message.slab);
  else reply(message);
});

function reply(part: ScanPart): void {
  let answer: FromScanThread;
  try {
    answer = { type: 'result', job: part.job, ...scanPart(part) };
  } catch (err) {
    answer = { type: 'failed', job: part.job, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(answer, answer.type === 'result' ? [answer.slots.buffer, answer.keys.buffer] : []);
}

function scanPart(part: ScanPart): { slots: Uint32Array<ArrayBuffer>; keys: Float64Array<ArrayBuffer> } {
  const slab = slabs.get(part.slab);
  if (slab === undefined) throw new Error(`slab ${part.slab} is not attached to this scan thread`);
  const scorer = new BlockScorer(slab.scan, slab.memory, part.layout, part.region);
  scorer.prepare(part.query, part.dimension, part);
  selector.reset(part.k);
  const letGo = offerNearest(scorer, part.first, part.count, part.candidates, selector);
  const worst = selector.worstKey;
  const best = selector.drain();
  // This thread ranked equal keys by slot; the pool ranks them by the caller's tie-break. If an
  // entry tied with the k-th was let go, send every entry of that key (a second pass, only then).
  if (worst === Infinity || letGo !== worst) return best;
  const tied = slotsWithKey(scorer, part.first, part.count, part.candidates, worst);
  const better = best.keys.findIndex((key) => key === worst);
  const slots = new Uint32Array(better + tied.length);
  const keys = new Float64Array(better + tied.length).fill(worst);
  slots.set(best.slots.subarray(0, better));
  keys.set(best.keys.subarray(0, better));
  slots.set(tied, better);
  return { slots, keys };
}
