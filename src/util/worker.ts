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
  // An ES-module bootstrap from a data: URL; an `eval: true` (CommonJS) one would set
  // `__dirname` to '.', which sends native addons such as usearch searching for their binary forever.
  const bootstrap = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(sourceUrl)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), options);
}
