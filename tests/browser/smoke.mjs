// Smoke check of the care staff (tablet) screens in a real Chromium with a fake camera.
//
//   node smoke.mjs               starts its own server (target/debug/carehub) in a temp folder
//   BASE=http://127.0.0.1:18300 node smoke.mjs   uses a running server instead
//
// carer1 signs in, finds Peggy, answers the emergency questions, types vector 3 of
// docs/clinical-rules.md §2.4 (NEWS2 6, Medium) and sees the live score, calls the hub, waits
// (self-view), then a hub nurse (a second page driving js/live.js and js/call.js directly, so
// this file depends on the tablet screens alone; hub.mjs drives the hub screens) answers, joins
// the video and records an outcome;
// the tablet shows the plan. Also: the
// camera-blocked state, portrait layout, care staff kept out of hub screens, axe-core on each
// screen. Screenshots go to screenshots/. Exits non-zero on the first failed check.

import { startServer, apiClient, launchBrowser, signIn, watch, checkNoConsoleErrors, shot, axe, check, fail, finish, joinVideoFromPage } from './lib.mjs';

const server = await startServer();

/**
 * Whether the element `main` is free of every element matching `others` (no rectangle overlap).
 * @param {import('playwright-core').Page} page @param {string} main @param {string[]} others
 */
async function overlapFree(page, main, others) {
  return page.evaluate(([m, list]) => {
    const a = /** @type {Element} */ (document.querySelector(m)).getBoundingClientRect();
    return list.flatMap((sel) => [...document.querySelectorAll(sel)]).every((el) => {
      const b = el.getBoundingClientRect();
      return b.right <= a.left || b.left >= a.right || b.bottom <= a.top || b.top >= a.bottom;
    });
  }, /** @type {[string, string[]]} */ ([main, others]));
}
const BASE = server.base;
const { login, apiAs } = apiClient(BASE);
const browser = await launchBrowser();

