// @ts-check
/**
 * @file The HTTP client: JSON in and out (and a photo's raw bytes, `postBlob` / `getBlob`), the
 * bearer token, typed errors.
 *
 * Every request goes through `send()`. Errors are always an `ApiError`:
 * - the server's JSON envelope `{"error": {code, message, field}}` keeps its code and field;
 * - no answer at all (Wi-Fi down, server stopped, 20 s timeout) is `status 0, code "network"`;
 * - a 401 on a request that carried a token also calls the unauthorized handler (session.js
 *   registers one that signs out), so screens need not handle expiry themselves.
 *
 * Reachability is reported to listeners so the shell can show one calm banner instead of
 * every screen inventing its own.
 */

/** How long a request may take before we call the hub unreachable. */
const TIMEOUT_MS = 20_000;

/** A failed request, whatever the cause. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status; 0 when the server could not be reached.
   * @param {string} code Stable code from the server (`invalid_field`, `not_found`, …) or
   *   `network` / `aborted` / `bad_response` from the client.
   * @param {string} message Plain English, safe to show.
   * @param {string | null} [field] The field at fault as a dotted path
   *   (`observations.respiration_rate`), when the server names one.
   */
  constructor(status, code, message, field = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** True when the hub could not be reached at all (not a refusal from the server). */
  get isNetwork() {
    return this.code === 'network';
  }
}

/** The words shown when the hub cannot be reached. */
export const UNREACHABLE_MESSAGE = 'Cannot reach the hub — check the Wi-Fi';

/** @type {string | null} */
let token = null;
/** @type {((error: ApiError) => void) | null} */
let unauthorizedHandler = null;
/** @type {Set<(reachable: boolean) => void>} */
const reachabilityListeners = new Set();
let reachable = true;

/**
 * Sets (or clears) the bearer token sent with every request. Called by session.js only.
 * @param {string | null} value
 */
export function setToken(value) {
  token = value;
}

/**
 * Registers the one handler for "the server no longer accepts our token" (session.js).
 * @param {(error: ApiError) => void} handler
 */
export function setUnauthorizedHandler(handler) {
  unauthorizedHandler = handler;
}

/**
 * Listens for the hub becoming unreachable (false) or reachable again (true).
 * @param {(reachable: boolean) => void} listener
 * @returns {() => void} unsubscribe
 */
export function onReachability(listener) {
  reachabilityListeners.add(listener);
  return () => reachabilityListeners.delete(listener);
}

/** @returns {boolean} whether the last request reached the hub */
export function isReachable() {
  return reachable;
}

/**
 * Reports reachability; also used by live.js, whose socket notices first.
 * @param {boolean} value
 */
export function reportReachable(value) {
  if (value === reachable) return;
  reachable = value;
  for (const listener of reachabilityListeners) listener(value);
}

/**
 * @typedef {object} RequestOptions
 * @property {AbortSignal} [signal] Cancels the request (the promise rejects with code `aborted`).
 * @property {boolean} [anonymous] Send no token (sign-in).
 */

/**
 * Sends one request and returns the parsed JSON body (or null for an empty body).
 * @param {'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} method
 * @param {string} path Starting with `/api/`.
 * @param {unknown} [body] Sent as JSON when given.
 * @param {RequestOptions} [options]
 * @returns {Promise<any>}
 */
export async function request(method, path, body, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const sent = await send(method, path, headers, body === undefined ? undefined : JSON.stringify(body), TIMEOUT_MS, options);
  return readResponse(sent.response, sent.token);
}

/**
 * Sends one request and returns its raw response, once the server has answered at all.
 * @param {string} method
 * @param {string} path
 * @param {Record<string, string>} headers
 * @param {BodyInit | undefined} body
 * @param {number} timeoutMs
 * @param {RequestOptions} options
 * @returns {Promise<{response: Response, token: string | null}>}
 */
