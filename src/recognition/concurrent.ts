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

/** How one item of `mapInOrder` ended: its task's value, or what the task threw. */
export type Outcome<T, R> = { readonly item: T; readonly value: R } | { readonly item: T; readonly error: unknown };

/**
 * Runs `task` over `items` with at most `limit` tasks in flight and yields each outcome in the
 * items' order, as soon as it and every one before it have settled. Memory holds at most `limit`
 * outcomes, so a list of 100,000 items streams; the price is that a slow item holds back the
 * intake until it is done. A task that fails yields `{ item, error }` and the others go on.
 * @example for await (const o of mapInOrder(['a', 'b'], 2, async (s) => s.toUpperCase())) console.log(o) // { item: 'a', value: 'A' }, then { item: 'b', value: 'B' }
 */
export async function* mapInOrder<T, R>(items: Iterable<T>, limit: number, task: (item: T) => Promise<R>): AsyncGenerator<Outcome<T, R>> {
  const iterator = items[Symbol.iterator]();
  // Each task is caught as it starts, so none rejects unhandled while it waits its turn, or after the caller stops early.
  const start = (item: T): Promise<Outcome<T, R>> => Promise.resolve(item).then(task).then((value) => ({ item, value }), (error: unknown) => ({ item, error }));
  const window: Promise<Outcome<T, R>>[] = [];
  for (;;) {
    while (window.length < Math.max(1, limit)) {
      const next = iterator.next();
      if (next.done) break;
      window.push(start(next.value));
    }
    const head = window.shift();
    if (head === undefined) return;
    yield await head;
  }
}
