/**
 * How many faces each gallery holds, as `identify` needs it for its FPIR threshold, read from a
 * remote store at most once per `maxAgeMs` per gallery.
 *
 * Why: the size is a count, and on PostgreSQL a count is a scan of the index's table — p50 131 ms
 * at 1M × 512-d faces (`bench/gallery-size.ts`), several times the identify's own embedding, on
 * every call; on Pinecone it is a `describe_index_stats` round trip. The threshold barely moves
 * with the size (it is solved for 1 − (1 − FAR)^N), so a size up to `maxAgeMs` old is as good.
 * Writes made through a gallery of this process forget its size at once; writes by other
 * servers, or through the vector API, show within `maxAgeMs`. A size of 0 is never kept, so an
 * empty gallery is always counted afresh (DeepFace's search refuses one). The embedded store
 * counts in memory, so its galleries are always read afresh.
 *
 * @example
 * const sizes = new GallerySizes();
 * await sizes.read(store, 'faces-arcface', 'default', () => countFaces()); // counts once
 * await sizes.read(store, 'faces-arcface', 'default', () => countFaces()); // the same value, not counted
 * sizes.forget(store, 'faces-arcface', 'default');                         // after an enroll
 */
import type { VectorStore } from '../stores/vector-store.js';

/** How old a remote gallery's size may be when identify uses it. */
export const GALLERY_SIZE_MAX_AGE_MS = 10_000;

interface SizeReading {
  readonly value: Promise<number>;
  readonly readAt: number;
}

export class GallerySizes {
  private readonly byStore = new WeakMap<VectorStore, Map<string, SizeReading>>();

  constructor(
    private readonly maxAgeMs: number = GALLERY_SIZE_MAX_AGE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The size of `namespace` in `index`: a reading younger than maxAgeMs (or under way), else `count()`. */
  read(store: VectorStore, index: string, namespace: string, count: () => Promise<number>): Promise<number> {
    if (store.kind === 'embedded') return count();
    let readings = this.byStore.get(store);
    if (readings === undefined) {
      readings = new Map();
      this.byStore.set(store, readings);
    }
    const key = keyOf(index, namespace);
    const kept = readings.get(key);
    if (kept !== undefined && this.now() - kept.readAt < this.maxAgeMs) return kept.value;
    const value = count();
    const reading = { value, readAt: this.now() };
    readings.set(key, reading);
    // A failed count or an empty gallery is not kept: the next call asks again.
    const drop = () => {
      if (readings.get(key) === reading) readings.delete(key);
    };
    value.then((size) => size === 0 && drop(), drop);
    return value;
  }

  /** Forgets the size of `namespace` in `index`: this process has just written to it. */
  forget(store: VectorStore, index: string, namespace: string): void {
    this.byStore.get(store)?.delete(keyOf(index, namespace));
  }
}

function keyOf(index: string, namespace: string): string {
  // An index name holds no NUL, so the first NUL ends it whatever the namespace holds.
  return `${index}\u0000${namespace}`;
}

/** The sizes every gallery of this process shares: a server opens a Gallery per request. */
export const gallerySizes = new GallerySizes();