/** @type {string[]} Console errors and CSP violations of every page. */
const problems = [];
try {
  // ---------- the tablet, landscape ----------
  const tablet = await browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['camera', 'microphone'] });
  const page = await tablet.newPage();
  watch(page, 'tablet', problems);

  await page.goto(BASE);
  await page.getByLabel('Username').waitFor();
  await shot(page, '01-sign-in');
  await axe(page, 'sign-in');

  await page.getByLabel('Username').fill('carer1');
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('do not match').waitFor();
  check(true, 'a wrong password says so');

  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Who is unwell?' }).waitFor();
  check(await page.getByText('Amy Carter').isVisible(), 'who is signed in is visible');
  check(await page.getByRole('button', { name: 'Sign out' }).isVisible(), 'sign out is visible');
  await page.locator('.resident-link').first().waitFor();
  check((await page.locator('.resident-link').count()) === 10, 'care staff see their own home’s 10 residents');
  await shot(page, '02-residents');
  await axe(page, 'residents');

  // The connection check, against the real relay on loopback: camera, microphone, speaker, path.
  await page.getByRole('link', { name: 'Check the connection' }).click();
  await page.getByRole('heading', { name: 'Check the connection', level: 1 }).waitFor();
  await page.waitForFunction(() => {
    const v = /** @type {HTMLVideoElement | null} */ (document.querySelector('.check-video'));
    return v && v.videoWidth > 0 && v.currentTime > 0;
  });
  check(await page.getByText('Camera working').isVisible(), 'the check shows the camera preview and says it works');
  await page.waitForFunction(() => /** @type {HTMLMeterElement} */ (document.querySelector('#mic-level')).value > 0.06, null, { timeout: 10000 });
  await page.getByText('Microphone working').waitFor();
  check(true, 'the microphone level meter moves with sound, and the check says the microphone works');
  await page.locator('.check-verdict[data-verdict="good"]').waitFor({ timeout: 20000 });
  const verdict = await page.locator('.check-verdict').innerText();
  check(/Good/.test(verdict) && /Video calls should work well/.test(verdict) && /Reply time \d+ ms/.test(verdict),
    `the path check reaches a verdict against the relay: "Good" (${verdict.replace(/\s+/g, ' ')})`);
  await page.getByRole('button', { name: 'Play a test sound' }).click();
  await page.getByText('Did you hear it?').waitFor();
  await shot(page, '02a-check');
  await axe(page, 'connection check');
  await page.getByRole('button', { name: 'Yes, I heard it' }).click();
  await page.getByText('Speaker working').waitFor();
  check(true, 'the speaker test plays a tone and asks "Did you hear it?"');
  await page.setViewportSize({ width: 800, height: 1280 });
  await shot(page, '02b-check-portrait');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('link', { name: 'Back to residents' }).first().click();
  await page.getByRole('heading', { name: 'Who is unwell?' }).waitFor();

  // Care staff never see hub or review screens.
  await page.goto(`${BASE}/#/hub`);
  await page.getByRole('heading', { name: 'This screen is not for your role' }).waitFor();
  check(true, 'care staff opening #/hub see "not for your role"');
  for (const path of ['/review', '/review/1', '/figures', '/hub/1', '/consult/1']) {
    await page.goto(`${BASE}/#${path}`);
    await page.getByRole('heading', { name: 'This screen is not for your role' }).waitFor();
    check(true, `care staff opening #${path} see "not for your role"`);
  }
  check(!(await page.locator('#nav').isVisible()), 'care staff have no hub or review navigation');
  await page.getByRole('link', { name: /find a resident/i }).click();

  await page.getByLabel('Search by name or room').fill('Peggy');
  await page.waitForFunction(() => document.querySelectorAll('.resident-link').length === 1);
  check(await page.getByText('Margaret Hargreaves').isVisible(), 'search by preferred name finds Margaret Hargreaves');
  await page.getByLabel('Search by name or room').fill('12');
  await page.waitForFunction(() => document.querySelectorAll('.resident-link').length === 2);
  check(true, 'search by room "12" finds rooms 12 and 12A');
  await page.getByRole('link', { name: /Margaret Hargreaves/ }).click();

  // Emergency questions first.
  await page.getByRole('heading', { name: 'Is there an emergency?' }).waitFor();
  await page.locator('label[for="rf-chest_pain-yes"]').click();
  await page.getByText('Dial 999 now').waitFor();
  check(true, 'a yes shows "Dial 999 now"');
  await shot(page, '03-dial-999');
  await axe(page, 'emergency questions');
  await page.locator('label[for="rf-chest_pain-no"]').click();
  await page.waitForFunction(() => !document.querySelector('.dial-999'));
  await page.getByRole('button', { name: 'No to all of these' }).click();

  // The form, with vector 3 of docs/clinical-rules.md §2.4:
  // 21, 95 s1, air, 110, 91, A, 38.1 -> NEWS2 6 (Medium).
  await page.getByRole('heading', { name: 'What have you noticed?' }).waitFor();
  await page.getByRole('button', { name: 'Not themselves' }).click();
  await shot(page, '04a-form-top');
  await page.getByLabel('Breathing rate').fill('21');
  await page.getByLabel('Oxygen level (SpO2)').fill('95');
  await page.locator('label[for="a-oxygen-air"]').click();
  await page.getByLabel('Blood pressure, top number').fill('110');
  await page.getByLabel('Pulse').fill('91');
  await page.locator('label[for="a-alertness-alert"]').click();
  await page.getByLabel('Temperature').fill('38.1');
  await page.locator('label[for="a-concern-worried"]').click();
  await page.getByRole('textbox', { name: 'In one line, what is happening?' }).fill('Not herself since lunch, hot and breathing faster');
  await page.waitForFunction(() => document.querySelector('.preview-news2')?.textContent === 'NEWS2 6 (Medium)');
  check(true, 'live NEWS2 shows "NEWS2 6 (Medium)" for vector 3');
  check((await page.locator('.preview .level-code').textContent()) === 'P2', 'the level is P2 (Very urgent)');
  await shot(page, '04-form-landscape');
  await axe(page, 'assessment form');

  // A wrong number is flagged at its field by the server's message.
  await page.getByLabel('Pulse').fill('400');
  await page.waitForSelector('#a-pulse[aria-invalid="true"]');
  check(await page.locator('#a-pulse-error').isVisible(), 'an implausible pulse is flagged at the field');
  await page.getByLabel('Pulse').fill('91');
  await page.waitForSelector('.preview[data-state="ok"]:not([data-pending])');
  check((await page.locator('.preview-news2').textContent()) === 'NEWS2 6 (Medium)', 'a corrected pulse scores again');

  // Portrait.
  await page.setViewportSize({ width: 800, height: 1280 });
  await page.evaluate(() => window.scrollTo(0, 600));
  await shot(page, '05-form-portrait');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The check is offered before the call, and coming back keeps what was typed.
  await page.getByRole('link', { name: /Check the connection first/ }).click();
  await page.getByRole('heading', { name: 'Check the connection', level: 1 }).waitFor();
  await page.getByRole('link', { name: 'Back to the assessment' }).first().click();
  await page.getByLabel('Breathing rate').waitFor();
  check(await page.getByLabel('Breathing rate').inputValue() === '21', 'the assessment offers the connection check, and returning from it keeps what was typed');

  await page.getByRole('button', { name: 'Call the hub', exact: true }).click();
  await page.getByRole('heading', { name: 'Waiting for a nurse' }).waitFor();
  const callId = Number(page.url().split('/').pop());
  check(callId > 0, `the call was created (#${callId})`);
  await page.waitForFunction(() => {
    const v = /** @type {HTMLVideoElement | null} */ (document.querySelector('.self-video'));
    return v && v.videoWidth > 0;
  });
  check(true, 'the self-view shows the camera');
  check(await page.getByText('You are next').isVisible(), 'place in the queue: "You are next"');
  check(await page.getByText('A nurse should answer by').isVisible(), 'the expected answer time is shown');
  await shot(page, '06-waiting');
  await axe(page, 'waiting');
  await page.setViewportSize({ width: 800, height: 1280 });
  await shot(page, '07-waiting-portrait');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Add observations while waiting.
  await page.getByRole('button', { name: 'Add observations' }).click();
  await page.getByRole('heading', { name: 'Add observations' }).waitFor();
  await shot(page, '08-add-observations');
  await page.getByRole('button', { name: 'Send to the hub' }).click();
  await page.getByText('Observations sent.').waitFor();
  check(true, 'observations can be added while waiting');

  // ---------- the nurse answers (second page using the shared modules) ----------
  const nurseToken = await login('nurse1');
  check((await apiAs(nurseToken, 'POST', `/api/calls/${callId}/claim`)).status === 200, 'nurse1 claims the call');
  await page.getByText(/has answered|Connecting/).first().waitFor();
  check((await apiAs(nurseToken, 'POST', `/api/calls/${callId}/start`)).status === 200, 'nurse1 starts the consultation');

  const hubCtx = await browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['camera', 'microphone'] });
  const hub = await hubCtx.newPage();
  watch(hub, 'hub', problems);
  await joinVideoFromPage(hub, BASE, nurseToken, callId);

  await page.waitForFunction(() => {
    const v = /** @type {HTMLVideoElement | null} */ (document.querySelector('.remote-video'));
    return v && v.videoWidth > 0 && v.currentTime > 0.5;
  }, null, { timeout: 20000 });
  check(true, 'the tablet shows the nurse’s video');
  const nurseFrames = () => hub.evaluate(() => /** @type {any} */ (window).__video.framesDecoded());
  for (let i = 0; i < 60 && (await nurseFrames()) === 0; i++) await hub.waitForTimeout(250);
  const framesA = await nurseFrames();
  await page.waitForTimeout(1500);
  const framesB = await nurseFrames();
  check(framesB > framesA && framesA > 0, `the nurse decodes the tablet’s video (${framesA} → ${framesB} frames)`);
  await page.getByText('Nurse Priya Shah').first().waitFor();
  await page.locator('.tile-main .tile-conn').filter({ hasText: 'Good connection' }).waitFor({ timeout: 15000 });
  await page.locator('.stage-my-conn').filter({ hasText: 'Your connection is good' }).waitFor({ timeout: 15000 });
  check(true, 'the tablet says in words that both connections are good');
  check(await overlapFree(page, '.tile-main', ['.self-corner', '.stage-side .tile']), 'the nurse is the main tile; the self-view does not cover it');
  await page.waitForTimeout(1200);
  await shot(page, '09-in-call');
  await page.setViewportSize({ width: 800, height: 1280 });
  check(await overlapFree(page, '.tile-main', ['.self-corner', '.stage-side .tile']), 'in portrait too, nothing covers the nurse');
  await shot(page, '09a-in-call-portrait');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('button', { name: 'Mute' }).click();
  await hub.waitForFunction(() => /** @type {any} */ (window).__video.participants.some((p) => p.role === 'care_staff' && p.muted));
  check(true, 'mute reaches the other side (media.participants)');
  await shot(page, '10-in-call-muted');
  await axe(page, 'in call');

  // The line drops (the server dies and comes back): the tablet says so, then recovers alone.
  if (server.kill && server.start) {
    await server.kill();
    await page.getByText('Reconnecting…').first().waitFor();
    check(true, 'a dropped line shows "Reconnecting…" with what to do');
    await page.locator('.tile-main .tile-conn').filter({ hasText: 'Reconnecting…' }).waitFor({ timeout: 5000 });
    check(true, 'the nurse\'s tile says "Reconnecting…" within seconds of the media stopping (not "Good")');
    await shot(page, '10a-reconnecting');
    await server.start();
    // The overlay stays until the nurse's media reaches the tablet again, which needs the nurse's
    // page to rejoin too (its live channel backs off while the server is down).
    await page.waitForFunction(() => !/Connecting…|Reconnecting…/.test(document.querySelector('.tile-main .tile-conn')?.textContent ?? 'Connecting…'), null, { timeout: 60000 });
    await page.locator('.stage-overlay').waitFor({ state: 'hidden', timeout: 5000 });
    check(true, `when the media is back the tile says so ("${(await page.locator('.tile-main .tile-conn .conn-text').innerText())}")`);
    await shot(page, '10b-back');
    const playing = () => page.evaluate(() => /** @type {HTMLVideoElement | null} */ (document.querySelector('.remote-video'))?.currentTime ?? 0);
    await page.waitForFunction(() => {
      const v = /** @type {HTMLVideoElement | null} */ (document.querySelector('.remote-video'));
      return v && v.videoWidth > 0 && v.currentTime > 0.2;
    }, null, { timeout: 30000 });
    const t0 = await playing();
    await page.waitForTimeout(1500);
    check((await playing()) > t0, 'after the server comes back the video plays again by itself');
  }

  // ---------- the nurse ends and records the outcome ----------
  check((await apiAs(nurseToken, 'POST', `/api/calls/${callId}/end`)).status === 200, 'nurse1 ends the consultation');
  await page.getByRole('heading', { name: 'The video has ended' }).waitFor();
  await shot(page, '11-wrap-up');
  const reobserve = new Date(Date.now() + 2 * 3600_000).toISOString();
  const outcome = await apiAs(nurseToken, 'POST', `/api/calls/${callId}/outcome`, {
    outcome: 'GPV',
    plan: 'Paracetamol 1 g now for the temperature, as prescribed. Offer a drink every hour. The GP will phone the home this afternoon.',
    reobserve_at: reobserve,
  });
  check(outcome.status === 200, 'nurse1 records the outcome');
  await page.getByRole('heading', { name: 'The plan for Peggy' }).waitFor({ timeout: 8000 }).catch(async (e) => {
    await shot(page, 'debug-plan');
    console.log(await page.locator('main').innerText());
    throw e;
  });
  check(await page.getByText('Paracetamol 1 g now').isVisible(), 'the tablet shows the nurse’s plan');
  check(await page.getByText('Check on Peggy again').isVisible(), 'the tablet shows the re-observation time');
  await shot(page, '12-plan');
  await axe(page, 'plan');

  // ---------- the hub unreachable ----------
  await page.getByRole('link', { name: 'Done: back to residents' }).click();
  await page.getByRole('heading', { name: 'Who is unwell?' }).waitFor();
  await tablet.setOffline(true);
  await page.getByLabel('Search by name or room').fill('Stan');
  await page.locator('#status').getByText('Cannot reach the hub — check the Wi-Fi').waitFor();
  check(true, 'no network shows "Cannot reach the hub — check the Wi-Fi"');
  await shot(page, '15-offline');
  await tablet.setOffline(false);
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.locator('#status').waitFor({ state: 'hidden' });
  check(await page.getByText('Stanley Greenwood').isVisible(), 'back online, the search works again');

  // ---------- automatic sign-out after inactivity ----------
  const idleCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const idle = await idleCtx.newPage();
  watch(idle, 'idle', problems);
  await idle.clock.install();
  await idle.goto(BASE);
  await idle.getByLabel('Username').fill('carer2');
  await idle.getByLabel('Password').fill('demo-password');
  await idle.getByRole('button', { name: 'Sign in' }).click();
  await idle.getByRole('heading', { name: 'Who is unwell?' }).waitFor();
  await idle.clock.fastForward('09:10');
  await idle.getByText('Are you still there?').waitFor();
  check(true, 'after 9 minutes without use a warning shows');
  await shot(idle, '16-idle-warning');
  await idle.getByRole('button', { name: "I'm still here" }).click();
  await idle.getByText('Are you still there?').waitFor({ state: 'hidden' });
  check(true, '"I\'m still here" keeps the tablet signed in');
  await idle.clock.fastForward('10:05');
  await idle.getByText('You were signed out because the tablet was not used for a while.').waitFor();
  check(true, 'after 10 minutes without use the tablet signs out');

  // ---------- the camera blocked ----------
  const blockedCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await blockedCtx.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
  });
  const blocked = await blockedCtx.newPage();
  watch(blocked, 'blocked', problems);
  await blocked.goto(BASE);
  await blocked.getByLabel('Username').fill('carer1');
  await blocked.getByLabel('Password').fill('demo-password');
  await blocked.getByRole('button', { name: 'Sign in' }).click();
  await blocked.getByLabel('Search by name or room').fill('Arthur');
  await blocked.getByRole('link', { name: /Arthur Pickles/ }).click();
  await blocked.getByRole('button', { name: 'No to all of these' }).click();
  await blocked.getByRole('button', { name: 'Off food or drink' }).click();
  await blocked.getByRole('textbox', { name: 'In one line, what is happening?' }).fill('Off his food today');
  await blocked.getByRole('button', { name: 'Call the hub', exact: true }).click();
  await blocked.getByText('The camera or microphone is blocked').waitFor();
  check(true, 'a blocked camera explains how to allow it');
  await shot(blocked, '13-camera-blocked');
  await blocked.getByRole('button', { name: 'Cancel call' }).click();
  await blocked.getByRole('button', { name: 'Yes, cancel the call' }).click();
  await blocked.getByRole('heading', { name: 'Call cancelled' }).waitFor();
  check(true, 'care staff can cancel a waiting call');

  // A resident with no care plan.
  await blocked.goto(`${BASE}/#/residents`);
  await blocked.getByLabel('Search by name or room').fill('Patricia');
  await blocked.getByRole('link', { name: /Patricia Lumb/ }).click();
  await blocked.getByText('No care plan: CPR status unknown').waitFor();
  check(true, 'a resident without a care plan shows "No care plan: CPR status unknown"');

  // A red flag: dial 999, and the call still goes to the hub at P1 straight away.
  await blocked.getByRole('link', { name: '‹ Residents' }).click();
  await blocked.getByLabel('Search by name or room').fill('Elsie');
  await blocked.getByRole('link', { name: /Elsie Brearley/ }).click();
  await blocked.locator('label[for="rf-choking-yes"]').click();
  await blocked.getByRole('button', { name: 'Call the hub now' }).click();
  await blocked.getByText('Dial 999 if you have not already').waitFor();
  check((await blocked.locator('.queue-facts .level-code').textContent()) === 'P1', 'a red flag call queues at P1 with a 999 reminder');
  await shot(blocked, '17-red-flag-waiting');
  await blocked.getByRole('button', { name: 'Cancel call' }).click();
  await blocked.getByRole('button', { name: 'Yes, cancel the call' }).click();
  await blocked.getByRole('heading', { name: 'Call cancelled' }).waitFor();

  // Sign-out by the server (token no longer accepted).
  await blocked.evaluate(() => {
    const raw = sessionStorage.getItem('carehub.session');
    if (raw) sessionStorage.setItem('carehub.session', JSON.stringify({ ...JSON.parse(raw), token: 'not-a-token' }));
  });
  await blocked.reload();
  await blocked.getByText('You have been signed out').waitFor();
  check(true, 'a refused token shows "You have been signed out"');
  await shot(blocked, '14-signed-out');

  // Each role lands on its own first screen.
  for (const [user, home] of [['nurse1', '#/hub'], ['clinician1', '#/review'], ['admin', '#/admin']]) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await ctx.newPage();
    watch(p, user, problems);
    await signIn(p, BASE, user);
    await p.waitForFunction((hash) => location.hash === hash && document.querySelector('main h1'), home);
    check(true, `${user} lands on ${home}`);
    await ctx.close();
  }

  checkNoConsoleErrors(problems);
} catch (error) {
  fail(error);
} finally {
  await browser.close();
  await server.stop();
}

finish();
