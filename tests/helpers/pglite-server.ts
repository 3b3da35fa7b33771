/**
 * PGlite (one PostgreSQL session in WebAssembly) served to several TCP connections at once.
 *
 * Why not pglite-socket's own server: it queues each protocol message on its own, so two
 * connections' extended-protocol messages interleave (one's Parse, the other's Parse, the first
 * one's Bind) and a Bind reaches the other connection's unnamed statement — seen here as
 * "unnamed prepared statement does not exist" when three stores opened at once. This server runs
 * a connection's messages up to its Sync (or a simple Query) as one unit, and while the session
 * is inside a transaction runs only the units of the connection that opened it, as a server with
 * one backend per connection would behave. Session settings are still shared by all (PGlite has
 * one session), so a test must not depend on them.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/** Protocol codes (postgresql.org/docs/current/protocol-message-formats.html). */
const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'

interface Unit {
  readonly connection: Connection;
  readonly messages: Buffer[];
}

class Connection {
  private pending = Buffer.alloc(0);
  private started = false;
  private unit: Buffer[] = [];

  constructor(
    readonly socket: Socket,
    private readonly submit: (unit: Unit) => void,
  ) {}

  /** Splits the byte stream into messages and hands over each complete unit. */
  receive(data: Buffer): void {
    this.pending = Buffer.concat([this.pending, data]);
    for (;;) {
      if (!this.started) {
        if (this.pending.length < 8) return;
        const length = this.pending.readInt32BE(0);
        if (this.pending.length < length) return;
        const code = this.pending.readInt32BE(4);
        const message = this.pending.subarray(0, length);
        this.pending = this.pending.subarray(length);
        if (code === SSL_REQUEST || code === GSS_REQUEST) {
          this.socket.write('N');
          continue;
        }
        this.started = true;
        this.submit({ connection: this, messages: [message] });
        continue;
      }
      if (this.pending.length < 5) return;
      const length = 1 + this.pending.readInt32BE(1);
      if (this.pending.length < length) return;
      const type = this.pending[0];
      const message = this.pending.subarray(0, length);
      this.pending = this.pending.subarray(length);
      if (type === TERMINATE) {
        this.socket.end();
        return;
      }
      this.unit.push(message);
      if (type === SYNC || type === QUERY) {
        this.submit({ connection: this, messages: this.unit });
        this.unit = [];
      }
    }
  }
}

export interface PgliteServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `db` on 127.0.0.1 at a free port. */
export async function servePglite(db: PGlite): Promise<PgliteServer> {
  const waiting: Unit[] = [];
  /** The connection whose transaction is open: only its units may run. */
  let owner: Connection | undefined;
  let running = false;

  const inTransaction = () => (db as unknown as { isInTransaction(): boolean }).isInTransaction();

  const drain = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      for (;;) {
        const at = owner === undefined ? 0 : waiting.findIndex((unit) => unit.connection === owner);
        const unit = at >= 0 ? waiting.splice(at, 1)[0] : undefined;
        if (unit === undefined) return;
        for (const message of unit.messages) {
          await db.execProtocolRawStream(message, { onRawData: (bytes) => unit.connection.socket.writable && unit.connection.socket.write(bytes) });
        }
        owner = inTransaction() ? unit.connection : undefined;
      }
    } finally {
      running = false;
    }
  };

  const closed = async (connection: Connection) => {
    for (let i = waiting.length - 1; i >= 0; i--) if (waiting[i]?.connection === connection) waiting.splice(i, 1);
    if (owner === connection) {
      // A client gone mid-transaction leaves nothing behind, as a backend's exit would.
      await db.exec('ROLLBACK');
      owner = undefined;
      await drain();
    }
  };

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const connection = new Connection(socket, (unit) => {
      waiting.push(unit);
      void drain();
    });
    socket.on('data', (data) => connection.receive(data));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      void closed(connection);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Clients still connected (a pool's idle connections) would keep close() waiting.
        for (const socket of sockets) socket.destroy();
      }),
  };
}
