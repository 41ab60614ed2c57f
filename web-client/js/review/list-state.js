// @ts-check
/**
 * @file Remembers how the reviewer reached a call, so "Back to the list" returns to the same
 * filtered list (the browser's own Back) instead of a fresh, unfiltered one.
 *
 * The list keeps its filters in `history.state` of its own history entry (the router matches
 * hash paths exactly, so they cannot go in the hash). Going back to that entry restores them.
 */

/** The call last opened from the list, while its review is the current screen. @type {number | null} */
let openedFromList = null;

/** The list calls this as a row link is followed. @param {number} callId */
export function rememberOpened(callId) {
  openedFromList = callId;
}

/**
 * True when the call review was opened from the list just before (so history.back() returns
 * to it). Clears the mark: it is good for one screen only.
 * @param {number} callId
 */
export function cameFromList(callId) {
  const yes = openedFromList === callId;
  openedFromList = null;
  return yes;
}
