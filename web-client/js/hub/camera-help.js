// @ts-check
/**
 * @file What to tell a hub nurse or clinician at a desktop browser when the camera or
 * microphone cannot be used, with the steps for the browsers the hub uses.
 */

import { h, notice } from '../ui.js';

/** @typedef {import('../call.js').MediaAccessError} MediaAccessError */

/**
 * @param {MediaAccessError} problem
 * @param {() => void} retry
 */
export function desktopCameraHelp(problem, retry) {
  const again = h('button', { type: 'button', class: 'btn btn-secondary', onclick: retry }, 'Try the camera again');
  const still = h('p', null, 'You can still see and hear the others in the call. If they cannot hear you, phone the care home.');
  switch (problem.kind) {
    case 'blocked':
      return notice('warning', 'Your camera or microphone is blocked for CareHub',
        h('ol', { class: 'steps' },
          h('li', null, 'Click the camera or padlock icon at the left of the address bar.'),
          h('li', null, 'Set Camera and Microphone to “Allow” for this site.'),
          h('li', null, 'Click “Try the camera again”. If the browser asks, reload the page: the call stays yours for a minute.')),
        h('p', { class: 'field-hint' }, 'If a work policy blocks the camera, ask your IT service desk to allow it for the CareHub address.'),
        still, again);
    case 'in_use':
      return notice('warning', 'Another program is using your camera',
        h('p', null, 'Close other video programs (Teams, Zoom, another browser tab with a call), then try again.'), still, again);
    case 'no_device':
      return notice('warning', 'No camera or microphone found',
        h('p', null, 'Plug in a headset or webcam, then try again.'), still, again);
    case 'insecure':
      return notice('warning', 'The camera cannot be used from this address',
        h('p', null, 'Open CareHub from its secure (https) address for the camera to work.'), still);
    default:
      return notice('warning', 'Your camera did not start', h('p', null, 'Try again; if it still fails, reload the page.'), still, again);
  }
}
