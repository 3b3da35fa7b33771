/**
 * The builder thread: builds the HNSW graphs of every namespace of every index in the process,
 * one chunk of one graph at a time, in turn, so a large build does not starve a small one.
 *
 * Steps run with a turn of the event loop between them, so `flush` and `detach` messages are
 * seen within one chunk.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BuilderThreadData, FromBuilder, ToBuilder } from './builder-protocol.js';
import { GraphBuilder, type BuilderReport } from './graph-builder.js';

if (parentPort === null) throw new Error('ann-builder-worker must run in a worker thread');
const port = parentPort;
const { threads } = workerData as BuilderThreadData;
const builders = new Map<number, GraphBuilder>();
/** Builders with work, in the order they get their next step; each at most once. */
const turns: GraphBuilder[] = [];
let stepScheduled = false;

port.on('message', (message: ToBuilder) => {
  if (message.type === 'attach') {
    const post = (report: BuilderReport) => port.postMessage({ ...report, job: message.job });
    builders.set(message.job, new GraphBuilder(message.start, threads, post));
    return;
  }
  const builder = builders.get(message.job);
  if (builder === undefined) return;
  switch (message.type) {
    case 'enqueue':
      builder.enqueue(message.keys, message.vectors);
      break;
    case 'flush':
      builder.flush(message.through);
      break;
    case 'detach':
      builder.detach();
      builders.delete(message.job);
      port.postMessage({ type: 'detached', job: message.job } satisfies FromBuilder);
      return;
  }
  if (builder.runnable && !turns.includes(builder)) turns.push(builder);
  schedule();
});

function schedule(): void {
  if (stepScheduled || turns.length === 0) return;
  stepScheduled = true;
  setImmediate(() => {
    stepScheduled = false;
    const builder = turns.shift();
    // A builder detached since its turn was queued is skipped.
    if (builder?.runnable) builder.step();
    if (builder?.runnable) turns.push(builder);
    schedule();
  });
}
