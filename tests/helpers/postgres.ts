/**
 * A PostgreSQL + pgvector server for tests, the most real one available:
 *  1. FACEVAULT_TEST_POSTGRES_URL, when set (CI starts a cluster and sets it);
 *  2. else a throwaway cluster from ../shared/tools/postgres-pgvector, where that tool and
 *     PostgreSQL are installed (this project's machines);
 *  3. else PGlite with pgvector, served over TCP in this process (pglite-server.ts), so that on a
 *     fresh machine `npm test` still runs every SQL statement against a real PostgreSQL engine
 *     (PostgreSQL compiled to WebAssembly; one session, so concurrent connections take turns).
 * FACEVAULT_TEST_PGLITE=1 skips the first two, to run that fallback where a real server exists.
 * Each test then works in its own PostgreSQL schema (`freshSchema`), dropped afterwards.
 */
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { servePglite } from './pglite-server.js';

export interface TestPostgres {
  readonly url: string;
  /** Where it runs: 'url' (FACEVAULT_TEST_POSTGRES_URL), 'cluster' (the shared tool) or 'pglite'. */
  readonly kind: 'url' | 'cluster' | 'pglite';
  stop(): Promise<void>;
}

const TOOL = fileURLToPath(new URL('../../../shared/tools/postgres-pgvector', import.meta.url));
const run = promisify(execFile);

export async function startTestPostgres(): Promise<TestPostgres> {
  if (process.env.FACEVAULT_TEST_PGLITE === '1') return startPglite();
  const url = process.env.FACEVAULT_TEST_POSTGRES_URL;
  if (url) return { url, kind: 'url', stop: async () => undefined };
  return (await startCluster()) ?? (await startPglite());
}

/** A cluster from the shared tool, or undefined where the tool or PostgreSQL is missing. */
async function startCluster(): Promise<TestPostgres | undefined> {
  if (!existsSync(TOOL)) return undefined;
  // The tool's server runs as the `postgres` user, who must be able to enter the folder: not mkdtemp's 0700.
  const dir = join(tmpdir(), `facevault-pg-${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
  try {
    const { stdout } = await run(TOOL, ['start', dir, String(await unusedPort())]);
    const stop = async () => {
      await run(TOOL, ['stop', dir]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    };
    return { url: stdout.trim().split('\n').pop() as string, kind: 'cluster', stop };
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

async function startPglite(): Promise<TestPostgres> {
  const [{ PGlite }, { vector }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-pgvector')]);
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
  const server = await servePglite(db);
  const stop = async () => {
    await server.close();
    await db.close();
  };
  return { url: `postgres://postgres@127.0.0.1:${server.port}/postgres`, kind: 'pglite', stop };
}

/** A TCP port on loopback that nothing listens on (for a moment: take it soon). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let schemas = 0;

/** A schema name no other test uses, and a way to drop it with everything in it. */
export function freshSchema(url: string): { schema: string; drop(): Promise<void> } {
  const schema = `fv_test_${process.pid}_${++schemas}_${Math.random().toString(36).slice(2, 8)}`;
  return {
    schema,
    drop: async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
