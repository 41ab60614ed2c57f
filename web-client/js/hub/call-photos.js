// @ts-check
/**
 * @file The photos the care home sends during the call, beside the nurse's video: they appear
 * the moment a `call.photo` message arrives, and open full size. With every fresh queue
 * snapshot (after a reconnect, or after falling behind) the list is read again, since messages
 * sent meanwhile are not replayed; photos already shown are not fetched again.
 */

import { h, replace, announce } from '../ui.js';
import { listPhotos, photoGallery } from '../photos.js';

/** @typedef {import('../live.js').LiveChannel} LiveChannel */
/** @typedef {import('../types.js').CallPhoto} CallPhoto */

/**
 * @param {object} options
 * @param {LiveChannel} options.live
 * @param {number} options.callId
 * @returns {{element: HTMLElement, destroy: () => void}}
 */
export function callPhotos(options) {
  const gallery = photoGallery({
    callId: options.callId,
    empty: 'No photos yet. If the video cannot show you something, ask the care home to press “Send a photo” on the tablet.',
  });
  const news = h('p', { class: 'photo-news', role: 'status' });
  const element = h('section', { class: 'consult-photos', 'aria-labelledby': 'consult-photos-title' },
    h('h2', { id: 'consult-photos-title', class: 'consult-photos-title' }, 'Photos from the care home'),
    news,
    gallery.element);

  /** @param {CallPhoto} photo */
  function arrived(photo) {
    if (!gallery.add(photo)) return;
    const text = `New photo from ${photo.taken_by.name}. Select it to see it full size.`;
    replace(news, text);
    announce(text);
  }

  function load() {
    listPhotos(options.callId).then((list) => list.photos.forEach((p) => gallery.add(p))).catch(() => {
      // The live messages still bring new photos; the next reconnect reads the list again.
    });
  }

  const offs = [
    options.live.on('call.photo', (m) => m.call_id === options.callId && arrived(m.photo)),
    // A snapshot follows every reconnect and every lag: photo messages in the gap are lost.
    options.live.on('queue.snapshot', () => load()),
  ];
  load();
  return {
    element,
    destroy() {
      offs.forEach((off) => off());
      gallery.destroy();
    },
  };
}
