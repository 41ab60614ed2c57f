// Browser check of what people see about a call's connection, in a real three-way call through
// the relay (tablet, hub nurse, clinician), with quality samples every second
// (CAREHUB__MEDIA__QUALITY_INTERVAL_SECONDS=1).
//
//   node weak.mjs                starts its own servers (target/debug/carehub) in temp folders
//
// 1. The resident's picture (the care home's stream) is the largest tile on the hub and on the
//    clinician's view, covered by nothing, also after the hub reloads; on the tablet the nurse is
//    the main tile and nothing covers it, in landscape and portrait.
// 2. The relay's real `media.quality` samples show as "Good connection" on every side.
// 3. A weak link: the relay pauses video to the tablet (`media.video_paused`). A real pause needs
//    a shaped network (tests/network does that, with the relay's own estimate); here the message
//    is delivered into each page through its own WebSocket, so it takes the same path through
//    js/live.js and js/call.js as the relay's. The tablet says "Your connection is weak…" with a
//    still card over the nurse's picture (sound carries on); the hub and the clinician say the
//    care home cannot see them. Then the video resumes.
// 4. No way through to the relay (a server advertising an unreachable address): the tablet's
//    connection check says "No connection" and gives the hub's number as a tel: link.
// axe-core on each state; screenshots 4x-weak-*.png.

import { startServer, apiClient, launchBrowser, signIn, watch, checkNoConsoleErrors, shot, axe, check, fail, finish } from './lib.mjs';

const server = await startServer({ CAREHUB__MEDIA__QUALITY_INTERVAL_SECONDS: '1' });
const { login, apiAs } = apiClient(server.base);
const browser = await launchBrowser();
/** @type {{stop: () => Promise<void>} | null} */
let server2 = null;
/** @type {string[]} */
const problems = [];
/** @type {[string, import('playwright-core').Page][]} */
const pages = [];
const desktop = { viewport: { width: 1280, height: 800 }, permissions: ['camera', 'microphone'] };

/** Keeps every WebSocket a page opens, so a check can deliver a message into the live channel. */
function keepSockets() {
  const Native = window.WebSocket;
  /** @type {WebSocket[]} */
  const sockets = [];
  /** @type {any} */ (window).__sockets = sockets;
  window.WebSocket = class extends Native {
    /** @param {string | URL} url @param {string | string[]} [protocols] */
    constructor(url, protocols) {
      super(url, protocols);
      sockets.push(this);
    }
  };
}

/**
 * Delivers a server message to the page's open live channel, as if the server had sent it.
 * @param {import('playwright-core').Page} page @param {Record<string, unknown>} message
 */
async function deliver(page, message) {
  await page.evaluate((m) => {
    const open = /** @type {WebSocket[]} */ (/** @type {any} */ (window).__sockets).filter((s) => s.readyState === WebSocket.OPEN);
    open[open.length - 1].dispatchEvent(new MessageEvent('message', { data: JSON.stringify(m) }));
  }, message);
}

/**
 * @param {string} name @param {string} username @param {{width: number, height: number}} [viewport]
 * @returns {Promise<import('playwright-core').Page>}
 */
async function open(name, username, viewport = desktop.viewport) {
  const ctx = await browser.newContext({ ...desktop, viewport });
  await ctx.addInitScript(keepSockets);
  const page = await ctx.newPage();
  watch(page, name, problems);
  pages.push([name, page]);
  await signIn(page, server.base, username);
  return page;
}

/**
 * The tile rectangles of a page: `main` must be the largest and overlap none of `others`.
 * @param {import('playwright-core').Page} page @param {string} main @param {string} others
 */
async function mainIsLargestAndUncovered(page, main, others) {
  return page.evaluate(([m, o]) => {
    const a = /** @type {Element} */ (document.querySelector(m)).getBoundingClientRect();
    const rest = [...document.querySelectorAll(o)].filter((el) => !el.matches(m)).map((el) => el.getBoundingClientRect());
    const area = (/** @type {DOMRect} */ r) => r.width * r.height;
    const apart = (/** @type {DOMRect} */ b) => b.right <= a.left || b.left >= a.right || b.bottom <= a.top || b.top >= a.bottom;
    return { ok: rest.length > 0 && rest.every((b) => area(b) < area(a) / 2 && apart(b)), main: Math.round(area(a)), others: rest.map((b) => Math.round(area(b))) };
  }, [main, others]);
}

