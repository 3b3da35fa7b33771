/**
 * The one file that knows the face warp's WebAssembly module: it loads `warp.wasm` (assembled
 * from `warp.wat` by `scripts/build-wasm.mjs`), keeps one instance per thread, copies into its
 * memory only the source rectangle an output can reach, and copies the output back out.
 *
 * Why WebAssembly: the plain-JS bilinear loop (`warpAffineJs` in `../align.ts`) was 21 % of a
 * face worker's CPU on large photos; the kernel keeps each sample's three channels in one f32x4.
 * Its output differs from the JS loop's by at most 1 in a channel, where a sum lands within
 * float32 rounding of a half (checked in tests/face/warp/warp-kernel.test.ts).
 */
import { compileWasm, wasm } from '../../util/wasm-module.js';
import type { RgbImage } from '../types.js';

/** Output pixel centres → source coordinates: u = a·x + b·y + c, v = d·x + e·y + f. */
export type InverseAffine = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

type WarpFn = (src: number, sw: number, sh: number, out: number, width: number, height: number, a: number, b: number, c: number, d: number, e: number, f: number, k: number) => void;
type WarpAxisFn = (src: number, sw: number, sh: number, out: number, width: number, height: number, a: number, c: number, e: number, f: number, k: number, scratch: number) => void;

type HalveFn = (src: number, sw: number, sh: number, out: number) => void;

interface WarpExports {
  warp: WarpFn;
  warpAxis: WarpAxisFn;
  halve: HalveFn;
  memory: WasmMemory;
}

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

const WASM_URL = new URL('./warp.wasm', import.meta.url);
const PAGE = 65_536;
/** Bytes after each buffer the kernel may touch (it reads and writes a pixel as 4 bytes). */
const SLACK = 16;
/** `halve` reads up to 97 bytes past a row's last pair of pixels and writes up to 47 past a row. */
const HALVE_READ_SLACK = 128, HALVE_WRITE_SLACK = 48;

/**
 * The axis-aligned kernel widens every source pixel it may read to 16 bytes once: worth it while
 * the source holds at most this many pixels per sample (a warp shrinking far more is sent to
 * `warp`, which reads only the pixels its samples touch).
 */
const AXIS_SOURCE_PER_SAMPLE = 2;

let instance: WarpExports | undefined;

function kernel(): WarpExports {
  if (instance) return instance;
  // Synchronous: the module is under 3 KB, and warps are synchronous.
  instance = new wasm.Instance(compileWasm(WASM_URL, 'face warp kernel', 'src/face/warp/warp.wat'), {}).exports as unknown as WarpExports;
  return instance;
}

/**
 * `width × height` RGB pixels sampled from `src` at `inverse`(output pixel), bilinear, averaging
 * `k × k` samples per output pixel (at offsets (s + ½)/k − ½), black outside the source, each
 * channel rounded half up. A map without rotation or shear (b = d = 0) goes to the axis-aligned
 * kernel, 3-4× faster for the detector's view and the same bytes; `axisKernel: false` sends it to the
 * general one (for comparisons).
 * @example warpRgb(photo, [2, 0, 0.5, 0, 2, 0.5], 2, 160, 120) // → photo halved to 160×120, 4 samples a pixel
 * @throws FV_ERR_INTERNAL when warp.wasm has not been built.
 */
