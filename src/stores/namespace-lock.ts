/**
 * A readers-writer lock per key (an index's namespace): ordinary operations share it, a
 * rewrite of the namespace holds it alone, so no write can slip between the rewrite's copy and
 * its swap and no query can see the namespace half rewritten. A waiting rewrite holds off
 * operations that arrive after it, so a steady stream of queries cannot starve it.
 */
interface KeyState {
  shared: number;
  exclusive: boolean;
  exclusiveWaiting: number;
  waiters: (() => void)[];
}

export class NamespaceLock {
  private readonly states = new Map<string, KeyState>();

  /** Runs `operation` alongside other shared operations on `key`, after any exclusive one running or waiting. */
  async shared<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const state = this.state(key);
    while (state.exclusive || state.exclusiveWaiting > 0) await this.wait(state);
    state.shared++;
    try {
      return await operation();
    } finally {
      state.shared--;
      this.release(key, state);
    }
  }

  /** Runs `operation` once no other operation holds `key`, and holds off every other until it settles. */
  async exclusive<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const state = this.state(key);
    state.exclusiveWaiting++;
    try {
      while (state.exclusive || state.shared > 0) await this.wait(state);
    } finally {
      state.exclusiveWaiting--;
    }
    state.exclusive = true;
    try {
      return await operation();
    } finally {
      state.exclusive = false;
      this.release(key, state);
    }
  }

  private state(key: string): KeyState {
    let state = this.states.get(key);
    if (!state) {
      state = { shared: 0, exclusive: false, exclusiveWaiting: 0, waiters: [] };
      this.states.set(key, state);
    }
    return state;
  }

  private wait(state: KeyState): Promise<void> {
    return new Promise((resolve) => state.waiters.push(resolve));
  }

  /** Wakes every waiter to re-check (few ever wait: an exclusive hold is a rare erase). */
  private release(key: string, state: KeyState): void {
    const waiters = state.waiters;
    if (waiters.length === 0) {
      if (state.shared === 0 && !state.exclusive && state.exclusiveWaiting === 0) this.states.delete(key);
      return;
    }
    // The woken re-check this same state object, so it stays in the map until idle.
    state.waiters = [];
    for (const wake of waiters) wake();
  }
}
