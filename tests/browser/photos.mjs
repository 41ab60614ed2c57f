// Browser check of what keeps a call going when the video cannot carry it, in a real Chromium
// with a fake camera:
//
// 1. Still photo: in an answered call, carer1 presses "Send a photo" on the tablet; nurse1's
//    call screen shows the thumbnail beside the video within seconds, and it opens full size at
//    the camera's resolution. Each image fetch is an audit entry.
// 2. Phone the home: the tablet leaves the video; after media.phone_offer_after_seconds (2 s
//    here) the nurse's screen offers "Phone the home" with the home's number; one click records
//    it on the call, and the tablet, back in the call, says to answer the home's phone.
// 3. The review: after the outcome, the call's record shows the photo (opening full size) and
//    the timeline says the call went on by phone.
// axe-core on each screen state, screenshots 5x-photos-*.png.

import { startServer, apiClient, launchBrowser, signIn, watch, checkNoConsoleErrors, shot, axe, check, fail, finish } from './lib.mjs';

const server = await startServer({ CAREHUB__MEDIA__PHONE_OFFER_AFTER_SECONDS: '2' });
const BASE = server.base;
const { login, apiAs } = apiClient(BASE);
const browser = await launchBrowser();
/** @type {string[]} */
const problems = [];
/** @type {[string, import('playwright-core').Page][]} */
const pages = [];
const desktop = { viewport: { width: 1280, height: 800 }, permissions: ['camera', 'microphone'] };