export function warpRgb(src: RgbImage, inverse: InverseAffine, k: number, width: number, height: number, options: { readonly axisKernel?: boolean } = {}): RgbImage {
  const [a, b, c, d, e, f] = inverse;
  const outBytes = width * height * 3;
  // Source pixels any sample can touch: the corners' images, widened by a pixel for the
  // bilinear neighbours and float rounding, clipped to the source.
  let umin = Infinity, umax = -Infinity, vmin = Infinity, vmax = -Infinity;
  for (const [x, y] of [[-0.5, -0.5], [width - 0.5, -0.5], [-0.5, height - 0.5], [width - 0.5, height - 0.5]] as const) {
    const u = a * x + b * y + c, v = d * x + e * y + f;
    umin = Math.min(umin, u); umax = Math.max(umax, u); vmin = Math.min(vmin, v); vmax = Math.max(vmax, v);
  }
  const x0 = Math.max(0, Math.floor(umin) - 1), x1 = Math.min(src.width - 1, Math.floor(umax) + 2);
  const y0 = Math.max(0, Math.floor(vmin) - 1), y1 = Math.min(src.height - 1, Math.floor(vmax) + 2);
  // Nothing of the source in sight (or a non-finite map): all black.
  if (!(x1 >= x0 && y1 >= y0)) return { data: new Uint8Array(outBytes), width, height };
  const sw = x1 - x0 + 1, sh = y1 - y0 + 1, srcBytes = sw * sh * 3;
  const outAt = Math.ceil((srcBytes + SLACK) / 16) * 16;
  const { warp, warpAxis, memory } = kernel();
  // No rotation or shear (the detector's view): the kernel that works out columns and rows once; the same bytes.
  const axis = options.axisKernel !== false && b === 0 && d === 0 && sw * sh <= AXIS_SOURCE_PER_SAMPLE * width * height * k * k;
  const scratchAt = Math.ceil((outAt + outBytes + SLACK) / 16) * 16;
  const needed = axis ? scratchAt + 16 * (sw * sh + k * (width + height)) + 4 * (width + height) : outAt + outBytes + SLACK;
  if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
  const heap = new Uint8Array(memory.buffer);
  const row = src.width * 3;
  if (sw === src.width) heap.set(src.data.subarray(y0 * row, (y1 + 1) * row), 0);
  else for (let y = y0; y <= y1; y++) heap.set(src.data.subarray(y * row + x0 * 3, y * row + (x1 + 1) * 3), (y - y0) * sw * 3);
  if (axis) warpAxis(0, sw, sh, outAt, width, height, a, c - x0, e, f - y0, k, scratchAt);
  else warp(0, sw, sh, outAt, width, height, a, b, c - x0, d, e, f - y0, k);
  return { data: copyOut(heap, outAt, outBytes), width, height };
}

/**
 * `src` halved: each pixel the mean of a 2×2 block, (p + q + r + s + 2) >> 2 per channel (an odd
 * last row or column dropped), 16 output pixels at a time in WebAssembly: a pyramid level.
 * @example halveRgb({ data: Uint8Array.of(0,0,0, 4,4,4, 8,8,8, 1,1,1), width: 2, height: 2 }) // → { data: [3, 3, 3], width: 1, height: 1 }
 * @throws FV_ERR_INTERNAL when warp.wasm has not been built.
 */
export function halveRgb(src: RgbImage): RgbImage {
  const width = src.width >> 1, height = src.height >> 1, outBytes = width * height * 3;
  if (outBytes === 0) return { data: new Uint8Array(0), width, height };
  const srcBytes = src.width * src.height * 3;
  const outAt = Math.ceil((srcBytes + HALVE_READ_SLACK) / 16) * 16;
  const { halve, memory } = kernel();
  const needed = outAt + outBytes + HALVE_WRITE_SLACK;
  if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
  const heap = new Uint8Array(memory.buffer);
  heap.set(src.data.subarray(0, srcBytes), 0);
  halve(0, src.width, src.height, outAt);
  return { data: copyOut(heap, outAt, outBytes), width, height };
}

/**
 * `bytes` bytes of the kernel's memory at `at`, in a buffer of their own. Not `heap.slice`: a
 * zero-filled array of a megabyte or more cost this machine 2-5 ms to create (its first touch),
 * 40 times the copy; an uninitialised one that the copy then fills whole costs 0.1 ms.
 */
function copyOut(heap: Uint8Array, at: number, bytes: number): Uint8Array {
  const out = new Uint8Array(Buffer.allocUnsafeSlow(bytes).buffer, 0, bytes);
  out.set(heap.subarray(at, at + bytes));
  return out;
}
