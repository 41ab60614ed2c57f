// @ts-check
/**
 * @file The tablet's "Send a photo" button in a call and what it says: taking the photo,
 * sending it, sent (the nurse has it), or why not. Also the note that the nurse has gone over
 * to the phone, so staff answer the home's phone rather than wait for the video.
 *
 * The button goes in the call's control bar (video-stage.js `controls`); the notes float over
 * the stage above it.
 */

import * as api from '../api.js';
import { h, replace, announce, formatClock } from '../ui.js';
import { takePhoto, sendPhoto } from './photo.js';

/** @typedef {'idle' | 'taking' | 'sending' | 'sent' | 'failed'} PhotoState */

/**
 * @param {object} options
 * @param {number} options.callId
 * @param {() => MediaStream | null} options.stream Our camera, when it is on.
 * @returns {{button: HTMLButtonElement, panel: HTMLElement, update: (state: {phoned: boolean}) => void}}
 */
export function photoControl(options) {
  /** @type {PhotoState} */
  let kind = 'idle';
  let sent = 0;
  let phoned = false;
  const button = h('button', { type: 'button', class: 'ctl ctl-photo-button', 'aria-describedby': 'photo-status' },
    h('span', { class: 'ctl-icon ctl-photo', 'aria-hidden': 'true' }), h('span', { class: 'ctl-label' }, 'Send a photo'));
  const status = h('p', { class: 'photo-status', id: 'photo-status', role: 'status' });
  const phoneNote = h('p', { class: 'photo-phone-note', role: 'alert', hidden: true },
    h('strong', null, 'The nurse is phoning the home. '), 'Answer the home’s phone and stay with the resident.');
  const panel = h('div', { class: 'photo-panel' }, phoneNote, status);
  button.addEventListener('click', () => send());

  /**
   * @param {PhotoState} next
   * @param {string} text
   */
  function show(next, text) {
    kind = next;
    status.dataset.kind = next;
    replace(status, text);
    draw();
  }

  function draw() {
    button.disabled = kind === 'taking' || kind === 'sending';
    phoneNote.hidden = !phoned;
    status.hidden = !status.textContent;
  }

  async function send() {
    if (kind === 'taking' || kind === 'sending') return;
    const stream = options.stream();
    const track = stream?.getVideoTracks().find((t) => t.readyState === 'live');
    if (!stream || !track) {
      show('failed', 'The camera is not working, so no photo can be taken.');
      return;
    }
    // A camera turned off in the call sends black frames: say so rather than send one.
    if (!track.enabled) {
      show('failed', 'Your camera is off. Turn it on (“Camera on”), then send the photo.');
      return;
    }
    show('taking', 'Taking the photo… hold the tablet still.');
    try {
      const blob = await takePhoto(stream);
      show('sending', 'Sending the photo to the nurse…');
      const photo = await sendPhoto(options.callId, blob);
      sent += 1;
      show('sent', `Photo sent at ${formatClock(photo.taken_at)}: the nurse can see it now.${sent > 1 ? ` (${sent} photos sent)` : ''}`);
      announce('Photo sent to the nurse.');
    } catch (error) {
      if (!(error instanceof api.ApiError)) {
        show('failed', 'The photo could not be taken. Try again, or describe what you see to the nurse.');
        return;
      }
      show('failed', error.status === 409
        ? 'The photo was not sent: the nurse is not on this call any more.'
        : error.isNetwork ? `The photo was not sent. ${api.UNREACHABLE_MESSAGE}, then try again.` : `The photo was not sent: ${error.message}`);
    }
  }

  draw();
  return {
    button,
    panel,
    update(state) {
      phoned = state.phoned;
      draw();
    },
  };
}
