/**
 * Runs `task` over the items of an (async) iterable with at most `limit` tasks in flight, in
 * the items' order of arrival, and resolves when all have settled. Once `signal` is aborted no
 * new item is taken, and the tasks in flight still finish (an interrupted batch stays consistent).
 * The first task that rejects stops the intake and its error is rethrown after the others settle.
 * @example await forEachConcurrent([1, 2, 3], 2, async (n) => console.log(n)) // prints 1, 2, 3 (in completion order)
 */
export async function forEachConcurrent<T>(items: Iterable<T> | AsyncIterable<T>, limit: number, task: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : toAsync(items[Symbol.iterator]());
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (!failure && !signal?.aborted) {
      try {
        const next = await iterator.next();
        if (next.done) return;
        await task(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, lane));
  await iterator.return?.();
  if (failure) throw failure.error;
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: async () => iterator.next() };
}
