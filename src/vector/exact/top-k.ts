/**
 * Bounded selection of the k best (lowest key) slots: a max-heap of size k whose root is the
 * worst kept entry, so a scan compares each key with one number (`offer` returns it).
 * Buffers are reused across queries; only the k-sized result arrays are allocated.
 */

import { fvError } from '../../errors.js';

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

  /** The key an entry must not exceed to be worth offering: the worst kept key once k are held, else +Infinity. */
  get worstKey(): number {
    return this.size < this.k ? Infinity : (this.keys[0] as number);
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
        const parentKey = keys[parent], parentSlot = slots[parent];
        if (parentKey === undefined || parentSlot === undefined) throw outsideHeap(parent, keys.length);
        if (!this.ranksAfter(key, slot, parentKey, parentSlot)) break;
        keys[child] = parentKey;
        slots[child] = parentSlot;
        child = parent;
      }
      keys[child] = key;
      slots[child] = slot;
      if (this.size < this.k) return Infinity;
    } else {
      const rootKey = keys[0], rootSlot = slots[0];
      if (rootKey === undefined || rootSlot === undefined) throw outsideHeap(0, keys.length);
      if (!this.ranksAfter(rootKey, rootSlot, key, slot)) return rootKey;
      this.siftDownFromRoot(key, slot, this.size);
    }
    const worstKept = keys[0];
    if (worstKept === undefined) throw outsideHeap(0, keys.length);
    return worstKept;
  }

  /** The kept entries best first; empties the selector. */
  drain(): { slots: Uint32Array<ArrayBuffer>; keys: Float64Array<ArrayBuffer> } {
    const count = this.size;
    const slots = new Uint32Array(count);
    const keys = new Float64Array(count);
    for (let last = count - 1; last >= 0; last--) {
      const rootKey = this.keys[0], rootSlot = this.slots[0], lastKey = this.keys[last], lastSlot = this.slots[last];
      if (rootKey === undefined || rootSlot === undefined || lastKey === undefined || lastSlot === undefined) throw outsideHeap(last, this.keys.length);
      slots[last] = rootSlot;
      keys[last] = rootKey;
      this.siftDownFromRoot(lastKey, lastSlot, last);
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
      let childKey = keys[child], childSlot = slots[child];
      if (childKey === undefined || childSlot === undefined) throw outsideHeap(child, keys.length);
      if (child + 1 < size) {
        const rightKey = keys[child + 1], rightSlot = slots[child + 1];
        if (rightKey === undefined || rightSlot === undefined) throw outsideHeap(child + 1, keys.length);
        if (this.ranksAfter(rightKey, rightSlot, childKey, childSlot)) {
          child++;
          childKey = rightKey;
          childSlot = rightSlot;
        }
      }
      if (!this.ranksAfter(childKey, childSlot, key, slot)) break;
      keys[parent] = childKey;
      slots[parent] = childSlot;
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

/**
 * The error for a heap read out of range. Every index the selector reads is below `size` ≤ k ≤
 * the buffers' length, so only a bug gets here. The reads check `=== undefined` inline rather than
 * through a shared helper: a helper taking both buffer types (a polymorphic load) measured slower
 * in some runs of a stream of offers; the inline checks measured as fast as the unchecked reads.
 */
function outsideHeap(index: number, length: number): Error {
  return fvError('FV_ERR_INTERNAL', `top-k heap read at ${index} outside its ${length} entries`, { index, length });
}
