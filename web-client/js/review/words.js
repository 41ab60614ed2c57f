// @ts-check
/**
 * @file Wording and formatting shared by the review list, the call review and the service
 * figures: outcome codes in words (docs/clinical-rules.md §8), timeline events, dates and
 * durations.
 *
 * The review list and the figures get outcome codes only; their wording is in `labels.js`, the
 * one copy in the client.
 */

import { OUTCOMES } from '../labels.js';

export { OUTCOMES };
/** @typedef {import('../labels.js').Remained} Remained */
/** @typedef {import('../labels.js').OutcomeInfo} OutcomeInfo */

/** What each "remained at residence" answer means, in words. */
export const REMAINED_WORDS = Object.freeze({
  yes: 'Remained at residence',
  no: 'Did not remain at residence',
  pending: 'Remained at residence: known after follow-up',
  per_follow_up: 'Remained at residence: depends on follow-up',
  not_applicable: 'Remained at residence: does not apply',
});

/** @param {string} code */
export function outcomeLabel(code) {
  return OUTCOMES.find((o) => o.code === code)?.label ?? code;
}

/** Final states of a call in review words. */
export const END_STATES = Object.freeze({
  closed: 'Closed',
  cancelled: 'Cancelled by the home',
  abandoned: 'Abandoned (no answer)',
});

/** Roles in the timeline. */
export const ROLE_WORDS = Object.freeze({
  care_staff: 'care staff',
  hub_nurse: 'hub nurse',
  clinician: 'clinician',
  admin: 'administrator',
});

/** Timeline event kinds in words. */
export const EVENT_WORDS = Object.freeze({
  created: 'Call made',
  claimed: 'Answered',
  released: 'Handed back to the queue',
  claim_lapsed: 'Answer lapsed: back in the queue',
  breached: 'Target time passed',
  consultation_started: 'Video started',
  consultation_ended: 'Video ended',
  clinician_invited: 'Clinician invited',
  invitation_declined: 'Invitation declined',
  level_changed: 'Level changed',
  observations_added: 'Observations added',
  outcome_recorded: 'Outcome recorded',
  cancelled: 'Cancelled by the home',
  abandoned: 'Abandoned without an answer',
  signed_off: 'Signed off',
  follow_up: 'Follow-up recorded',
  photo_added: 'Photo sent by the care home',
  continued_by_phone: 'Video failed: the call went on by phone',
});

const dateTime = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
});
const shortDateTime = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const timeWithSeconds = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const shortDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });
const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

/** "Mon 23 Nov 2026, 14:05". @param {string | number | Date} when */
export const formatDateTime = (when) => dateTime.format(new Date(when));
/** "23 Nov, 14:05". @param {string | number | Date} when */
export const formatShortDateTime = (when) => shortDateTime.format(new Date(when));
/** "14:05:09". @param {string | number | Date} when */
export const formatTimeSeconds = (when) => timeWithSeconds.format(new Date(when));
/** "23 Nov". @param {string | number | Date} when */
export const formatShortDate = (when) => shortDate.format(new Date(when));
/** "23 Nov 2026". @param {string | number | Date} when */
export const formatLongDate = (when) => longDate.format(new Date(when));

/**
 * A precise, short duration: "42 s", "4 min 13 s", "1 h 5 min".
 * @param {number | null | undefined} seconds
 */
export function formatSeconds(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'not answered';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return s % 60 ? `${minutes} min ${s % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** "1 min", "10 min", "4 h": a target time. @param {number} seconds */
export function formatTarget(seconds) {
  return seconds >= 3600 && seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

/** "86%" from 0.861; "no data" for null. @param {number | null | undefined} share */
export function formatShare(share) {
  return share === null || share === undefined ? 'no data' : `${Math.round(share * 100)}%`;
}

/** "1 call", "3 calls". @param {number} n @param {string} [one] @param {string} [many] */
export function plural(n, one = 'call', many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// ---- calendar days in the browser's time zone (the hub works in UK time) ----

/** "2026-11-23" for a local date. @param {Date} date */
export function isoDay(date) {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/**
 * Local midnight of a "YYYY-MM-DD" day, or null when the text is not a date.
 * @param {string} day
 */
export function dayStart(day) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * The day `days` after `day` (negative: before), as "YYYY-MM-DD".
 * @param {string} day
 * @param {number} days
 */
export function addDays(day, days) {
  const start = dayStart(day) ?? new Date();
  return isoDay(new Date(start.getFullYear(), start.getMonth(), start.getDate() + days));
}

/** Today as "YYYY-MM-DD". */
export function today() {
  return isoDay(new Date());
}
