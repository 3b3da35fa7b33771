/**
 * The PostgreSQL store's connection pool, and the one way it runs a transaction.
 *
 * Every connection announces itself as application_name 'facevault' (so `pg_stat_activity` tells
 * its sessions apart) and carries a statement timeout, so that a runaway scan is cancelled by the
 * server instead of holding a connection forever. Settings a statement needs (planner switches,
 * `hnsw.ef_search`) are always `SET LOCAL` inside a transaction, never left on a session: a pooled
 * connection then carries nothing from one caller to the next, and a transaction-mode pooler
 * (PgBouncer) or a multiplexing server stays correct.
 */
import pg from 'pg';

export interface PoolSettings {
  readonly url: string;
  readonly size: number;
  /** 0: no limit. */
  readonly statementTimeoutMs: number;
}

/** An unreachable host should fail an open or a request, not hang it. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Idle connections are closed after this, so a quiet server does not hold the database's slots. */
const IDLE_TIMEOUT_MS = 30_000;

export function createPool(settings: PoolSettings): pg.Pool {
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.size,
    application_name: 'facevault',
    statement_timeout: settings.statementTimeoutMs,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
  });
  // An idle connection whose server goes away emits 'error' on the pool, and an unheard 'error'
  // event ends the process. The pool drops that connection; the next request opens another and
  // reports its own failure, so there is nothing to do here.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Runs `work` in one transaction on one connection: committed when it resolves, rolled back when
 * it throws. `begin` may follow BEGIN with `SET LOCAL` or other statements, all sent in one round
 * trip; `work` receives their results (BEGIN's first).
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient, begun: readonly pg.QueryResult[]) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    const begun = (await client.query(begin)) as pg.QueryResult | pg.QueryResult[];
    const result = await work(client, Array.isArray(begun) ? begun : [begun]);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A connection that cannot even roll back is destroyed rather than handed to the next caller.
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