try {
  const carerToken = await login('carer1');
  const nurseToken = await login('nurse1');
  const resident = (await apiAs(carerToken, 'GET', `/api/residents?search=${encodeURIComponent('Peggy')}`)).json[0].id;
  const created = await apiAs(carerToken, 'POST', '/api/calls', {
    resident_id: resident,
    situation: 'A red patch on her left shin, warm to touch',
    assessment: { observations: { respiration_rate: 16, spo2: 96, on_oxygen: false, systolic_bp: 128, pulse: 78, consciousness: 'alert', temperature_c: 37.2 }, soft_signs: ['skin'], concern: 'worried' },
  });
  check(created.status === 201, `carer1's call is queued (${created.status})`);
  const callId = created.json.id;

  // The tablet waits on its call; the nurse answers from the queue.
  const tabletCtx = await browser.newContext(desktop);
  const tablet = await tabletCtx.newPage();
  watch(tablet, 'tablet', problems);
  pages.push(['tablet', tablet]);
  await signIn(tablet, BASE, 'carer1');
  await tablet.waitForFunction(() => location.hash === '#/residents');
  await tablet.goto(`${BASE}/#/call/${callId}`);
  await tablet.getByRole('heading', { name: 'Waiting for a nurse' }).waitFor();

  const nurseCtx = await browser.newContext(desktop);
  const nurse = await nurseCtx.newPage();
  watch(nurse, 'nurse', problems);
  pages.push(['nurse', nurse]);
  await signIn(nurse, BASE, 'nurse1');
  await nurse.getByRole('heading', { name: 'Hub queue', level: 1 }).waitFor();
  await nurse.locator(`.q-item[data-call-id="${callId}"]`).getByRole('link').click();
  await nurse.getByRole('button', { name: 'Answer', exact: true }).click();
  await nurse.getByRole('button', { name: 'End consultation' }).waitFor({ timeout: 10000 });
  const photosBox = nurse.locator('.consult-photos');
  await photosBox.waitFor();
  check(/No photos yet/.test(await photosBox.innerText()), 'the nurse\'s call screen has a photos area beside the video, empty at first');

  // The video is up both ways before anything else: the phone is not offered then.
  await nurse.waitForFunction(() => {
    const v = /** @type {HTMLVideoElement | null} */ (document.querySelector('.consult-main video.remote-video'));
    return Boolean(v && v.readyState >= 2 && v.videoWidth > 0);
  }, null, { timeout: 20000 });
  await nurse.waitForTimeout(3000);
  check(await nurse.getByRole('button', { name: /Phone the home/ }).count() === 0, 'while the video with the home is up, the phone is not offered');

  // ---------- 1. a still photo ----------
  const send = tablet.getByRole('button', { name: 'Send a photo' });
  await send.waitFor({ timeout: 10000 });
  await shot(tablet, '50-photos-tablet-in-call');
  await axe(tablet, 'tablet in call with the photo button');
  const sentAt = Date.now();
  await send.click();
  await tablet.locator('.photo-status[data-kind="sent"]').waitFor({ timeout: 15000 });
  check(/Photo sent at \d\d:\d\d/.test(await tablet.locator('.photo-status').innerText()), 'the tablet says the photo was sent, and when');
  const thumb = nurse.locator('.consult-photos .photo-thumb img');
  await thumb.waitFor({ timeout: 10000 });
  const shownIn = Date.now() - sentAt;
  await nurse.waitForFunction(() => {
    const img = /** @type {HTMLImageElement | null} */ (document.querySelector('.consult-photos .photo-thumb img'));
    return Boolean(img && img.complete && img.naturalWidth > 0);
  }, null, { timeout: 10000 });
  check(shownIn < 10000, `the nurse sees the photo beside the video without a reload (${shownIn} ms after the carer pressed the button)`);
  check(/New photo from Amy Carter/.test(await nurse.locator('.photo-news').innerText()), 'the nurse is told who sent it');
  await shot(nurse, '51-photos-nurse-sees-photo');
  await axe(nurse, 'nurse call screen with a photo');

  const camera = await tablet.evaluate(() => {
    const v = /** @type {HTMLVideoElement | null} */ (document.querySelector('.self-video'));
    return { width: v?.videoWidth ?? 0, height: v?.videoHeight ?? 0 };
  });
  await nurse.locator('.consult-photos .photo-thumb').first().click();
  const full = nurse.getByRole('dialog', { name: /Photo 1 from the care home/ });
  await full.waitFor();
  await nurse.waitForFunction(() => {
    const img = /** @type {HTMLImageElement | null} */ (document.querySelector('.photo-dialog .photo-full-img'));
    return Boolean(img && img.complete && img.naturalWidth > 0);
  });
  const size = await nurse.evaluate(() => {
    const img = /** @type {HTMLImageElement} */ (document.querySelector('.photo-dialog .photo-full-img'));
    return { width: img.naturalWidth, height: img.naturalHeight };
  });
  check(size.width >= camera.width && size.height >= camera.height && size.width > 0,
    `the photo opens full size at the camera's resolution or better (${size.width} × ${size.height}; video ${camera.width} × ${camera.height})`);
  check(/Amy Carter/.test(await full.innerText()), 'the full-size view says who sent it and when');
  await shot(nurse, '52-photos-full-size');
  await axe(nurse, 'photo full size');
  await full.getByRole('button', { name: 'Close' }).click();

  const clinicianToken = await login('clinician1');
  const reads = await apiAs(clinicianToken, 'GET', '/api/audit?action=call.photo_read');
  check(reads.json.length === 1 && reads.json[0].actor === 'nurse1', `the nurse's screen fetched the image once, and the read is audited (${reads.json.length} read)`);

  // ---------- 2. phone the home ----------
  // The tablet leaves the call screen, and so the video.
  await tablet.goto(`${BASE}/#/residents`);
  const offer = nurse.getByRole('button', { name: /Phone the home/ });
  await offer.waitFor({ timeout: 15000 });
  const homes = (await apiAs(nurseToken, 'GET', '/api/care-homes')).json;
  const oakfield = homes.find((/** @type {any} */ h) => h.name === 'Oakfield House');
  check((await offer.innerText()).includes(oakfield.phone), `once the tablet has left the video, the nurse is offered "Phone the home" with its number (${oakfield.phone})`);
  await shot(nurse, '53-photos-phone-offer');
  await axe(nurse, 'phone offer');
  await offer.click();
  await nurse.locator('.phone-offer').getByText('The call went on by phone', { exact: true }).waitFor({ timeout: 5000 });
  const phone = (await apiAs(nurseToken, 'GET', `/api/calls/${callId}/phone`)).json;
  check(Boolean(phone.continued_by_phone) && phone.continued_by_phone.by.name === 'Nurse Priya Shah', 'one click records on the call that it went on by phone');
  check(await offer.count() === 0, 'the offer gives way to what was recorded');
  await tablet.goto(`${BASE}/#/call/${callId}`);
  await tablet.getByText('The nurse is phoning the home.').waitFor({ timeout: 10000 });
  check(true, 'back on the call, the tablet says the nurse is phoning the home');
  await shot(tablet, '54-photos-tablet-phoned');

  // ---------- 3. the review ----------
  check((await apiAs(nurseToken, 'POST', `/api/calls/${callId}/end`)).status === 200, 'the nurse ends the consultation');
  const closed = await apiAs(nurseToken, 'POST', `/api/calls/${callId}/outcome`, { outcome: 'GPV', plan: 'GP to visit today about possible cellulitis; mark the edge of the redness.' });
  check(closed.status === 200, 'the outcome is recorded');
  const clinCtx = await browser.newContext(desktop);
  const clin = await clinCtx.newPage();
  watch(clin, 'clinician', problems);
  pages.push(['clinician', clin]);
  await signIn(clin, BASE, 'clinician1');
  await clin.waitForFunction(() => location.hash === '#/review');
  await clin.goto(`${BASE}/#/review/${callId}`);
  const section = clin.locator('.rv-photos');
  await section.waitFor({ timeout: 10000 });
  await clin.waitForFunction(() => {
    const img = /** @type {HTMLImageElement | null} */ (document.querySelector('.rv-photos .photo-thumb img'));
    return Boolean(img && img.complete && img.naturalWidth > 0);
  }, null, { timeout: 10000 });
  check(/1 photo sent from the tablet/.test(await section.innerText()), 'the review record shows the photo as a thumbnail');
  const timeline = await clin.locator('.rv-timeline').innerText();
  check(/Photo sent by the care home/.test(timeline) && /Video failed: the call went on by phone/.test(timeline) && timeline.includes(oakfield.phone),
    'the review timeline says a photo was sent and that the call went on by phone, with the number');
  await section.locator('.photo-thumb').click();
  await clin.getByRole('dialog', { name: /Photo 1 from the care home/ }).waitFor();
  await clin.waitForFunction(() => {
    const img = /** @type {HTMLImageElement | null} */ (document.querySelector('.photo-dialog .photo-full-img'));
    return Boolean(img && img.complete && img.naturalWidth > 0);
  });
  check(true, 'the review opens the photo full size');
  await shot(clin, '55-photos-review');
  await axe(clin, 'call review with a photo');
  await clin.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
  const after = await apiAs(clinicianToken, 'GET', '/api/audit?action=call.photo_read');
  check(after.json.length === 2 && after.json[0].actor === 'clinician1', 'the review fetched the image once more, audited as the clinician');

  checkNoConsoleErrors(problems);
} catch (error) {
  fail(error);
  for (const [name, page] of pages) await page.screenshot({ path: `screenshots/fail-photos-${name}.png` }).catch(() => {});
} finally {
  await browser.close();
  await server.stop();
  finish();
}
