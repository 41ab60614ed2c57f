// @ts-check
/**
 * @file The live channel (`/api/ws`, protocol 1; see docs/signalling.md).
 *
 * One `LiveChannel` per signed-in screen. It authenticates with the first message, emits every
 * server message by its `type`, reconnects with backoff when the line drops (1 s, 2 s, 4 s … up
 * to 30 s, with jitter), and on reconnecting the server sends a fresh snapshot, which screens
 * must treat as replacing everything they hold. A ping every 20 s notices dead lines that the
 * browser would otherwise keep "open" for minutes.
 *
 * Besides the server's messages it emits one client event, `status`:
 * `{type: 'status', status: 'connecting' | 'open' | 'reconnecting' | 'closed', attempt}`;
 * `open` comes after `welcome`, so a screen can (re)join video then.
 *
 * ```js
 * const live = new LiveChannel(() => session.current()?.token ?? null);
 * const off = live.on('call.changed', (msg) => render(msg.call));
 * live.connect();
 * ```
 */

import { reportReachable } from './api.js';

/** @typedef {import('./types.js').CallView} CallView */
/** @typedef {import('./types.js').Level} Level */
/** @typedef {import('./types.js').Role} Role */
/** @typedef {import('./types.js').MediaParticipant} MediaParticipant */
/** @typedef {import('./types.js').CallPhoto} CallPhoto */
/** @typedef {import('./types.js').MediaQuality} MediaQuality */
/** @typedef {'connecting' | 'open' | 'reconnecting' | 'closed'} LiveStatus */

/**
 * Every message a screen can listen for, by type.
 * @typedef {{
 *   'status': {type: 'status', status: LiveStatus, attempt: number},
 *   'welcome': {type: 'welcome', protocol: number, user_id: number, username: string, role: Role, care_home_id: number | null},
 *   'queue.snapshot': {type: 'queue.snapshot', seq: number, waiting: CallView[], in_progress: CallView[]},
 *   'calls.snapshot': {type: 'calls.snapshot', calls: CallView[]},
 *   'call.changed': {type: 'call.changed', kind: string, call: CallView, order?: number[]},
 *   'call.ended': {type: 'call.ended', kind: string, call: CallView, order?: number[]},
 *   'call.breached': {type: 'call.breached', call: CallView, from: Level, to: Level, order?: number[]},
 *   'call.position': {type: 'call.position', call_id: number, position: number, level: Level},
 *   'call.photo': {type: 'call.photo', call_id: number, photo: CallPhoto},
 *   'pong': {type: 'pong', id: number},
 *   'error': {type: 'error', code: string, message: string, in_reply_to?: string, call_id?: number},
 *   'media.answer': {type: 'media.answer', call_id: number, sdp: string},
 *   'media.offer': {type: 'media.offer', call_id: number, sdp: string},
 *   'media.participants': {type: 'media.participants', call_id: number, participants: MediaParticipant[]},
 *   'media.quality': MediaQuality,
 *   'media.video_paused': {type: 'media.video_paused', call_id: number, receiver: number, sender: number, reason: string},
 *   'media.video_resumed': {type: 'media.video_resumed', call_id: number, receiver: number, sender: number},
 *   'media.ended': {type: 'media.ended', call_id: number},
 *   'media.check_answer': {type: 'media.check_answer', sdp: string},
 * }} LiveEvents
 */

/** @typedef {keyof LiveEvents} LiveEventType */

const PROTOCOL = 1;
const PING_EVERY_MS = 20_000;
/** A ping not answered in this long means the line is dead: reconnect. */
const PONG_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
/** Server error codes after which reconnecting cannot help: the token is no good. */
const FATAL_CODES = new Set(['unauthenticated', 'token_expired', 'auth_required', 'unsupported_protocol']);

export class LiveChannel {
  /**
   * @param {() => string | null} getToken Read at every (re)connect.
   * @param {{url?: string, onAuthFailed?: (code: string) => void}} [options]
   *   `onAuthFailed` is called (and reconnecting stops) when the server refuses the token.
   */
  constructor(getToken, options = {}) {
    this.getToken = getToken;
    this.url = options.url ?? defaultUrl();
    this.onAuthFailed = options.onAuthFailed ?? (() => {});
    /** @type {LiveStatus} */
    this.status = 'closed';
    /** @type {WebSocket | null} */
    this.socket = null;
    /** @type {Map<string, Set<(message: any) => void>>} */
    this.handlers = new Map();
    this.attempt = 0;
    this.wanted = false;
    /** Who the server says we are (from `welcome`). @type {LiveEvents['welcome'] | null} */
    this.me = null;
    /** The token the current connection authenticated with. @type {string | null} */
    this.usedToken = null;
    this.pingId = 0;
    /** @type {number | undefined} */ this.retryTimer = undefined;
    /** @type {number | undefined} */ this.pingTimer = undefined;
    /** @type {number | undefined} */ this.pongTimer = undefined;
  }

