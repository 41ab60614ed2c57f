// @ts-check
/**
 * @file The hub's sounds: a short two-tone alert when a waiting call breaches its target, and a
 * softer chime for a clinician's invitation. Generated with WebAudio (no sound files), and
 * silenced by a mute switch that the browser remembers (localStorage), because a hub desk may
 * sit in a shared office. Every sound also has something on screen: the sound never carries
 * information alone.
 */

import { h } from '../ui.js';

const MUTE_KEY = 'carehub.alerts.muted';

/** @type {AudioContext | null} */
let context = null;
/** @type {Set<() => void>} */
const muteListeners = new Set();

/** @returns {boolean} whether alert sounds are muted on this browser */
export function isMuted() {
  try {
    return localStorage.getItem(MUTE_KEY) === '1';
  } catch {
    return false;
  }
}

/** @param {boolean} muted */
export function setMuted(muted) {
  try {
    if (muted) localStorage.setItem(MUTE_KEY, '1');
    else localStorage.removeItem(MUTE_KEY);
  } catch {
    /* storage refused (private mode): the switch still works for this page */
  }
  for (const listener of [...muteListeners]) listener();
}

/**
 * The sound is only allowed after the person has used the page once (browser autoplay rules);
 * any click or key press unlocks it.
 */
function unlock() {
  const ctx = audio();
  if (ctx && ctx.state === 'suspended') ctx.resume().catch(() => {});
}
window.addEventListener('pointerdown', unlock, { capture: true });
window.addEventListener('keydown', unlock, { capture: true });

/** @returns {AudioContext | null} */
function audio() {
  if (!context) {
    const Ctor = window.AudioContext ?? /** @type {any} */ (window).webkitAudioContext;
    if (!Ctor) return null;
    context = new Ctor();
  }
  return context;
}

/**
 * Plays tones one after another.
 * @param {{freq: number, ms: number}[]} notes
 * @param {number} volume 0-1
 * @returns {boolean} whether a sound was played (false when muted or not allowed yet)
 */
function play(notes, volume) {
  if (isMuted()) return false;
  const ctx = audio();
  if (!ctx) return false;
  if (ctx.state === 'suspended') ctx.resume().catch(() => {});
  let t = ctx.currentTime + 0.02;
  for (const note of notes) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = note.freq;
    const end = t + note.ms / 1000;
    // A soft attack and release: no clicks.
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(volume, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, end);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(end + 0.02);
    t = end + 0.06;
  }
  return ctx.state !== 'suspended';
}

/** A waiting call passed its target: two falling tones, twice. @returns {boolean} played */
export function playBreachAlert() {
  return play([{ freq: 880, ms: 180 }, { freq: 660, ms: 180 }, { freq: 880, ms: 180 }, { freq: 660, ms: 260 }], 0.35);
}

/** A clinician is invited into a call: one rising chime. @returns {boolean} played */
export function playInvitationChime() {
  return play([{ freq: 523, ms: 140 }, { freq: 784, ms: 240 }], 0.25);
}

/**
 * A visible switch for the alert sound (a checkbox with role="switch"), kept in step with
 * every other switch on the page.
 * @param {string} id
 * @returns {{element: HTMLElement, destroy: () => void}}
 */
export function muteSwitch(id) {
  const input = h('input', { type: 'checkbox', id, role: 'switch', class: 'switch-input', checked: !isMuted() });
  const state = h('span', { class: 'switch-state' });
  const sync = () => {
    input.checked = !isMuted();
    state.textContent = input.checked ? 'On' : 'Muted';
  };
  input.addEventListener('change', () => setMuted(!input.checked));
  muteListeners.add(sync);
  sync();
  const element = h('div', { class: 'switch' }, input, h('label', { for: id, class: 'switch-label' }, 'Alert sound'), state);
  return { element, destroy: () => muteListeners.delete(sync) };
}
