// Browser check of the hub nurse screens and the clinician's live-call screens, in a real
// Chromium with a fake camera and microphone.
//
//   node hub.mjs                 starts its own servers (target/debug/carehub) in temp folders
//
// 1. The whole call: carer1 calls the hub through the tablet screens (vector 3 of
//    docs/clinical-rules.md §2.4, NEWS2 6 Medium); nurse1, already on the queue, sees the row
//    within a second, selects it (care plan banner), answers; the video plays both ways; the
//    nurse invites clinician1, who accepts from the review screen and sees both others; the
//    nurse changes the level, ends the consultation and records the outcome; the tablet shows
//    the plan; the clinician signs the call off in the review.
// 2. A P1 call (red flag) overtakes a waiting P4 call.
// 3. On a second server with short targets: a waiting call breaches (the word "Breached", the
//    banner and the alert), the mute switch is remembered, a call taken by another nurse and a
//    call cancelled by the home say so, and a blocked camera explains how to allow it.
// axe-core on every screen state, screenshots 2x-hub-*.png and 3x-clinician-*.png.

import { startServer, apiClient, launchBrowser, signIn, watch, checkNoConsoleErrors, shot, axe, check, fail, finish } from './lib.mjs';

const started = Date.now();
const server = await startServer();
const BASE = server.base;
const { login, apiAs } = apiClient(BASE);
const browser = await launchBrowser();
/** @type {{stop: () => Promise<void>} | null} */
let server2 = null;

/** @type {string[]} */
const problems = [];
/** Every page, for a screenshot of each when a check throws. @type {[string, import('playwright-core').Page][]} */
const pages = [];
const desktop = { viewport: { width: 1280, height: 800 }, permissions: ['camera', 'microphone'] };

/**
 * Waits until a `<video>` matching `selector` (the `index`th) is playing: enough data, and more
 * frames shown after `ms` than before.
 * @param {import('playwright-core').Page} page
 * @param {string} selector
 * @param {number} [index]
 */
async function videoPlays(page, selector, index = 0) {
  await page.waitForFunction(([sel, i]) => {
    const v = /** @type {HTMLVideoElement | undefined} */ (document.querySelectorAll(sel)[i]);
    return Boolean(v && v.readyState >= 2 && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0);
  }, [selector, index], { timeout: 20000 });
  const frames = () => page.evaluate(([sel, i]) => /** @type {HTMLVideoElement} */ (document.querySelectorAll(sel)[i]).getVideoPlaybackQuality().totalVideoFrames, [selector, index]);
  const a = await frames();
  await page.waitForTimeout(1200);
  const b = await frames();
  return { a, b, ok: b > a };
}

/** @param {string} token @param {string} search */
async function residentId(token, search) {
  const r = await apiAs(token, 'GET', `/api/residents?search=${encodeURIComponent(search)}`);
  return r.json[0].id;
}

const ALL_ZERO = { respiration_rate: 12, spo2: 96, on_oxygen: false, systolic_bp: 120, pulse: 70, consciousness: 'alert', temperature_c: 36.8 };