  /**
   * Listens for one message type. Returns the unsubscribe function.
   * @template {LiveEventType} K
   * @param {K} type
   * @param {(message: LiveEvents[K]) => void} handler
   * @returns {() => void}
   */
  on(type, handler) {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /**
   * Sends a message if the channel is open (after `welcome`). Returns false if it is not: the
   * caller decides whether to retry after the next `status: open`.
   * @param {{type: string} & Record<string, unknown>} message
   * @returns {boolean}
   */
  send(message) {
    if (this.status !== 'open' || !this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Opens the channel (and keeps it open until `close()`). */
  connect() {
    this.wanted = true;
    if (this.socket) return;
    this.open();
  }

  /** Closes the channel for good (sign-out). */
  close() {
    this.wanted = false;
    window.clearTimeout(this.retryTimer);
    this.stopPings();
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(1000, 'closing');
    this.setStatus('closed');
  }

  /** Asks for a fresh snapshot (after a suspected gap). */
  resync() {
    this.send({ type: 'queue.resync' });
  }

  // ---- internals ----

  /** @private */
  open() {
    const token = this.getToken();
    if (!token) {
      this.close();
      return;
    }
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    this.usedToken = token;
    socket.addEventListener('open', () => {
      socket.send(JSON.stringify({ type: 'auth', token, protocol: PROTOCOL }));
    });
    socket.addEventListener('message', (event) => this.receive(socket, event));
    socket.addEventListener('close', () => this.dropped(socket));
    socket.addEventListener('error', () => {
      /* 'close' follows and does the work */
    });
  }

  /**
   * @private
   * @param {WebSocket} socket
   * @param {MessageEvent} event
   */
  receive(socket, event) {
    if (socket !== this.socket) return;
    /** @type {any} */
    let message;
    try {
      message = JSON.parse(String(event.data));
    } catch {
      return;
    }
    if (!message || typeof message.type !== 'string') return;
    if (message.type === 'welcome') {
      this.me = message;
      this.attempt = 0;
      reportReachable(true);
      this.setStatus('open');
      this.startPings();
    } else if (message.type === 'pong') {
      window.clearTimeout(this.pongTimer);
    } else if (message.type === 'error' && FATAL_CODES.has(message.code)) {
      // The token this connection used expired, but the session has renewed it: the server
      // closes this connection and we reconnect with the new token.
      const token = this.getToken();
      if (message.code === 'token_expired' && token && token !== this.usedToken) return;
      this.wanted = false;
      this.emit(message);
      this.onAuthFailed(message.code);
      return;
    }
    // 'welcome' is emitted before 'status: open' so listeners know who they are first.
    this.emit(message);
    if (message.type === 'welcome') this.emit({ type: 'status', status: 'open', attempt: 0 });
  }

  /**
   * @private
   * @param {WebSocket} socket
   */
  dropped(socket) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.stopPings();
    if (!this.wanted) {
      this.setStatus('closed');
      return;
    }
    this.attempt += 1;
    if (this.attempt >= 2) reportReachable(false);
    this.setStatus('reconnecting');
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(this.attempt - 1, 5));
    const delay = base / 2 + Math.random() * (base / 2);
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => {
      if (this.wanted && !this.socket) this.open();
    }, delay);
  }

  /**
   * Pings at once and treats the line as dead if no answer comes within `timeoutMs`: a caller
   * that has reason to doubt the line (its media just dropped) need not wait for the next ping.
   * @param {number} [timeoutMs]
   */
  checkNow(timeoutMs = 2_000) {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    this.pingId += 1;
    socket.send(JSON.stringify({ type: 'ping', id: this.pingId }));
    window.clearTimeout(this.pongTimer);
    this.pongTimer = window.setTimeout(() => {
      // No answer: treat the line as dead. close() on a dead TCP line can take a long time
      // to fire 'close', so forget the socket now and reconnect.
      if (this.socket === socket) {
        socket.close();
        this.dropped(socket);
      }
    }, timeoutMs);
  }

  /** @private */
  startPings() {
    this.stopPings();
    this.pingTimer = window.setInterval(() => this.checkNow(PONG_TIMEOUT_MS), PING_EVERY_MS);
  }

  /** @private */
  stopPings() {
    window.clearInterval(this.pingTimer);
    window.clearTimeout(this.pongTimer);
  }

  /**
   * @private
   * @param {LiveStatus} status
   */
  setStatus(status) {
    if (status === this.status && status !== 'reconnecting') return;
    this.status = status;
    // 'open' is emitted from receive(), after 'welcome'.
    if (status !== 'open') this.emit({ type: 'status', status, attempt: this.attempt });
  }

  /**
   * @private
   * @param {{type: string} & Record<string, unknown>} message
   */
  emit(message) {
    const set = this.handlers.get(message.type);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        handler(message);
      } catch (error) {
        console.error('live handler failed', message.type, error);
      }
    }
  }
}

function defaultUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/ws`;
}
