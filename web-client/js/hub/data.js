// @ts-check
/**
 * @file What the hub and clinician screens read over HTTP besides the live queue: a call in full
 * (its assessment readings and the care plan snapshot, an audited read, so it is fetched once
 * per call and again only when the home adds observations) and the care homes' phone numbers
 * (so a nurse can always phone a home whose video fails).
 */

import * as api from '../api.js';
import * as session from '../session.js';

/** @typedef {import('../types.js').CallDetail} CallDetail */
/** @typedef {{id: number, name: string, address: string, phone: string}} CareHome */

/** @type {Map<number, Promise<CallDetail>>} */
const details = new Map();
/** @type {Promise<Map<number, CareHome>> | null} */
let homes = null;

/**
 * The call in full. Cached; `fresh` reads it again (after observations were added).
 * @param {number} id
 * @param {{fresh?: boolean}} [options]
 * @returns {Promise<CallDetail>}
 */
export function callDetail(id, options = {}) {
  let pending = details.get(id);
  if (!pending || options.fresh) {
    pending = /** @type {Promise<CallDetail>} */ (api.get(`/api/calls/${id}`));
    details.set(id, pending);
    // A failed read is not kept: the next screen tries again.
    pending.catch(() => details.get(id) === pending && details.delete(id));
  }
  return pending;
}

/** Forgets every cached call (sign-out). */
export function forgetDetails() {
  details.clear();
  homes = null;
}

// Each read of a care plan is audited for the person who made it: the next person to sign in
// in this tab reads afresh.
session.onChange(() => forgetDetails());

/**
 * A care home's phone number, or null if unknown.
 * @param {number} homeId
 * @returns {Promise<string | null>}
 */
export async function homePhone(homeId) {
  if (!homes) {
    homes = api.get('/api/care-homes').then((list) => new Map(/** @type {CareHome[]} */ (list).map((home) => [home.id, home])));
    homes.catch(() => {
      homes = null;
    });
  }
  try {
    return (await homes).get(homeId)?.phone || null;
  } catch {
    return null;
  }
}

