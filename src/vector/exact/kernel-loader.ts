/**
 * The one file that knows the exact-search WebAssembly module: it loads `kernel.wasm`
 * (assembled from `kernel.wat` by `scripts/build-wasm.mjs`), creates linear memories and
 * binds an instance of the kernel to each. Everything else speaks offsets and typed arrays.
 *
 * Memories are shared (backed by a SharedArrayBuffer) so that scan threads can bind their own
 * instance to a slab's memory and read its rows in place. A shared memory reserves its maximum
 * as address space up front and grows in place: its buffer is never detached, only replaced by
 * a longer one (measured: 10,000 such memories of 4 GiB maximum cost 57 MB of resident memory).
 */
import { compileWasm, wasm } from '../../util/wasm-module.js';
import type { Metric } from '../types.js';

/** Bytes in a WebAssembly page: memories grow by whole pages. */
export const WASM_PAGE_BYTES = 65_536;
/** wasm32 addresses 4 GiB at most. */
export const WASM32_MAX_BYTES = 65_536 * WASM_PAGE_BYTES;

/** The kernel's code for each metric (the `kind` argument of `scan`, see kernel.wat). */
export const KERNEL_KIND = { euclidean: 0, dotproduct: 1, cosine: 2 } as const satisfies Record<Metric, number>;

/** A kernel's linear memory, as posted to a scan thread (shared memories cross threads). */
export interface KernelMemory {
  readonly buffer: ArrayBufferLike;
}

/** The scan function of one kernel instance: see kernel.wat. */
export type KernelScan = (
  kind: number, query: number, vectors: number, rowBytes: number,
  first: number, count: number, slots: number, out: number,
  invNorms: number, queryScale: number,
) => void;

/** One kernel instance bound to its own linear memory. Offsets are byte addresses in that memory. */
export interface ExactKernel {
  /** The memory itself, to hand to scan threads. */
  readonly memory: KernelMemory;
  /** The current linear memory. Growing replaces it with a longer one: take views again after `grow`. */
  readonly buffer: ArrayBufferLike;
  /** Adds `deltaPages` pages of zeroed memory; throws a RangeError when the engine refuses. */
  grow(deltaPages: number): void;
  /**
   * Writes `count` ranking keys (lower is closer) as float32 at `out`: for rows `first ..`
   * when `slots` is 0, else for the u32 slot numbers stored at `slots`.
   */
  scan: KernelScan;
}

const KERNEL_URL = new URL('./kernel.wasm', import.meta.url);
let compiled: object | undefined;

// Synchronous compilation keeps slab construction synchronous.
function kernelModule(): object {
  compiled ??= compileWasm(KERNEL_URL, 'exact-search kernel', 'src/vector/exact/kernel.wat');
  return compiled;
}

/**
 * Creates a linear memory of `initialPages` that may grow to `maximumPages`, and a kernel
 * instance bound to it.
 * @throws FV_ERR_INTERNAL when kernel.wasm has not been built.
 */
export function createKernel(initialPages: number, maximumPages: number): ExactKernel {
  const memory = new wasm.Memory({ initial: initialPages, maximum: maximumPages, shared: true });
  const scan = bindKernel(memory);
  return {
    memory,
    get buffer() {
      return memory.buffer;
    },
    grow(deltaPages) {
      memory.grow(deltaPages);
    },
    scan,
  };
}

/**
 * A kernel instance over an existing memory (a scan thread binds one to each slab it scans).
 * @throws FV_ERR_INTERNAL when kernel.wasm has not been built.
 */
export function bindKernel(memory: KernelMemory): KernelScan {
  return new wasm.Instance(kernelModule(), { env: { memory } }).exports.scan as KernelScan;
}