/** @param {import('playwright-core').Page} page @param {string} selector */
async function playing(page, selector) {
  await page.waitForFunction((sel) => {
    const v = /** @type {HTMLVideoElement | null} */ (document.querySelector(sel));
    return Boolean(v && v.videoWidth > 0 && v.currentTime > 0.3);
  }, selector, { timeout: 20000 });
}

try {
  const carer = await login('carer1');
  const nurseToken = await login('nurse1');
  const peggy = (await apiAs(carer, 'GET', '/api/residents?search=Peggy')).json[0].id;
  const call = (await apiAs(carer, 'POST', '/api/calls', {
    resident_id: peggy, situation: 'Not herself since lunch',
    assessment: { soft_signs: ['not_themselves'], concern: 'worried', red_flags: [] },
  })).json;
  const ids = {
    tablet: (await apiAs(carer, 'GET', '/api/auth/me')).json.id,
    nurse: (await apiAs(nurseToken, 'GET', '/api/auth/me')).json.id,
    clinician: (await apiAs(nurseToken, 'GET', '/api/users?role=clinician')).json.find((/** @type {any} */ u) => u.username === 'clinician1').id,
  };

  const tablet = await open('tablet', 'carer1');
  await tablet.getByRole('heading', { name: 'Who is unwell?' }).waitFor();
  await tablet.goto(`${server.base}/#/call/${call.id}`);
  await tablet.getByRole('heading', { name: 'Waiting for a nurse' }).waitFor();

  const nurse = await open('nurse', 'nurse1');
  await nurse.getByRole('heading', { name: 'Hub queue', level: 1 }).waitFor();
  await nurse.goto(`${server.base}/#/hub/${call.id}`);
  await nurse.getByRole('button', { name: 'Answer', exact: true }).click();
  await nurse.getByRole('button', { name: 'End consultation' }).waitFor({ timeout: 10000 });
  await playing(nurse, '.vp-tile[data-role="care_staff"] video');
  await playing(tablet, '.tile-main video');
  check(true, 'the tablet and the hub see each other');

  check((await apiAs(nurseToken, 'POST', `/api/calls/${call.id}/invite`, { clinician_id: ids.clinician })).status === 200, 'the nurse invites clinician1');
  const clin = await open('clinician', 'clinician1');
  await clin.waitForFunction(() => location.hash === '#/review');
  await clin.goto(`${server.base}/#/consult/${call.id}`);
  await clin.waitForFunction(() => document.querySelectorAll('.vp-tile video').length === 2, null, { timeout: 20000 });
  await playing(clin, '.vp-tile[data-role="care_staff"] video');
  await nurse.waitForFunction(() => document.querySelectorAll('.vp-tile video').length === 2, null, { timeout: 20000 });
  await tablet.waitForFunction(() => document.querySelectorAll('.tile video').length === 2, null, { timeout: 20000 });

  // ---------- 1. the resident's picture is the largest, uncovered ----------
  const tiles = '.vp-tile, .vp-self';
  let hubTiles = await mainIsLargestAndUncovered(nurse, '.vp-tile[data-role="care_staff"]', tiles);
  check(hubTiles.ok, `on the hub the care home's tile is the largest and nothing covers it (${hubTiles.main} px² against ${hubTiles.others.join(', ')})`);
  const clinTiles = await mainIsLargestAndUncovered(clin, '.vp-tile[data-role="care_staff"]', tiles);
  check(clinTiles.ok, `on the clinician's view too (${clinTiles.main} px² against ${clinTiles.others.join(', ')})`);
  const tabletTiles = await mainIsLargestAndUncovered(tablet, '.tile-main', '.tile, .self-corner');
  check(tabletTiles.ok && /Nurse Priya Shah/.test(await tablet.locator('.tile-main .tile-name').innerText()),
    `on the tablet the nurse is the main tile, the clinician and the self-view beside it (${tabletTiles.main} px² against ${tabletTiles.others.join(', ')})`);

  // ---------- 2. real quality samples, in words ----------
  await nurse.locator('.vp-tile[data-role="care_staff"] .vp-conn').filter({ hasText: 'Good connection' }).waitFor({ timeout: 15000 });
  await nurse.locator('.vp-my-conn').filter({ hasText: 'Your connection is good' }).waitFor({ timeout: 15000 });
  await clin.locator('.vp-tile[data-role="care_staff"] .vp-conn').filter({ hasText: 'Good connection' }).waitFor({ timeout: 15000 });
  await tablet.locator('.tile-main .tile-conn').filter({ hasText: 'Good connection' }).waitFor({ timeout: 15000 });
  await tablet.locator('.stage-my-conn').filter({ hasText: 'Your connection is good' }).waitFor({ timeout: 15000 });
  check(true, 'every side says "Good connection" in words, from the relay\'s samples and what arrives');
  await shot(nurse, '40-weak-hub-3way');
  await axe(nurse, 'hub in a three-way call');
  await shot(clin, '40a-weak-clinician-3way');
  await shot(tablet, '40b-weak-tablet-3way');
  await axe(tablet, 'tablet in a three-way call');
  await tablet.setViewportSize({ width: 800, height: 1280 });
  const portrait = await mainIsLargestAndUncovered(tablet, '.tile-main', '.tile, .self-corner');
  check(portrait.ok, `in portrait the nurse's tile is still the largest and uncovered (${portrait.main} px² against ${portrait.others.join(', ')})`);
  await shot(tablet, '40c-weak-tablet-3way-portrait');
  await tablet.setViewportSize({ width: 1280, height: 800 });

  // ---------- 3. the relay pauses video to the tablet ----------
  const everyone = [tablet, nurse, clin];
  for (const sender of [ids.nurse, ids.clinician]) {
    for (const page of everyone) await deliver(page, { type: 'media.video_paused', call_id: call.id, receiver: ids.tablet, sender, reason: 'weak_connection' });
  }
  await tablet.locator('.stage-my-conn').filter({ hasText: 'Your connection is weak: video paused, sound carries on' }).waitFor({ timeout: 5000 });
  check(await tablet.locator('.tile-main .tile-paused').isVisible()
    && /Video paused: weak connection\.\s*Sound carries on\./.test(await tablet.locator('.tile-main .tile-paused').innerText()),
  'the tablet says "Your connection is weak: video paused, sound carries on" and shows a still card in place of the nurse\'s picture');
  check(await tablet.evaluate(() => {
    const v = /** @type {HTMLVideoElement} */ (document.querySelector('.tile-main video'));
    return Boolean(v.srcObject) && !v.paused;
  }), 'behind the card the nurse\'s stream keeps playing, so the sound carries on');
  const unseen = /The care home’s connection is weak: they can’t see you, sound carries on/;
  await nurse.locator('.vp-tile[data-role="care_staff"] .vp-conn').filter({ hasText: unseen }).waitFor({ timeout: 5000 });
  check(true, 'the hub says the care home cannot see the nurse (not "Good" about the home\'s upload)');
  await clin.locator('.vp-tile[data-role="care_staff"] .vp-conn').filter({ hasText: unseen }).waitFor({ timeout: 5000 });
  check(true, 'the clinician is told the same');
  await shot(tablet, '41-weak-tablet-paused');
  await axe(tablet, 'tablet with its video paused');
  await shot(nurse, '42-weak-hub-home-cannot-see');
  await axe(nurse, 'hub, the home cannot see the nurse');
  for (const sender of [ids.nurse, ids.clinician]) {
    for (const page of everyone) await deliver(page, { type: 'media.video_resumed', call_id: call.id, receiver: ids.tablet, sender });
  }
  await tablet.locator('.stage-my-conn').filter({ hasText: /Your connection is good/ }).waitFor({ timeout: 15000 });
  await nurse.locator('.vp-tile[data-role="care_staff"] .vp-conn').filter({ hasText: 'Good connection' }).waitFor({ timeout: 15000 });
  check(await tablet.locator('.tile-main .tile-paused').isHidden(), 'when the relay resumes the video, every side says so and the card goes');

  // The other way: the home's video paused to the nurse shows a still card, not a black box.
  await deliver(nurse, { type: 'media.video_paused', call_id: call.id, receiver: ids.nurse, sender: ids.tablet, reason: 'weak_connection' });
  await nurse.locator('.vp-tile[data-role="care_staff"] .vp-paused').waitFor({ timeout: 5000 });
  check(/Video paused: weak connection\.\s*Sound carries on\./.test(await nurse.locator('.vp-tile[data-role="care_staff"] .vp-paused').innerText())
    && /Your connection is weak: video paused/.test(await nurse.locator('.vp-my-conn').innerText()),
  'a video paused to the nurse shows "Video paused: weak connection. Sound carries on." in the care home\'s tile');
  hubTiles = await mainIsLargestAndUncovered(nurse, '.vp-tile[data-role="care_staff"]', tiles);
  check(hubTiles.ok, 'the paused card keeps the main place');
  await shot(nurse, '43-weak-hub-paused-card');
  await axe(nurse, 'hub with the home\'s video paused');
  await deliver(nurse, { type: 'media.video_resumed', call_id: call.id, receiver: ids.nurse, sender: ids.tablet });
  await nurse.locator('.vp-tile[data-role="care_staff"] .vp-paused').waitFor({ state: 'hidden', timeout: 5000 });

  // The hub reloads in the middle of the call: the care home is the main tile again. (Only the
  // layout is checked here: a fresh leg starts with a low estimate, and the relay may pause
  // video for a few seconds while it learns the link.)
  await nurse.reload();
  await nurse.waitForFunction(() => document.querySelectorAll('.vp-tile video').length === 2, null, { timeout: 20000 });
  await playing(nurse, '.vp-tile[data-role="care_staff"] video');
  hubTiles = await mainIsLargestAndUncovered(nurse, '.vp-tile[data-role="care_staff"]', tiles);
  check(hubTiles.ok, `after a reload the care home's tile is again the largest and uncovered (${hubTiles.main} px² against ${hubTiles.others.join(', ')})`);
  await shot(nurse, '40d-weak-hub-after-reload');


  // ---------- 4. no way through to the relay ----------
  const cut = await startServer({ CAREHUB__MEDIA__PUBLIC_IP: '192.0.2.1', CAREHUB__SERVER__DEMO_HISTORY_DAYS: '0' });
  server2 = cut;
  const ctx = await browser.newContext(desktop);
  const lost = await ctx.newPage();
  watch(lost, 'tablet (no path)', problems);
  pages.push(['lost', lost]);
  await signIn(lost, cut.base, 'carer1');
  await lost.getByRole('heading', { name: 'Who is unwell?' }).waitFor();
  await lost.getByRole('link', { name: 'Check the connection' }).click();
  await lost.locator('.check-verdict[data-verdict="none"]').waitFor({ timeout: 20000 });
  const verdict = await lost.locator('.check-verdict').innerText();
  const tel = await lost.locator('.check-verdict a.check-phone').getAttribute('href');
  check(/No connection/.test(verdict) && /Phone the hub on 01632 960 000/.test(verdict) && tel === 'tel:01632960000',
    `with no way through, the check says "No connection" and gives the hub's number as a link (${tel})`);
  await shot(lost, '44-weak-check-no-connection');
  await axe(lost, 'check with no connection');

  checkNoConsoleErrors(problems);
} catch (error) {
  fail(error);
  for (const [name, page] of pages) await shot(page, `debug-weak-${name}`).catch(() => {});
} finally {
  await browser.close();
  await server.stop();
  await server2?.stop();
}

finish();
