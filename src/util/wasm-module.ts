/**
 * The project's WebAssembly modules (the exact-search kernel, the face warp) are assembled from
 * `.wat` by `scripts/build-wasm.mjs` and read beside the code that uses them. This compiles one,
 * or says how to build it when it is missing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fvError } from '../errors.js';

/** The WebAssembly API as these modules use it: the project compiles without the DOM lib, where TypeScript declares it. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared?: boolean }) => { readonly buffer: ArrayBufferLike; grow(deltaPages: number): number };
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Compiles the module at `url` synchronously (each is under 2 KB).
 * @param what names it in the error, e.g. 'exact-search kernel'
 * @param source the `.wat` it is assembled from, for the error
 * @throws FV_ERR_INTERNAL when the file is missing (not built).
 */
export function compileWasm(url: URL, what: string, source: string): object {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(url);
  } catch (cause) {
    throw fvError(
      'FV_ERR_INTERNAL',
      `The ${what} is not built: ${fileURLToPath(url)} is missing. Run \`npm run build\` (it assembles ${source}).`,
      { file: fileURLToPath(url) },
      cause,
    );
  }
  return new wasm.Module(bytes);
}
