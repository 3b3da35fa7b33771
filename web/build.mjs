#!/usr/bin/env node
/**
 * Builds the web page (web/src, Preact + TypeScript) into dist/web, which `facevault serve`
 * serves at `/` (src/server/web-page.ts): one bundled, minified app.js, its stylesheet and the
 * HTML shell. Everything the page needs is in those files: nothing is fetched from a CDN.
 *
 *   node web/build.mjs [--out DIR]       (npm run build runs it)
 *
 * Type errors are not esbuild's business: `npm run typecheck` checks web/ with web/tsconfig.json.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(here, '..', 'dist', 'web');

await mkdir(join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  outfile: join(out, 'assets', 'app.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
await copyFile(join(here, 'index.html'), join(out, 'index.html'));
await copyFile(join(here, 'src', 'styles.css'), join(out, 'assets', 'app.css'));
await copyFile(join(here, 'favicon.svg'), join(out, 'assets', 'favicon.svg'));
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`web page built into ${out} (app.js ${(bytes / 1024).toFixed(1)} KiB)`);
