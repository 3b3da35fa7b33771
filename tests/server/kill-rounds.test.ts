/**
 * kill -9 rounds (issue 12): a `facevault serve` process on the embedded store takes upserts from 8
 * concurrent writers through the official client and is killed with SIGKILL mid-stream, then
 * restarted on the same directory — round after round. After each restart: every acknowledged
 * batch is there whole, no batch is there in part, and an approximate query and an exact one both
 * find a stored record by its own vector.
 *
 * CI runs 3 rounds; `FACEVAULT_KILL_ROUNDS` sets more (`npm run test:stress` runs 20).
 */
import { Pinecone, type PineconeRecord } from '@pinecone-database/pinecone';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/util/seeded-random.js';
import { facevault, type FacevaultProcess } from '../helpers/facevault-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { API_KEY as KEY } from './harness.js';

const ROUNDS = Number(process.env.FACEVAULT_KILL_ROUNDS ?? 3);
const WRITERS = 8;
const BATCH = 100;
const DIMENSION = 16;
const INDEX = 'killed';

const tmp = makeTempDir('facevault-kill-');
const running: FacevaultProcess[] = [];
afterAll(async () => {
  for (const server of running) server.child.kill('SIGKILL');
  await Promise.all(running.map((server) => server.exited));
  tmp.cleanup();
});

function serve(): FacevaultProcess {
  const server = facevault(['serve', '--data', tmp.dir, '--port', '0'], { FACEVAULT_API_KEYS: KEY, FACEVAULT_LOG_LEVEL: 'info' });
  running.push(server);
  return server;
}

const client = (url: string) => new Pinecone({ apiKey: KEY, controllerHostUrl: url, maxRetries: 0 });
const indexAt = (url: string) => client(url).index({ name: INDEX, host: `${url}/indexes/${INDEX}` });

function batch(prefix: string, random: () => number): PineconeRecord[] {
  return Array.from({ length: BATCH }, (_, i) => ({ id: `${prefix}-${i}`, values: Array.from({ length: DIMENSION }, () => random() - 0.5), metadata: { batch: prefix } }));
}

/** Records per batch prefix, as the server lists them. */
async function countsByBatch(url: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let paginationToken: string | undefined;
  do {
    const page = await indexAt(url).listPaginated({ limit: 100, ...(paginationToken ? { paginationToken } : {}) });
    for (const { id } of page.vectors ?? []) {
      const [prefix = ''] = (id as string).split('-');
      counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    }
    paginationToken = page.pagination?.next;
  } while (paginationToken);
  return counts;
}

describe(`${ROUNDS} rounds of SIGKILL during ${WRITERS} concurrent writers`, () => {
  it('loses no acknowledged batch, keeps no partial one, and answers exactly and approximately after each restart', async () => {
    const random = seededRandom(20261205);
    const acknowledged = new Map<string, PineconeRecord[]>();
    let url = await serve().serving;
    await client(url).createIndex({ name: INDEX, dimension: DIMENSION, metric: 'euclidean', spec: { serverless: { cloud: 'aws', region: 'us-east-1' } }, tags: { engine: 'approximate' } });

    for (let round = 0; round < ROUNDS; round++) {
      const server = running.at(-1) as FacevaultProcess;
      let stop = false;
      const writers = Array.from({ length: WRITERS }, async (_, writer) => {
        for (let n = 0; !stop; n++) {
          const prefix = `r${round}w${writer}n${n}`;
          const records = batch(prefix, random);
          try {
            await indexAt(url).upsert({ records });
          } catch {
            return; // the server died under this request: not acknowledged
          }
          acknowledged.set(prefix, records);
        }
      });
      // Kill once writing is under way, at a moment that varies from round to round.
      while (acknowledged.size < (round + 1) * WRITERS) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, 20 + ((round * 37) % 150)));
      server.child.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      await server.exited;

      url = await serve().serving;
      const counts = await countsByBatch(url);
      const lost = [...acknowledged.keys()].filter((prefix) => counts.get(prefix) !== BATCH);
      expect(lost, `round ${round}: acknowledged batches missing or partial`).toEqual([]);
      const partial = [...counts].filter(([, count]) => count !== BATCH);
      expect(partial, `round ${round}: batches stored in part`).toEqual([]);

      const samples = [...acknowledged.values()].filter((_, i) => i % 7 === round % 7).slice(0, 10);
      for (const records of samples) {
        const record = records[round % BATCH] as PineconeRecord;
        for (const exact of [true, false]) {
          // Through fetch: the official client drops facevault's `exact` field.
          const response = await fetch(`${url}/indexes/${INDEX}/query`, {
            method: 'POST',
            headers: { 'api-key': KEY, 'content-type': 'application/json' },
            body: JSON.stringify({ vector: record.values, topK: 1, exact }),
          });
          const { matches } = (await response.json()) as { matches: { id: string }[] };
          expect(matches[0]?.id, `round ${round}, ${exact ? 'exact' : 'approximate'}`).toBe(record.id);
        }
      }
    }
    expect(acknowledged.size).toBeGreaterThanOrEqual(ROUNDS * WRITERS);
  }, 60_000 + ROUNDS * 30_000);
});
