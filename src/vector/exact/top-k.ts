/**
 * Bounded selection of the k best (lowest key) slots: a max-heap of size k whose root is the
 * worst kept entry, so a scan compares each key with one number (`offer` returns it).
 * Buffers are reused across queries; only the k-sized result arrays are allocated.
 */

/** Orders two slots whose keys are equal: negative when `slotA` ranks first. */
export type TieBreak = (slotA: number, slotB: number) => number;

/**
 * Keeps the k entries with the lowest keys; equal keys are ordered by the tie-break.
 *
 * @example
 * const selector = new TopKSelector();
 * selector.reset(2);
 * selector.offer(5, 0); selector.offer(1, 1); selector.offer(3, 2);
 * selector.drain(); // { slots: Uint32Array [1, 2], keys: Float64Array [1, 3] }
 */
export class TopKSelector {
  private keys = new Float64Array(0);
  private slots = new Uint32Array(0);
  private size = 0;
  private k = 0;
  private tieBreak: TieBreak | undefined;

  /** Empties the selector for a query keeping `k` ≥ 1 entries; ties go to `tieBreak`, else to the lower slot. */
  reset(k: number, tieBreak?: TieBreak): void {
    if (this.keys.length < k) {
      this.keys = new Float64Array(k);
      this.slots = new Uint32Array(k);
    }
    this.k = k;
    this.size = 0;
    this.tieBreak = tieBreak;
  }

  /**
   * Considers one entry and returns the key an entry must not exceed to be worth offering
   * (+Infinity until k are held). Entries with an equal key are ordered by the tie-break,
   * so the k-th place is decided correctly among equals too.
   */
  offer(key: number, slot: number): number {
    const keys = this.keys;
    const slots = this.slots;
    if (this.size < this.k) {
      let child = this.size++;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        if (!this.ranksAfter(key, slot, keys[parent], slots[parent])) break;
        keys[child] = keys[parent];
        slots[child] = slots[parent];
        child = parent;
      }
      keys[child] = key;
      slots[child] = slot;
      return this.size < this.k ? Infinity : keys[0];
    }
    if (!this.ranksAfter(keys[0], slots[0], key, slot)) return keys[0];
    this.siftDownFromRoot(key, slot, this.size);
    return keys[0];
  }

  /** The kept entries best first; empties the selector. */
  drain(): { slots: Uint32Array; keys: Float64Array } {
    const count = this.size;
    const slots = new Uint32Array(count);
    const keys = new Float64Array(count);
    for (let last = count - 1; last >= 0; last--) {
      slots[last] = this.slots[0];
      keys[last] = this.keys[0];
      this.siftDownFromRoot(this.keys[last], this.slots[last], last);
    }
    this.size = 0;
    return { slots, keys };
  }

  /** Places (key, slot) at the root of a heap of `size` entries and restores the heap order. */
  private siftDownFromRoot(key: number, slot: number, size: number): void {
    const keys = this.keys;
    const slots = this.slots;
    let parent = 0;
    while (true) {
      let child = 2 * parent + 1;
      if (child >= size) break;
      if (child + 1 < size && this.ranksAfter(keys[child + 1], slots[child + 1], keys[child], slots[child])) child++;
      if (!this.ranksAfter(keys[child], slots[child], key, slot)) break;
      keys[parent] = keys[child];
      slots[parent] = slots[child];
      parent = child;
    }
    keys[parent] = key;
    slots[parent] = slot;
  }

  /** Whether entry A comes after entry B in the result order. */
  private ranksAfter(keyA: number, slotA: number, keyB: number, slotB: number): boolean {
    if (keyA !== keyB) return keyA > keyB;
    return this.tieBreak ? this.tieBreak(slotA, slotB) > 0 : slotA > slotB;
  }
}
