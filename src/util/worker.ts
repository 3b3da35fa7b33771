import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module next to the caller (`new URL('./x-worker.js', import.meta.url)`).
 *
 * Why: the same code runs compiled (`dist/*.js`) and from source under tsx or vitest
 * (`src/*.ts`). On Node 20 a worker thread does not inherit the parent's TypeScript loader
 * (nor honour `--import` in its execArgv), so when running from source the worker first
 * registers tsx's loader and then imports the `.ts` sibling. tsx is a dev dependency: the
 * compiled package never takes this path.
 */
export function startWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const runningFromSource = import.meta.url.endsWith('.ts');
  if (!runningFromSource) return new Worker(moduleUrl, options);
  const sourceUrl = moduleUrl.href.replace(/\.js$/, '.ts');
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(sourceUrl)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
