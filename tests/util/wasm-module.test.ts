import { describe, expect, it } from 'vitest';
import { isFacevaultError } from '../../src/errors.js';
import { compileWasm } from '../../src/util/wasm-module.js';

describe('compileWasm', () => {
  it('compiles a built module', () => {
    expect(compileWasm(new URL('../../src/vector/exact/kernel.wasm', import.meta.url), 'exact-search kernel', 'src/vector/exact/kernel.wat')).toBeTruthy();
  });

  it('says how to build a module that is missing, with FV_ERR_INTERNAL naming the file', () => {
    let caught: unknown;
    try {
      compileWasm(new URL('file:///nonexistent/dir/missing.wasm'), 'face warp kernel', 'src/face/warp/warp.wat');
    } catch (err) {
      caught = err;
    }
    expect(isFacevaultError(caught, 'FV_ERR_INTERNAL')).toBe(true);
    expect((caught as Error).message).toBe('The face warp kernel is not built: /nonexistent/dir/missing.wasm is missing. Run `npm run build` (it assembles src/face/warp/warp.wat).');
  });
});
