import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from a module next to the caller (`new URL('./x-worker.js', import.meta.url)`).
 *
 * Why: the same code runs compiled (`dist/*.js`) and from source under tsx or vitest
 * (`src/*.ts`). A worker thread does not inherit the parent's TypeScript loader, so when the
 * caller is a `.ts` file we point at the `.ts` sibling and register tsx in the worker.
 */
export function startWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  const callerIsSource = moduleUrl.pathname.endsWith('.ts') || import.meta.url.endsWith('.ts');
  if (!callerIsSource) return new Worker(moduleUrl, options);
  const sourceUrl = new URL(moduleUrl.href.replace(/\.js$/, '.ts'));
  return new Worker(sourceUrl, { ...options, execArgv: [...(options.execArgv ?? []), '--import', 'tsx'] });
}