try {
  // ---------- 1. the whole call ----------
  const nurseCtx = await browser.newContext(desktop);
  const nurse = await nurseCtx.newPage();
  watch(nurse, 'nurse', problems);
  pages.push(['nurse', nurse]);
  await signIn(nurse, BASE, 'nurse1');
  await nurse.getByRole('heading', { name: 'Hub queue', level: 1 }).waitFor();
  await nurse.getByRole('heading', { name: /^Waiting \(\d+\)$/ }).waitFor();
  check(await nurse.getByRole('switch', { name: 'Alert sound' }).isChecked(), 'the alert sound switch is visible and on');
  await shot(nurse, '20-hub-queue');
  await axe(nurse, 'hub queue (empty)');

  const clinCtx = await browser.newContext(desktop);
  const clin = await clinCtx.newPage();
  watch(clin, 'clinician', problems);
  pages.push(['clin', clin]);
  await signIn(clin, BASE, 'clinician1');
  await clin.waitForFunction(() => location.hash === '#/review' && document.querySelector('main h1'));

  const tabletCtx = await browser.newContext(desktop);
  const tablet = await tabletCtx.newPage();
  watch(tablet, 'tablet', problems);
  pages.push(['tablet', tablet]);
  await signIn(tablet, BASE, 'carer1');
  await tablet.getByLabel('Search by name or room').fill('Peggy');
  await tablet.getByRole('link', { name: /Margaret Hargreaves/ }).click();
  await tablet.getByRole('button', { name: 'No to all of these' }).click();
  // docs/clinical-rules.md §2.4, vector 3:
  // 21, 95 s1, air, 110, 91, A, 38.1 -> 2 1 0 1 1 0 1 = 6, Medium.
  await tablet.getByRole('button', { name: 'Not themselves' }).click();
  await tablet.getByLabel('Breathing rate').fill('21');
  await tablet.getByLabel('Oxygen level (SpO2)').fill('95');
  await tablet.locator('label[for="a-oxygen-air"]').click();
  await tablet.getByLabel('Blood pressure, top number').fill('110');
  await tablet.getByLabel('Pulse').fill('91');
  await tablet.locator('label[for="a-alertness-alert"]').click();
  await tablet.getByLabel('Temperature').fill('38.1');
  await tablet.locator('label[for="a-concern-worried"]').click();
  await tablet.getByRole('textbox', { name: 'In one line, what is happening?' }).fill('Not herself since lunch, hot and breathing faster');
  await tablet.waitForFunction(() => document.querySelector('.preview-news2')?.textContent === 'NEWS2 6 (Medium)');

  // Note when a new row appears on the hub, in the hub page's own clock.
  await nurse.evaluate(() => {
    const list = /** @type {HTMLElement} */ (document.querySelector('ol.queue-list'));
    const seen = new Set([...list.querySelectorAll('.q-item')].map((li) => /** @type {HTMLElement} */ (li).dataset.callId));
    new MutationObserver(() => {
      for (const li of list.querySelectorAll('.q-item')) {
        const id = /** @type {HTMLElement} */ (li).dataset.callId;
        if (id && !seen.has(id) && !(/** @type {any} */ (window).__rowSeen)) /** @type {any} */ (window).__rowSeen = { id: Number(id), at: Date.now() };
      }
    }).observe(list, { childList: true, subtree: true });
  });
  await tablet.getByRole('button', { name: 'Call the hub', exact: true }).click();
  await tablet.getByRole('heading', { name: 'Waiting for a nurse' }).waitFor();
  const callId = Number(tablet.url().split('/').pop());
  const row = nurse.locator(`.q-item[data-call-id="${callId}"]`);
  await row.waitFor({ timeout: 5000 });
  const nurseToken = await login('nurse1');
  const created = (await apiAs(nurseToken, 'GET', `/api/calls/${callId}`)).json;
  const seen = await nurse.evaluate(() => /** @type {any} */ (window).__rowSeen);
  const delay = seen.at - Date.parse(created.arrived_at);
  check(seen.id === callId && delay < 1000, `the new call appears in the nurse's queue without a reload, ${delay} ms after it was created`);
  const rowText = await row.innerText();
  check(/NEWS2 6/.test(rowText) && /Medium/.test(rowText), 'the row shows NEWS2 6 with its band, Medium (docs/clinical-rules.md §2.4, vector 3)');
  check(/P2/.test(rowText) && /Very urgent/.test(rowText), 'the row shows the level code and its name, P2 Very urgent');
  check(/Oakfield House/.test(rowText) && /Not themselves/.test(rowText) && /breathing faster/.test(rowText), 'the row shows the home, the soft signs and the situation');
  check(/Waiting \d+:\d\d · target 10 min/.test(rowText), 'the row shows the time waiting against the target');
  await shot(nurse, '20a-hub-queue-new-call');
  await axe(nurse, 'hub queue with a call');

  await row.getByRole('link').click();
  await nurse.waitForFunction((id) => location.hash === `#/hub/${id}`, callId);
  await nurse.getByRole('heading', { name: /Margaret Hargreaves/, level: 1 }).waitFor();
  await nurse.locator('.cp-banner').waitFor();
  const bannerText = await nurse.locator('.cp-banner').innerText();
  check(/CPR not recommended/.test(bannerText) && /Susan Clegg/.test(bannerText) && /Penicillin/.test(bannerText), 'selecting the call shows the care plan banner: CPR, attorney, allergies');
  check(await nurse.locator('.news2-table').getByText('21 breaths/min').isVisible(), 'the assessment shows the NEWS2 breakdown with the readings');
  check(await nurse.getByRole('heading', { name: 'When well: what is normal for them' }).isVisible(), 'the care plan summary shows the baseline block');
  await shot(nurse, '21-hub-call-selected');
  await axe(nurse, 'hub call selected');

  // Answer: claim, then the consultation starts and the video plays both ways.
  await nurse.getByRole('button', { name: 'Answer', exact: true }).click();
  await nurse.getByRole('button', { name: 'End consultation' }).waitFor({ timeout: 10000 });
  const hubVideo = await videoPlays(nurse, '.vp-tile video');
  check(hubVideo.ok, `the nurse sees the tablet's video playing (${hubVideo.a} → ${hubVideo.b} frames)`);
  const tabletVideo = await videoPlays(tablet, '.remote-video');
  check(tabletVideo.ok, `the tablet sees the nurse's video playing (${tabletVideo.a} → ${tabletVideo.b} frames)`);
  check(await nurse.locator('.vp-name').filter({ hasText: 'Amy Carter' }).isVisible(), 'the nurse sees the care home participant by name');
  await nurse.locator('.vp-tile[data-role="care_staff"] .vp-conn').filter({ hasText: /Good connection|connection is weak|connection is poor/ }).waitFor({ timeout: 15000 });
  check(true, 'the care home\'s connection is shown in words on its tile');
  check(await nurse.locator('.consult-banner .cp-banner').isVisible(), 'the care plan banner stays beside the video');
  await shot(nurse, '22-hub-in-call');
  await axe(nurse, 'hub in call');

  // Invite the clinician (online: signed in on the review screen).
  await nurse.getByRole('button', { name: 'Invite clinician' }).click();
  const inviteDialog = nurse.getByRole('dialog', { name: 'Invite a clinician' });
  await inviteDialog.getByText('Online', { exact: true }).waitFor();
  await inviteDialog.getByLabel(/Dr Helen Ward/).check();
  await shot(nurse, '23-hub-invite');
  await axe(nurse, 'invite dialog');
  await inviteDialog.getByRole('button', { name: 'Invite' }).click();
  await nurse.getByText('Invited, not joined yet').waitFor();
  check(true, 'the nurse sees the clinician invited');

  const invitation = clin.locator('#invitations .invitation');
  await invitation.waitFor({ timeout: 5000 });
  check(/Nurse Priya Shah invites you to a video call/.test(await invitation.innerText()), 'the clinician sees the invitation on the review screen');
  await shot(clin, '30-clinician-invitation');
  await axe(clin, 'clinician invitation');
  await invitation.getByRole('link', { name: 'Join the call' }).click();
  await clin.waitForFunction((id) => location.hash === `#/consult/${id}`, callId);
  await clin.waitForFunction(() => document.querySelectorAll('.vp-tile video').length === 2, null, { timeout: 20000 });
  const c0 = await videoPlays(clin, '.vp-tile video', 0);
  const c1 = await videoPlays(clin, '.vp-tile video', 1);
  check(c0.ok && c1.ok, `the clinician sees both others' video playing (${c0.a} → ${c0.b}, ${c1.a} → ${c1.b} frames)`);
  const names = await clin.locator('.vp-name').allInnerTexts();
  check(names.some((n) => n.includes('Amy Carter')) && names.some((n) => n.includes('Nurse Priya Shah')), `every remote participant is named (${names.join(', ')})`);
  check(await clin.locator('#invitations').isHidden(), 'the invitation is not shown on the call it is for');
  check(await clin.locator('.cp-banner').isVisible() && await clin.locator('.news2-table').isVisible(), 'the clinician sees the care plan banner and the assessment beside the video');
  await nurse.getByText('In the video').waitFor({ timeout: 10000 });
  check(true, 'the nurse sees the clinician in the video');
  await shot(clin, '31-clinician-in-call');
  await axe(clin, 'clinician in call');

  // Leaving keeps the invitation, worded as such; rejoining brings the video back.
  await clin.getByRole('button', { name: 'Leave the call' }).click();
  await clin.waitForFunction(() => location.hash === '#/review');
  await clin.locator('#invitations').getByText('You left the video call with Nurse Priya Shah').waitFor();
  await clin.locator('#invitations').getByRole('link', { name: 'Rejoin the call' }).click();
  await clin.waitForFunction(() => document.querySelectorAll('.vp-tile video').length === 2, null, { timeout: 20000 });
  check((await videoPlays(clin, '.vp-tile video', 1)).ok, 'a clinician who left can rejoin from the invitation, and the video plays again');

  // Change the level, with a reason.
  await nurse.getByRole('button', { name: 'Change level' }).click();
  const levelDialog = nurse.getByRole('dialog', { name: 'Change the level' });
  await levelDialog.locator('label[for="lvl-P3"]').click();
  await levelDialog.getByRole('button', { name: 'Change level' }).click();
  await levelDialog.getByText('Give the reason for the change.').waitFor();
  check(true, 'a level change without a reason is refused with a message');
  await levelDialog.getByLabel('Reason').fill('On video: alert, talking in full sentences, settled');
  await shot(nurse, '24-hub-change-level');
  await axe(nurse, 'change level dialog');
  await levelDialog.getByRole('button', { name: 'Change level' }).click();
  await nurse.locator('.call-head .level-code', { hasText: 'P3' }).waitFor();
  check(await nurse.getByText('Level changed to P3 Urgent.').isVisible(), 'the level change shows in the call');

  // End the consultation and record the outcome.
  await nurse.getByLabel('Your notes').fill('Chest clear on video. Drinking a little.');
  await nurse.locator('#end-consultation').click();
  await nurse.getByRole('dialog').getByRole('button', { name: 'End consultation' }).click();
  await nurse.getByRole('heading', { name: 'Record the outcome' }).waitFor();
  await clin.getByText('The video has ended').waitFor({ timeout: 10000 });
  check(await clin.getByText('The nurse has ended the consultation').isVisible(), 'the clinician is told the nurse ended the consultation');
  await shot(clin, '32-clinician-call-ended');
  await axe(clin, 'clinician call ended');
  await nurse.getByRole('button', { name: 'Record outcome and close the call' }).click();
  await nurse.getByText('Choose the outcome of the call.').waitFor();
  check(await nurse.getByText('Write the plan for the care home.').isVisible(), 'an empty outcome form says what is missing');
  await nurse.getByLabel(/^GPV/).check();
  await nurse.getByLabel('The plan for the care home').fill('Paracetamol 1 g now for the temperature. Offer a drink every hour. The GP will phone the home this afternoon.');
  await nurse.getByRole('button', { name: 'In 4 hours' }).click();
  check(await nurse.getByLabel('Dr Helen Ward').isChecked(), 'the clinician who joined is ticked as involved');
  await shot(nurse, '25-hub-outcome');
  await axe(nurse, 'outcome form');
  await nurse.getByRole('button', { name: 'Record outcome and close the call' }).click();
  await nurse.waitForFunction(() => location.hash === '#/hub');
  await nurse.locator('.flash-slot').getByText('Outcome recorded for Peggy').waitFor();
  check(await nurse.locator(`.q-item[data-call-id="${callId}"]`).count() === 0, 'after the outcome the nurse is back on the queue and the call has left it');
  await shot(nurse, '26-hub-after-outcome');
  await tablet.getByRole('heading', { name: 'The plan for Peggy' }).waitFor({ timeout: 10000 });
  check(await tablet.getByText('Paracetamol 1 g now').isVisible(), 'the tablet shows the nurse\'s plan');

  // The clinician signs the call off in the review.
  try {
    await clin.goto(`${BASE}/#/review`);
    await clin.getByLabel('Unsigned only').check();
    await clin.locator(`a[href="#/review/${callId}"]`).first().click({ timeout: 10000 });
    await clin.getByText('Referred to own GP').first().waitFor();
    check(true, 'the review shows the outcome');
    await clin.getByLabel('Comment').fill('Appropriate plan; agree with GP follow-up.');
    await clin.getByRole('button', { name: 'Sign off' }).click();
    await clin.getByText('Signed off').first().waitFor();
    check(true, 'the clinician signs the call off');
  } catch (error) {
    fail(error);
  }

  // ---------- 2. a P1 call overtakes a waiting P4 call ----------
  const carer2 = await login('carer2');
  const carer3 = await login('carer3');
  const p4 = await apiAs(carer2, 'POST', '/api/calls', {
    resident_id: await residentId(carer2, 'Geoffrey'), situation: 'Sleepier than usual today',
    assessment: { observations: ALL_ZERO, soft_signs: ['drowsy'], concern: 'none', red_flags: [] },
  });
  check(p4.status === 201 && p4.json.level === 'P4', `a NEWS2 0 call with a soft sign queues at P4 (${p4.json?.level})`);
  await nurse.locator(`.q-item[data-call-id="${p4.json.id}"]`).waitFor();
  const p1 = await apiAs(carer3, 'POST', '/api/calls', {
    resident_id: await residentId(carer3, 'Dennis'), situation: 'Sudden chest pain, grey and sweaty',
    assessment: { observations: {}, soft_signs: [], concern: 'very_worried', red_flags: ['chest_pain'] },
  });
  check(p1.status === 201 && p1.json.level === 'P1', 'a red-flag call queues at P1');
  await nurse.locator(`.q-item[data-call-id="${p1.json.id}"]`).waitFor();
  const order = await nurse.locator('ol.queue-list > .q-item').evaluateAll((items) => items.map((li) => ({ id: Number(/** @type {HTMLElement} */ (li).dataset.callId), text: /** @type {HTMLElement} */ (li).innerText })));
  check(order[0]?.id === p1.json.id && order[1]?.id === p4.json.id, 'the later P1 call is above the earlier P4 call in the queue');
  check(/P1/.test(order[0].text) && /Emergency/.test(order[0].text) && /Red flag: Chest pain/.test(order[0].text), 'the P1 row shows "P1 Emergency" and the red flag in words');
  check(/P4/.test(order[1].text) && /Standard/.test(order[1].text), 'the P4 row shows "P4 Standard"');
  await shot(nurse, '27-hub-p1-over-p4');
  await axe(nurse, 'queue with P1 and P4');

  // Dennis's emergency plan is past its review date: the banner says so in words.
  await nurse.locator(`.q-item[data-call-id="${p1.json.id}"] a`).click();
  const staleLabel = nurse.locator('.cp-banner .cp-stale-label');
  await staleLabel.waitFor();
  check(/Out of date: review was due/.test(await staleLabel.innerText()), 'a stale emergency plan is labelled "Out of date" in words, not colour alone');
  check(await nurse.getByText('Red flag: the home was told to dial 999').isVisible(), 'a red-flag call reminds the nurse that the home was told to dial 999');
  await shot(nurse, '27a-hub-stale-plan');
  await axe(nurse, 'call with a stale care plan');

  // Patricia has no care plan: every decision reads as unknown.
  const carer1 = await login('carer1');
  const noPlan = await apiAs(carer1, 'POST', '/api/calls', {
    resident_id: await residentId(carer1, 'Patricia'), situation: 'Had a fall, no injury seen',
    assessment: { observations: ALL_ZERO, soft_signs: ['mobility'], concern: 'worried', red_flags: [] },
  });
  await nurse.locator(`.q-item[data-call-id="${noPlan.json.id}"] a`).click();
  await nurse.getByText('No care plan on record').waitFor();
  check(await nurse.locator('.cp-banner').getByText('CPR: unknown, no decision recorded').isVisible(), 'a resident with no care plan shows CPR as unknown, never as for full escalation');
  await shot(nurse, '27b-hub-no-care-plan');
  await axe(nurse, 'call with no care plan');
  await apiAs(carer1, 'POST', `/api/calls/${noPlan.json.id}/cancel`);
  // A clinician opening a call they were not invited to is told so.
  await clin.goto(`${BASE}/#/consult/${p4.json.id}`);
  await clin.getByText('You are not invited to this call').waitFor();
  check(true, 'a clinician opening a call without an invitation is told how invitations work');
  await shot(clin, '33-clinician-not-invited');
  await axe(clin, 'clinician not invited');
  await apiAs(carer2, 'POST', `/api/calls/${p4.json.id}/cancel`);
  await apiAs(carer3, 'POST', `/api/calls/${p1.json.id}/cancel`);
  await nurseCtx.close();
  await clinCtx.close();
  await tabletCtx.close();

  // ---------- 3. breaches, a call taken by another nurse, a cancelled call, a blocked camera ----------
  const targets = Object.fromEntries([1, 2, 3, 4, 5].map((n) => [`CAREHUB__TRIAGE__TARGET_P${n}_SECONDS`, '3']));
  const fast = await startServer({ ...targets, CAREHUB__SERVER__DEMO_HISTORY_DAYS: '0' });
  server2 = fast;
  const api2 = apiClient(fast.base);
  const blockedCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await blockedCtx.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
  });
  const hub = await blockedCtx.newPage();
  watch(hub, 'nurse (short targets)', problems);
  pages.push(['hub', hub]);
  await signIn(hub, fast.base, 'nurse1');
  await hub.getByRole('heading', { name: /^Waiting \(0\)$/ }).waitFor();
  // The home's tablet stays connected (else its waiting calls would be abandoned later).
  const carerA = await api2.login('carer1');
  const late = await api2.apiAs(carerA, 'POST', '/api/calls', {
    resident_id: await (async () => (await api2.apiAs(carerA, 'GET', '/api/residents?search=Stanley')).json[0].id)(),
    situation: 'Off his food, asking for advice',
    assessment: { observations: ALL_ZERO, soft_signs: ['eating_drinking'], concern: 'none', red_flags: [] },
  });
  const lateRow = hub.locator(`.q-item[data-call-id="${late.json.id}"]`);
  await lateRow.locator('.q-breached-tag').waitFor({ timeout: 8000 });
  check(/Breached/i.test(await lateRow.innerText()), 'a call past its target shows "Breached" in its row');
  await hub.locator('.breach-banner').getByText('1 call has waited past its target').waitFor();
  await hub.locator('.breach-banner').getByText(/Alert sounded at \d\d:\d\d|Click anywhere on the page to allow the alert sound/).waitFor();
  check(await hub.locator('.breach-banner').getByText(/Alert sounded at/).isVisible(), 'the breach sounds the alert, and the banner says so');
  const promoted = await lateRow.locator('.level-code').textContent();
  check(promoted !== 'P4', `the breached call moved up a level (now ${promoted})`);
  await shot(hub, '28-hub-breach');
  await axe(hub, 'hub with a breach');
  await hub.getByRole('switch', { name: 'Alert sound' }).uncheck();
  await hub.reload();
  await hub.getByRole('heading', { name: /^Waiting \(1\)$/ }).waitFor();
  check(!(await hub.getByRole('switch', { name: 'Alert sound' }).isChecked()) && (await hub.locator('.switch-state').first().textContent()) === 'Muted', 'the muted alert switch is remembered after a reload');
  await hub.getByRole('switch', { name: 'Alert sound' }).check();

  // Another nurse takes the call the nurse is looking at.
  await lateRow.getByRole('link').click();
  await hub.getByRole('button', { name: 'Answer', exact: true }).waitFor();
  const nurse2 = await api2.login('nurse2');
  await api2.apiAs(nurse2, 'POST', `/api/calls/${late.json.id}/claim`);
  await hub.getByText('Nurse Tom Hughes has answered this call').waitFor();
  check(await hub.getByRole('button', { name: 'Answer', exact: true }).isDisabled(), 'a call taken by another nurse says who has it, and cannot be answered');
  await hub.locator('.queue-handled .q-item').getByText('With Nurse Tom Hughes').waitFor();
  check(true, 'the queue shows the call as held by the other nurse');
  await shot(hub, '29-hub-call-taken');
  await axe(hub, 'call taken by another nurse');
  await api2.apiAs(nurse2, 'POST', `/api/calls/${late.json.id}/release`);

  // Answering with the camera blocked: the call is answered, and the nurse is told how to allow it.
  await hub.getByRole('button', { name: 'Answer', exact: true }).click();
  await hub.getByText('Your camera or microphone is blocked for CareHub').waitFor({ timeout: 10000 });
  check(await hub.getByText('Click the camera or padlock icon').isVisible(), 'a blocked camera explains how to allow it');
  await shot(hub, '29a-hub-camera-blocked');
  await axe(hub, 'camera blocked');

  // The home cancels... it cannot once answered; release it, then the home cancels it.
  await hub.locator('#release-call').click();
  await hub.getByRole('dialog').getByRole('button', { name: 'Release the call' }).click();
  await hub.getByText('You released this call').waitFor();
  check(await hub.getByRole('button', { name: 'Answer', exact: true }).isEnabled(), 'releasing the call puts it back in the queue, ready to answer, and says so');
  await api2.apiAs(carerA, 'POST', `/api/calls/${late.json.id}/cancel`);
  await hub.getByText('The care home cancelled this call.').waitFor();
  check(true, 'a call cancelled by the home says so');
  await shot(hub, '29b-hub-call-cancelled');

  checkNoConsoleErrors(problems);
  const seconds = (Date.now() - started) / 1000;
  check(seconds < 180, `the run took ${seconds.toFixed(0)} s (under 3 minutes)`);
} catch (error) {
  fail(error);
  if (problems.length) console.log(`    console: ${problems.join('\n    ')}`);
  for (const [name, page] of pages) await shot(page, `debug-hub-${name}`).catch(() => {});
} finally {
  await browser.close();
  await server.stop();
  await server2?.stop();
}

finish();
