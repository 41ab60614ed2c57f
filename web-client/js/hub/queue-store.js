// @ts-check
/**
 * @file The hub's copy of the live queue, kept from the live channel (docs/signalling.md):
 * `queue.snapshot` replaces everything, `call.changed` / `call.breached` update one call and
 * carry the server's `order` of waiting calls, `call.ended` removes one.
 *
 * One store per live channel, kept while the channel lives, so moving between `#/hub` and
 * `#/hub/:callId` (which mounts the screen again) neither loses the queue nor waits for it.
 * The order shown is always the server's: the client never sorts calls itself.
 */

/** @typedef {import('../types.js').CallView} CallView */
/** @typedef {import('../live.js').LiveChannel} LiveChannel */
/** @typedef {import('../live.js').LiveEvents} LiveEvents */

/**
 * What changed, for listeners.
 * @typedef {{type: 'snapshot'}
 *   | {type: 'changed', kind: string, call: CallView, before: CallView | null}
 *   | {type: 'ended', kind: string, call: CallView}
 *   | {type: 'breached', call: CallView, from: string, to: string}} QueueEvent
 */

/** @type {WeakMap<LiveChannel, QueueStore>} */
const stores = new WeakMap();

/**
 * The store for this live channel (created, and subscribed, on first use).
 * @param {LiveChannel} live
 * @returns {QueueStore}
 */
export function queueStore(live) {
  let store = stores.get(live);
  if (!store) {
    store = new QueueStore(live);
    stores.set(live, store);
  }
  return store;
}

export class QueueStore {
  /** @param {LiveChannel} live */
  constructor(live) {
    /** Every open call by id. @type {Map<number, CallView>} */
    this.calls = new Map();
    /** Ids of waiting calls, most urgent first (the server's order). @type {number[]} */
    this.order = [];
    /** A snapshot has arrived since the store was made. */
    this.ready = false;
    /** @type {Set<(event: QueueEvent) => void>} */
    this.listeners = new Set();
    live.on('queue.snapshot', (m) => this.onSnapshot(m));
    live.on('call.changed', (m) => this.onChanged(m));
    live.on('call.breached', (m) => this.onBreached(m));
    live.on('call.ended', (m) => this.onEnded(m));
    // The server sends a snapshot on connecting; if that already happened before this store
    // existed, ask for a fresh one.
    if (live.status === 'open') live.resync();
  }

  /**
   * Listens for changes. Returns the unsubscribe function.
   * @param {(event: QueueEvent) => void} listener
   */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waiting calls, most urgent first. @returns {CallView[]} */
  waiting() {
    /** @type {CallView[]} */
    const out = [];
    for (const id of this.order) {
      const call = this.calls.get(id);
      if (call && call.state === 'queued') out.push(call);
    }
    return out;
  }

  /** Calls being handled (claimed, in consultation, wrap-up), oldest first. @returns {CallView[]} */
  inProgress() {
    return [...this.calls.values()]
      .filter((c) => c.state !== 'queued')
      .sort((a, b) => Date.parse(a.arrived_at) - Date.parse(b.arrived_at) || a.id - b.id);
  }

  /**
   * The call a nurse holds, if any (the one in consultation or wrap-up first).
   * @param {number} userId
   * @returns {CallView | null}
   */
  heldBy(userId) {
    const mine = this.inProgress().filter((c) => c.holder?.id === userId);
    const rank = /** @param {CallView} c */ (c) => (c.state === 'in_consultation' ? 0 : c.state === 'wrap_up' ? 1 : 2);
    return mine.sort((a, b) => rank(a) - rank(b))[0] ?? null;
  }

  /** @param {number} id */
  get(id) {
    return this.calls.get(id) ?? null;
  }

  /**
   * Takes a call as an action's HTTP answer returned it, before the live channel brings the
   * same change: a screen that moves on at once then sees the store as it will be.
   * @param {CallView} call
   */
  settle(call) {
    if (call.state === 'closed' || call.state === 'cancelled' || call.state === 'abandoned') {
      if (!this.calls.has(call.id)) return;
      this.onEnded({ type: 'call.ended', kind: call.state === 'closed' ? 'outcome_recorded' : call.state, call });
    }
  }

  // ---- live messages ----

  /** @param {LiveEvents['queue.snapshot']} m */
  onSnapshot(m) {
    this.calls = new Map();
    for (const call of [...m.waiting, ...m.in_progress]) this.calls.set(call.id, call);
    this.order = m.waiting.map((c) => c.id);
    this.ready = true;
    this.emit({ type: 'snapshot' });
  }

  /** @param {LiveEvents['call.changed']} m */
  onChanged(m) {
    const before = this.calls.get(m.call.id) ?? null;
    this.calls.set(m.call.id, m.call);
    this.applyOrder(m.order);
    this.emit({ type: 'changed', kind: m.kind, call: m.call, before });
  }

  /** @param {LiveEvents['call.breached']} m */
  onBreached(m) {
    this.calls.set(m.call.id, m.call);
    this.applyOrder(m.order);
    this.emit({ type: 'breached', call: m.call, from: m.from, to: m.to });
  }

  /** @param {LiveEvents['call.ended']} m */
  onEnded(m) {
    this.calls.delete(m.call.id);
    this.applyOrder(m.order);
    this.order = this.order.filter((id) => id !== m.call.id);
    this.emit({ type: 'ended', kind: m.kind, call: m.call });
  }

  /**
   * Takes the server's order of waiting calls, and the positions that follow from it.
   * @param {number[] | undefined} order
   */
  applyOrder(order) {
    if (!order) return;
    this.order = order;
    order.forEach((id, i) => {
      const call = this.calls.get(id);
      if (call && call.position !== i + 1) this.calls.set(id, { ...call, position: i + 1 });
    });
  }

  /** @param {QueueEvent} event */
  emit(event) {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('queue listener failed', error);
      }
    }
  }
}
