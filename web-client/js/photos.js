// @ts-check
/**
 * @file A call's still photos (sent from the tablet when the video cannot show enough) as
 * thumbnails that open full size: shared by the nurse's call screen and the call review.
 *
 * An `<img src>` cannot send the bearer token, so each image is fetched with it and shown from
 * an object URL. Every fetch is an audit entry on the server, so a gallery fetches each photo
 * once, keeps it for as long as it is on screen, and frees it in `destroy()`.
 */

import * as api from './api.js';
import { h, replace, formatClock, formatDayTime } from './ui.js';

/** @typedef {import('./types.js').CallPhoto} CallPhoto */
/** @typedef {import('./types.js').PhotoList} PhotoList */

/**
 * The call's photos, oldest first, without their images.
 * @param {number} callId
 * @param {import('./api.js').RequestOptions} [options]
 * @returns {Promise<PhotoList>}
 */
export function listPhotos(callId, options) {
  return api.get(`/api/calls/${callId}/photos`, options);
}

/** "2.4 MB", "830 kB". @param {number} bytes */
export function formatBytes(bytes) {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1000))} kB`;
}

/**
 * "Amy Carter, 14:05 · 4032 × 3024 · 2.4 MB".
 * @param {CallPhoto} photo
 */
function caption(photo) {
  const size = photo.width && photo.height ? ` · ${photo.width} × ${photo.height}` : '';
  return `${photo.taken_by.name}, ${formatDayTime(photo.taken_at)}${size} · ${formatBytes(photo.bytes)}`;
}

/**
 * Thumbnails of a call's photos; each opens full size in a dialog.
 * @param {object} options
 * @param {number} options.callId
 * @param {CallPhoto[]} [options.photos] Shown at once, oldest first.
 * @param {string} options.empty What to say while there are none.
 * @returns {{element: HTMLElement, add: (photo: CallPhoto) => boolean, count: () => number, destroy: () => void}}
 */
export function photoGallery(options) {
  /** @type {Map<number, {photo: CallPhoto, url: Promise<string>}>} */
  const shown = new Map();
  /** @type {string[]} */
  const urls = [];
  let destroyed = false;
  const list = h('ul', { class: 'photo-list' });
  const empty = h('p', { class: 'hint photo-empty', hidden: !options.empty }, options.empty);
  const element = h('div', { class: 'photo-gallery' }, empty, list);

  /**
   * The image as an object URL, fetched once.
   * @param {CallPhoto} photo
   */
  async function load(photo) {
    const blob = await api.getBlob(`/api/calls/${options.callId}/photos/${photo.id}`);
    const url = URL.createObjectURL(blob);
    if (destroyed) URL.revokeObjectURL(url);
    else urls.push(url);
    return url;
  }

  /**
   * Adds one photo (ignored when already shown); true when added.
   * @param {CallPhoto} photo
   */
  function add(photo) {
    if (shown.has(photo.id) || destroyed) return false;
    const url = load(photo);
    // A failed fetch is shown on the thumbnail; the promise must not go unhandled meanwhile.
    url.catch(() => {});
    shown.set(photo.id, { photo, url });
    const number = shown.size;
    const frame = h('span', { class: 'photo-thumb-frame' }, h('span', { class: 'photo-loading' }, 'Loading…'));
    // The button is named by its visible caption (plus words for screen readers only), so
    // what a person sees is what voice control and screen readers call it.
    const button = h('button', { type: 'button', class: 'photo-thumb', dataset: { photoId: photo.id } },
      frame,
      h('span', { class: 'photo-thumb-caption' }, `Photo ${number}, ${formatClock(photo.taken_at)}`),
      h('span', { class: 'visually-hidden' }, ` from ${photo.taken_by.name}: open full size`));
    button.addEventListener('click', () => open(photo, number));
    url.then((src) => {
      replace(frame, h('img', { src, alt: '', class: 'photo-thumb-img' }));
    }, (error) => {
      replace(frame, h('span', { class: 'photo-failed' }, error instanceof api.ApiError && error.isNetwork ? 'Not loaded: no connection' : 'Could not be shown'));
    });
    list.append(h('li', { class: 'photo-item' }, button));
    empty.hidden = true;
    return true;
  }

  /**
   * The photo at full size, scrollable, with who sent it and when.
   * @param {CallPhoto} photo
   * @param {number} number
   */
  async function open(photo, number) {
    const entry = shown.get(photo.id);
    if (!entry) return;
    const body = h('div', { class: 'photo-full-frame', tabindex: '0', 'aria-label': 'The photo, full size (scroll to see all of it)' }, h('p', { class: 'loading' }, 'Loading the photo…'));
    const close = h('button', { type: 'button', class: 'btn btn-primary' }, 'Close');
    // Fitted to the window first; every pixel of a 12-megapixel photo on request (a rash's
    // edge, a wound's margin), scrolled within the frame.
    const zoom = h('button', { type: 'button', class: 'btn btn-secondary', 'aria-pressed': 'false' }, 'Actual size');
    const dialog = h('dialog', { class: 'dialog photo-dialog', 'aria-labelledby': 'photo-full-title' },
      h('h2', { id: 'photo-full-title' }, `Photo ${number} from the care home`),
      h('p', { class: 'photo-full-caption' }, caption(photo)),
      body,
      h('div', { class: 'dialog-actions' }, zoom, close));
    zoom.addEventListener('click', () => {
      const actual = body.classList.toggle('is-actual');
      zoom.setAttribute('aria-pressed', String(actual));
    });
    close.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    close.focus();
    try {
      const src = await entry.url;
      replace(body, h('img', { src, alt: `Photo ${number} from ${photo.taken_by.name}, full size`, class: 'photo-full-img' }));
    } catch (error) {
      replace(body, h('p', null, error instanceof api.ApiError ? error.message : 'The photo could not be shown.'));
    }
  }

  for (const photo of options.photos ?? []) add(photo);
  return {
    element,
    add,
    count: () => shown.size,
    destroy() {
      destroyed = true;
      for (const url of urls) URL.revokeObjectURL(url);
      urls.length = 0;
    },
  };
}
