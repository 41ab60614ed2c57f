// @ts-check
/**
 * @file What to tell care staff when the camera or microphone cannot be used: plain steps for
 * the tablets care homes have (Android with Chrome, iPad with Safari).
 */

import { h, notice } from '../ui.js';

/** @typedef {import('../call.js').MediaAccessError} MediaAccessError */

/**
 * @param {MediaAccessError} problem
 * @param {() => void} retry
 * @param {'call' | 'check'} [during] In a call (it is still in the queue) or the check before one.
 */
export function cameraHelp(problem, retry, during = 'call') {
  const again = h('button', { type: 'button', class: 'btn btn-secondary', onclick: retry }, 'Try the camera again');
  const still = h('p', null, during === 'call'
    ? 'Your call is still in the queue. The nurse can phone the home if the video does not work.'
    : 'You can still call the hub: the nurse can phone the home if the video does not work.');
  switch (problem.kind) {
    case 'blocked':
      return notice('warning', 'The camera or microphone is blocked',
        h('p', null, 'The nurse needs to see and hear the resident. To allow them on this tablet:'),
        h('ol', { class: 'steps' },
          h('li', null, 'Tap the padlock or the small “i” beside the web address at the top of the screen.'),
          h('li', null, 'Tap “Permissions” or “Site settings”.'),
          h('li', null, 'Set Camera and Microphone to “Allow”.'),
          h('li', null, 'Come back here and tap “Try the camera again”.')),
        h('p', { class: 'field-hint' }, 'On an iPad: open Settings, then Safari, then Camera and Microphone, and choose “Allow”.'),
        still, again);
    case 'in_use':
      return notice('warning', 'Another app is using the camera',
        h('p', null, 'Close other apps that use the camera (video calls, the camera app), then try again.'), still, again);
    case 'no_device':
      return notice('warning', 'No camera or microphone found',
        h('p', null, 'Check the tablet has a working camera and microphone, or ask the manager for the video tablet.'), still, again);
    case 'insecure':
      return notice('warning', 'The camera cannot be used from this address',
        h('p', null, 'CareHub must be opened from its secure (https) address for the camera to work. Ask your manager for the right link.'), still);
    default:
      return notice('warning', 'The camera did not start',
        h('p', null, 'Try again. If it still does not work, restart the tablet.'), still, again);
  }
}
