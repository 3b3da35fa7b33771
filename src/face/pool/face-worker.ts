/**
 * Entry point of a face worker thread: loads its own engine (its own ONNX sessions, one intra-op
 * thread each), announces readiness, then runs one job per message (the pool may send a second
 * before the first is answered).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FaceEngine } from '../engine.js';
import { resultTransferList, runFaceJob, type FaceJob, type FaceJobResults, type FaceOperation, type FaceWorkerData } from './face-jobs.js';
import { serializeError, type FromWorker, type ToWorker } from './protocol.js';

type Reply = FromWorker<FaceJobResults[FaceOperation]>;

const port = parentPort!;
const post = (msg: Reply, transfer: Parameters<typeof port.postMessage>[1] = []) => port.postMessage(msg, transfer);

try {
  const engine = await FaceEngine.create({ ...(workerData as FaceWorkerData), threads: 1 });
  const inHand = new Set<Promise<void>>();
  port.on('message', (message: ToWorker<FaceJob>) => {
    if (message.type === 'close') {
      // Native sessions are released here, by their owner, before the pool terminates this thread:
      // terminating a thread that still holds them has aborted the whole process (a Napi::Error at teardown).
      void Promise.all(inHand).then(() => engine.close()).finally(() => post({ type: 'closed' }));
      return;
    }
    const { id, job } = message;
    // The pool may send a second job before the first is answered: each job's inputs are its own,
    // warps run synchronously in the kernel's memory, and inferences run one at a time on this thread.
    const running: Promise<void> = runFaceJob(engine, job)
      .then(
        (result) => post({ type: 'done', id, result }, resultTransferList(result)),
        (err: unknown) => post({ type: 'failed', id, error: serializeError(err) }),
      )
      .finally(() => inHand.delete(running));
    inHand.add(running);
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'init-failed', error: serializeError(err) });
}
