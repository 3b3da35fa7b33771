/**
 * Runs jobs in the calling thread one at a time, behind the same `JobQueue` as the worker pool:
 * the `workers: 0` mode of FacePipeline. Started all at once, 10,000 images would each be read
 * and decoded, and all held in memory, before the first detection ran.
 */
import { fvError } from '../../errors.js';
import { JobQueue, type Lane } from './job-queue.js';

interface Task<Job, Result> {
  readonly job: Job;
  readonly resolve: (result: Result) => void;
  readonly reject: (err: unknown) => void;
}

export class InThreadRunner<Job, Result> {
  private readonly queue: JobQueue<Task<Job, Result>>;
  private running: Promise<void> | undefined;
  private closed = false;

  /** @throws FV_ERR_INVALID_ARGUMENT for a bad `maxQueuedBytes`. */
  constructor(private readonly execute: (job: Job) => Promise<Result>, options: { readonly maxQueuedBytes?: number } = {}) {
    this.queue = new JobQueue(options.maxQueuedBytes);
  }

  /**
   * Queues a job in `lane` and resolves with its result, as `WorkerPool.run`.
   * @throws FV_ERR_OVERLOADED when the waiting jobs would pass the byte budget; FV_ERR_CLOSED after close().
   */
  run(job: Job, lane: Lane, bytes = 0): Promise<Result> {
    if (this.closed) return Promise.reject(fvError('FV_ERR_CLOSED', 'The face pipeline was used after close()'));
    return new Promise<Result>((resolve, reject) => {
      this.queue.push(lane, { job, resolve, reject }, bytes);
      this.next();
    });
  }

  /** Waiting jobs reject with FV_ERR_CLOSED; the running one finishes first. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.drain()) task.reject(fvError('FV_ERR_CLOSED', 'The face pipeline was closed before the job started'));
    await this.running;
  }

  private next(): void {
    if (this.running) return;
    const task = this.queue.take();
    if (!task) return;
    // Started inside then(): a job that throws synchronously still settles its own promise and the queue moves on.
    this.running = Promise.resolve()
      .then(() => this.execute(task.job))
      .then(task.resolve, task.reject)
      .finally(() => {
        this.running = undefined;
        this.next();
      });
  }
}
