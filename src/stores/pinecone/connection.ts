/**
 * One open Pinecone store: the official client, and the one path every store call takes through
 * it — refused after close, run inside its {@link Exchange}, its failure mapped to a typed error.
 */
import type { Pinecone } from '@pinecone-database/pinecone';
import { fvError } from '../../errors.js';
import { withExchange, type Exchange } from './exchange.js';
import { storeError, type CallMeaning } from './store-errors.js';

export class Connection {
  #closed = false;

  constructor(readonly client: Pinecone) {}

  /**
   * Runs one client call.
   * @param exchange what the call adds to its requests; its `response` holds the server's last
   *   answer afterwards.
   * @throws FV_ERR_CLOSED after close(); the typed error of the failure (see storeError).
   */
  async call<T>(meaning: CallMeaning, run: () => Promise<T>, exchange: Exchange = {}): Promise<T> {
    if (this.#closed) throw fvError('FV_ERR_CLOSED', `${meaning.what}: the Pinecone store is closed`);
    try {
      return await withExchange(exchange, run);
    } catch (err) {
      throw storeError(err, exchange.response, meaning);
    }
  }

  /** Idempotent. The client holds no connection of its own to release (fetch pools its sockets). */
  close(): void {
    this.#closed = true;
  }
}
