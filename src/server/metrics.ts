/**
 * `GET /metrics` in Prometheus' text format: requests and their latency by method, route pattern
 * and status, and the records each index holds (read when scraped).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isFacevaultError } from '../errors.js';
import { routeSchema } from './json-schema.js';
import { Counter, Histogram, PROMETHEUS_CONTENT_TYPE, renderGauge } from './prometheus.js';

/** Seconds; from a cached exact query (sub-millisecond) to a 1,000-record upsert of large vectors. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/**
 * Counts every response (hook on the root, so it sees every plugin's routes) and serves the
 * exposition. Routes are labelled by pattern (`/indexes/:indexName/query`), never by raw URL,
 * so the number of series stays bounded; requests that match no route share `unmatched`.
 */
export function installMetrics(app: FastifyInstance): void {
  const requests = new Counter('facevault_http_requests_total', 'HTTP requests answered, by method, route and status.', ['method', 'route', 'status']);
  const latency = new Histogram(
    'facevault_http_request_duration_seconds',
    'Time from receiving a request to sending its response, by method, route and status.',
    ['method', 'route', 'status'],
    LATENCY_BUCKETS,
  );

  // Event-loop delay: how long a ready callback waited for the loop. A scan or a compaction on
  // the main thread shows here before it shows in latencies. Sampled every 10 ms; reset on
  // each scrape, so each scrape reports the interval since the one before.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  app.addHook('onClose', async () => loopDelay.disable());

  app.addHook('onResponse', async (request, reply) => {
    const labels = [request.method, request.routeOptions.url ?? 'unmatched', String(reply.statusCode)];
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
  });

  app.get(
    '/metrics',
    {
      schema: routeSchema({
        summary: 'Prometheus metrics',
        operationId: 'metrics',
        tags: ['operations'],
        produces: [PROMETHEUS_CONTENT_TYPE],
        response: { 200: z.string() },
      }),
    },
    async (_request, reply) => {
      const records = await recordsPerIndex(app);
      const text =
        requests.render() +
        latency.render() +
        renderGauge('facevault_index_records', 'Records held by each index, all namespaces.', ['index'], records) +
        renderGauge('process_resident_memory_bytes', 'Resident memory of the server process.', [], [{ labels: [], value: process.memoryUsage.rss() }]) +
        renderGauge(
          'facevault_event_loop_delay_seconds',
          'Event-loop delay since the previous scrape, by quantile (the loop is sampled every 10 ms).',
          ['quantile'],
          [0.5, 0.99, 1].map((q) => ({ labels: [String(q)], value: loopDelay.percentile(q * 100) / 1e9 })),
        );
      loopDelay.reset();
      return reply.type(PROMETHEUS_CONTENT_TYPE).send(text);
    },
  );
}

async function recordsPerIndex(app: FastifyInstance): Promise<{ labels: string[]; value: number }[]> {
  const indexes = await app.store.listIndexes();
  const samples = await Promise.all(
    indexes.map(async ({ name }) => {
      try {
        return { labels: [name], value: (await (await app.store.openIndex(name)).stats()).totalRecordCount };
      } catch (err) {
        // Deleted between listing and counting: it simply has no sample this time.
        if (isFacevaultError(err, 'FV_ERR_INDEX_NOT_FOUND')) return undefined;
        throw err;
      }
    }),
  );
  return samples.filter((sample) => sample !== undefined);
}