async function send(method, path, headers, body, timeoutMs, options) {
  const sentToken = options.anonymous ? null : token;
  if (sentToken) headers.authorization = `Bearer ${sentToken}`;

  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;

  /** @type {Response} */
  let response;
  try {
    response = await fetch(path, { method, headers, body, signal, cache: 'no-store' });
  } catch (cause) {
    if (options.signal?.aborted) throw new ApiError(0, 'aborted', 'Request cancelled');
    reportReachable(false);
    throw new ApiError(0, 'network', UNREACHABLE_MESSAGE);
  }
  reportReachable(true);
  return { response, token: sentToken };
}

/**
 * How long a photo upload may take: a few MiB over a weak care-home line can take far longer
 * than a JSON request.
 */
const UPLOAD_TIMEOUT_MS = 120_000;

/**
 * Sends a binary body (a photo) with its own content type; returns the parsed JSON answer.
 * @param {string} path
 * @param {Blob} blob Sent as is, with `blob.type` as its Content-Type.
 * @param {RequestOptions} [options]
 * @returns {Promise<any>}
 */
export async function postBlob(path, blob, options = {}) {
  const headers = { accept: 'application/json', 'content-type': blob.type || 'application/octet-stream' };
  const sent = await send('POST', path, headers, blob, UPLOAD_TIMEOUT_MS, options);
  return readResponse(sent.response, sent.token);
}

/**
 * Fetches a binary resource (a photo's image) with the bearer token, which an `<img src>`
 * cannot send. Errors are the server's JSON envelope, as for every other request.
 * @param {string} path
 * @param {RequestOptions} [options]
 * @returns {Promise<Blob>}
 */
export async function getBlob(path, options = {}) {
  const sent = await send('GET', path, {}, undefined, UPLOAD_TIMEOUT_MS, options);
  if (sent.response.ok) return sent.response.blob();
  return readResponse(sent.response, sent.token);
}

/**
 * @param {Response} response
 * @param {string | null} sentToken
 * @returns {Promise<any>}
 */
async function readResponse(response, sentToken) {
  const text = await response.text();
  /** @type {any} */
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      if (response.ok) throw new ApiError(response.status, 'bad_response', 'The hub sent an answer we could not read.');
    }
  }
  if (response.ok) return json;

  const detail = json && typeof json === 'object' && json.error ? json.error : null;
  const error = new ApiError(
    response.status,
    detail?.code ?? `http_${response.status}`,
    detail?.message ?? defaultMessage(response.status),
    detail?.field ?? null,
  );
  // A 401 without a token is a wrong password, not an expired session.
  if (response.status === 401 && sentToken && sentToken === token && unauthorizedHandler) {
    unauthorizedHandler(error);
  }
  throw error;
}

/** @param {number} status */
function defaultMessage(status) {
  if (status === 401) return 'You have been signed out';
  if (status === 403) return 'Your role cannot do this.';
  if (status === 404) return 'Not found.';
  if (status === 409) return 'Someone else changed this first. Please look again.';
  if (status >= 500) return 'The hub had a problem. Please try again in a moment.';
  return 'Something went wrong. Please try again.';
}

/**
 * @param {string} path
 * @param {RequestOptions} [options]
 */
export const get = (path, options) => request('GET', path, undefined, options);

/**
 * @param {string} path
 * @param {unknown} [body]
 * @param {RequestOptions} [options]
 */
export const post = (path, body, options) => request('POST', path, body, options);

/**
 * @param {string} path
 * @param {unknown} body
 * @param {RequestOptions} [options]
 */
export const put = (path, body, options) => request('PUT', path, body, options);

/**
 * @param {string} path
 * @param {unknown} body
 * @param {RequestOptions} [options]
 */
export const patch = (path, body, options) => request('PATCH', path, body, options);

/**
 * @param {string} path
 * @param {RequestOptions} [options]
 */
export const del = (path, options) => request('DELETE', path, undefined, options);
