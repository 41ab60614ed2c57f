// Browser check of the review screens (clinicians and hub nurses) in a real Chromium.
//
//   node review.mjs               starts its own server (target/debug/carehub) in a temp folder
//   BASE=http://127.0.0.1:18300 node review.mjs   uses a running server instead (its quality
//                                 samples must then come every second or two: see below)
//
// First a real call with video (carer1 and nurse1 through the relay, driven through js/call.js)
// is made and closed, so one call has stored connection quality samples. Then clinician1 lands
// on Review, sees the demo month, narrows the list with every filter (each compared with the
// API's answer for the same filter), pages, goes Back to the same filtered list, opens the new
// call (timeline, care plan snapshot, assessment, quality, outcome), signs it off with a
// comment, and sees it leave "Unsigned only". nurse1 sees review and figures but no sign-off
// form, and records follow-up. The figures page draws its charts with the values of
// /api/reports/summary. Keyboard use, both tablet orientations, axe-core on every screen;
// screenshots 40-49 go to screenshots/.

import { startServer, apiClient, launchBrowser, watch, checkNoConsoleErrors, shot, axe, check, fail, finish, signIn, joinVideoFromPage } from './lib.mjs';

const started = Date.now();
const server = await startServer({ CAREHUB__MEDIA__QUALITY_INTERVAL_SECONDS: '1' });
const BASE = server.base;
const { login, apiAs } = apiClient(BASE);
const browser = await launchBrowser();
/** @type {string[]} */
const problems = [];

/** "YYYY-MM-DD" of a local date `days` from today. @param {number} days */
function day(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
/** Local midnight of a "YYYY-MM-DD" day as RFC 3339 (what the screens send). @param {string} d */
const midnight = (d) => new Date(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))).toISOString();

/** The call ids the list shows, in order. @param {import('playwright-core').Page} page */
const shownIds = (page) => page.$$eval('.review-table tbody tr', (rows) => rows.map((r) => Number(/** @type {HTMLElement} */ (r).dataset.call)));

/**
 * Waits until the list shows exactly `ids` (in order); false after 6 s.
 * @param {import('playwright-core').Page} page
 * @param {number[]} ids
 */
async function listShows(page, ids) {
  try {
    await page.waitForFunction((want) => {
      if (document.querySelector('.review-results')?.getAttribute('aria-busy') !== 'false') return false;
      const got = [...document.querySelectorAll('.review-table tbody tr')].map((r) => Number(/** @type {HTMLElement} */ (r).dataset.call));
      return got.length === want.length && got.every((id, i) => id === want[i]);
    }, ids, { timeout: 6000 });
    return true;
  } catch {
    const got = await shownIds(page);
    console.log(`    expected ${ids.length} rows [${ids.slice(0, 5)}…], the list shows ${got.length} [${got.slice(0, 5)}…]`);
    return false;
  }
}

/**
 * The API's review list for a query: the first page (50) as the screen shows it, and every row.
 * @param {string} token
 * @param {string} query
 */
async function apiPage(token, query) {
  const r = await apiAs(token, 'GET', `/api/review/calls?${query}${query ? '&' : ''}limit=500`);
  return { ids: r.json.slice(0, 50).map((/** @type {any} */ c) => c.id), rows: r.json.slice(0, 50), every: r.json };
}

/** No sideways scrolling at this size. @param {import('playwright-core').Page} page @param {string} what */
async function fitsWidth(page, what) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  check(scroll <= width, `${what}: nothing wider than the screen (${scroll} <= ${width})`);
}

try {
  // ---------- a real call with video, closed by the nurse ----------
  const carerToken = await login('carer1');
  const nurseToken = await login('nurse1');
  const clinicianToken = await login('clinician1');
  const peggy = (await apiAs(carerToken, 'GET', '/api/residents?search=Hargreaves')).json[0];
  const created = await apiAs(carerToken, 'POST', '/api/calls', {
    resident_id: peggy.id,
    situation: 'Not herself since lunch, hot and breathing faster',
    assessment: {
      observations: { respiration_rate: 21, spo2: 95, on_oxygen: false, systolic_bp: 110, pulse: 91, consciousness: 'alert', temperature_c: 38.1 },
      soft_signs: ['not_themselves', 'temperature'], concern: 'worried',
    },
  });
  const callId = created.json.id;
  check(created.status === 201, `carer1 calls the hub about Margaret Hargreaves (#${callId})`);
  check((await apiAs(nurseToken, 'POST', `/api/calls/${callId}/claim`)).status === 200, 'nurse1 answers');
  check((await apiAs(nurseToken, 'POST', `/api/calls/${callId}/start`)).status === 200, 'nurse1 starts the video');

  const videoCtx = await browser.newContext({ viewport: { width: 640, height: 480 }, permissions: ['camera', 'microphone'] });
  const joinVideo = async (/** @type {string} */ token, /** @type {string} */ name) => {
    const p = await videoCtx.newPage();
    watch(p, name, problems);
    await joinVideoFromPage(p, BASE, token, callId);
    return p;
  };
  await Promise.all([joinVideo(carerToken, 'carer video'), joinVideo(nurseToken, 'nurse video')]);
  /** @type {any[]} */
  let samples = [];
  for (let i = 0; i < 60; i++) {
    samples = (await apiAs(nurseToken, 'GET', `/api/calls/${callId}`)).json.quality ?? [];
    if (new Set(samples.map((q) => q.user_id)).size >= 2 && samples.filter((q) => q.rx_kbps > 0).length >= 4) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  check(new Set(samples.map((q) => q.user_id)).size === 2, `the relay stored quality samples for both people (${samples.length})`);
  check((await apiAs(nurseToken, 'POST', `/api/calls/${callId}/end`)).status === 200, 'nurse1 ends the video');
  await videoCtx.close();
  const plan = 'Paracetamol 1 g now, as prescribed. Offer a drink every hour. The GP will phone the home this afternoon.';
  const reobserve = new Date(Date.now() + 2 * 3600_000).toISOString();
  const outcome = await apiAs(nurseToken, 'POST', `/api/calls/${callId}/outcome`, { outcome: 'GPV', plan, reobserve_at: reobserve });
  check(outcome.status === 200, 'nurse1 records the outcome GPV; the call closes');

  // ---------- clinician1: the review list ----------
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  watch(page, 'clinician', problems);
  await signIn(page, BASE, 'clinician1');
  await page.waitForFunction(() => location.hash === '#/review' && document.querySelector('main h1')?.textContent === 'Review closed calls');
  check(true, 'clinician1 signs in and lands on Review');

  const all = await apiPage(clinicianToken, '');
  check(await listShows(page, all.ids), `the list shows the newest 50 ended calls, as the API does (demo history and the new call)`);
  check(all.ids[0] === callId, 'the call just closed is first');
  const firstLink = page.locator(`a[data-call="${callId}"]`);
  check((await firstLink.innerText()) === 'Margaret Hargreaves' && (await firstLink.getAttribute('href')) === `#/review/${callId}`, 'each row links to #/review/<callId> by the resident’s name');
  check(await page.getByRole('link', { name: /^Margaret Hargreaves, call of/ }).first().isVisible(), 'the link’s accessible name is the resident’s name and the call time');
  check((await page.locator('.review-count').innerText()).includes('Showing 50 calls'), 'the count says how many calls are shown');
  await shot(page, '40-review-list');
  await axe(page, 'review list');

  // Each filter narrows the list exactly as the API does.
  const homes = (await apiAs(clinicianToken, 'GET', '/api/care-homes')).json;
  const riverside = homes.find((/** @type {any} */ x) => x.name === 'Riverside Lodge');
  /** @type {[string, () => Promise<void>, string, (row: any) => boolean][]} */
  const filters = [
    ['care home', () => page.getByLabel('Care home').selectOption({ label: 'Riverside Lodge' }).then(() => {}), `home=${riverside.id}`, (r) => r.care_home_id === riverside.id],
    ['level', () => page.getByLabel('Level at arrival').selectOption('P1').then(() => {}), 'level=P1', (r) => r.initial_level === 'P1'],
    ['outcome', () => page.getByLabel('Outcome').selectOption('AMB').then(() => {}), 'outcome=AMB', (r) => r.outcome === 'AMB'],
    ['target missed', () => page.getByLabel('Target time to answer').selectOption('yes').then(() => {}), 'breached=true', (r) => r.breaches > 0],
    ['answered within target', () => page.getByLabel('Target time to answer').selectOption('no').then(() => {}), 'breached=false', (r) => r.breaches === 0],
    ['date range', async () => {
      await page.getByLabel('Arrived from').fill(day(-14));
      await page.getByLabel('Arrived up to and including').fill(day(-7));
    }, `from=${encodeURIComponent(midnight(day(-14)))}&to=${encodeURIComponent(midnight(day(-6)))}`,
    (r) => r.arrived_at >= midnight(day(-14)) && r.arrived_at < midnight(day(-6))],
    ['"Unsigned only"', () => page.getByLabel('Unsigned only').check(), 'unsigned=true', (r) => r.state === 'closed' && !r.signed_off],
  ];
  for (const [name, apply, query, holds] of filters) {
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await listShows(page, all.ids);
    await apply();
    const want = await apiPage(clinicianToken, query);
    const same = await listShows(page, want.ids);
    const narrower = want.every.length > 0 && want.every.length < all.every.length && want.every.every(holds) && all.every.filter(holds).length === want.every.length;
    check(same && narrower, `the ${name} filter narrows the list to what the API answers for ${query.replace(/%3A/g, ':')} (${want.every.length} of ${all.every.length} calls)`);
  }
  // What a person sees in the rows after a filter, not only the ids.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('Level at arrival').selectOption('P1');
  await page.getByLabel('Outcome').selectOption('AMB');
  const both = await apiPage(clinicianToken, 'level=P1&outcome=AMB');
  check(await listShows(page, both.ids), `two filters together (P1 and AMB: ${both.ids.length} calls) match the API`);
  const codes = await page.$$eval('.review-table tbody .level-code', (els) => els.map((e) => e.textContent));
  const outcomes = await page.$$eval('.review-table tbody .rv-col-outcome strong', (els) => els.map((e) => e.textContent));
  check(codes.every((c) => c === 'P1') && outcomes.every((c) => c === 'AMB'), 'every row shown is P1 with outcome AMB');
  await page.getByLabel('Level at arrival').selectOption('P5');
  await page.getByLabel('Outcome').selectOption('DUX');
  await page.getByText('No calls match these filters').first().waitFor();
  check(true, 'a filter with no match says so');
  await page.getByLabel('Arrived from').fill(day(-1));
  await page.getByLabel('Arrived up to and including').fill(day(-5));
  await page.getByText('The first day is after the last day').waitFor();
  check(true, 'dates the wrong way round are explained at the fields');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  check(await listShows(page, all.ids), '"Clear filters" shows every call again');

  // Paging: older calls by arrival time, none twice.
  await page.getByRole('button', { name: 'Show 50 older calls' }).click();
  const hundred = (await apiAs(clinicianToken, 'GET', '/api/review/calls?limit=100')).json.map((/** @type {any} */ c) => c.id);
  check(await listShows(page, hundred), 'older calls load in arrival order, as the API lists 100 at once, with none twice');
  check(await page.evaluate((id) => document.activeElement?.getAttribute('data-call') === String(id), hundred[50]), 'focus moves to the first of the older calls');

  // Back returns to the same filtered list, with focus on the call that was opened.
  await page.getByLabel('Care home').selectOption({ label: 'Oakfield House' });
  const oakfield = await apiPage(clinicianToken, `home=${homes.find((/** @type {any} */ x) => x.name === 'Oakfield House').id}`);
  await listShows(page, oakfield.ids);
  await page.locator(`a[data-call="${oakfield.ids[2]}"]`).click();
  await page.locator('.detail-layout').waitFor();
  await page.getByRole('link', { name: '‹ Back to the list' }).click();
  check(await listShows(page, oakfield.ids), 'Back to the list returns to the same filtered list');
  check(await page.getByLabel('Care home').inputValue() === String(oakfield.rows[0].care_home_id), 'the filter is still set');
  check(await page.evaluate((id) => document.activeElement?.getAttribute('data-call') === String(id), oakfield.ids[2]), 'focus is back on the call that was opened');
  await page.locator(`a[data-call="${oakfield.ids[1]}"]`).click();
  await page.locator('.detail-layout').waitFor();
  await page.goBack();
  check(await listShows(page, oakfield.ids), 'the browser’s Back button keeps the filters too');

  // Keyboard only: filters and list.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await listShows(page, all.ids);
  await page.locator('main h1').focus();
  /** Tabs forward until `test` holds for the focused element; false after 40 presses. @param {string} test */
  const tabTo = async (test) => {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(test)) return true;
    }
    return false;
  };
  check(await tabTo("document.activeElement?.id === 'f-level'"), 'Tab reaches the level filter');
  await page.keyboard.press('ArrowDown');
  const p1 = await apiPage(clinicianToken, 'level=P1');
  check(await listShows(page, p1.ids), 'the arrow key picks "P1 Emergency" and the list follows');
  check(await tabTo("document.activeElement?.id === 'f-unsigned'"), 'Tab reaches "Unsigned only"');
  await page.keyboard.press('Space');
  const p1Unsigned = await apiPage(clinicianToken, 'level=P1&unsigned=true');
  check(await listShows(page, p1Unsigned.ids), 'Space ticks "Unsigned only" and the list follows');
  check(await tabTo("document.activeElement?.classList.contains('review-link')"), 'Tab reaches the first call in the list');
  const focusedCall = await page.evaluate(() => document.activeElement?.getAttribute('data-call'));
  await page.keyboard.press('Enter');
  await page.locator('.detail-layout').waitFor();
  check(page.url().endsWith(`#/review/${focusedCall}`), 'Enter opens that call');
  await page.goBack();
  check(await listShows(page, p1Unsigned.ids), 'Back: the keyboard user’s filters are kept');
  check(await page.evaluate((id) => document.activeElement?.getAttribute('data-call') === id, focusedCall), 'Back: focus returns to the row they opened');
  const focusRing = await page.evaluate(() => getComputedStyle(/** @type {Element} */ (document.activeElement)).outlineStyle);
  check(focusRing !== 'none', 'the focused row link shows a focus ring');

  // Portrait tablet.
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await listShows(page, all.ids);
  await page.setViewportSize({ width: 800, height: 1280 });
  await fitsWidth(page, 'review list at 800x1280');
  await shot(page, '44-review-list-portrait');
  await axe(page, 'review list (portrait)');
  await page.setViewportSize({ width: 1280, height: 800 });
  await fitsWidth(page, 'review list at 1280x800');

  // ---------- the new call in full, then sign-off ----------
  await page.getByLabel('Unsigned only').check();
  await listShows(page, (await apiPage(clinicianToken, 'unsigned=true')).ids);
  await page.getByRole('link', { name: /Margaret Hargreaves/ }).first().click();
  await page.getByRole('heading', { level: 1, name: /Margaret Hargreaves/ }).waitFor();
  check(page.url().endsWith(`#/review/${callId}`), 'the link opens #/review/<callId>');
  const detail = (await apiAs(clinicianToken, 'GET', `/api/calls/${callId}`)).json;
  const main = page.locator('main');
  const timeline = page.locator('.rv-timeline li');
  check(await timeline.count() === detail.timeline.length, `the timeline shows every event (${detail.timeline.length})`);
  const timelineText = await page.locator('.rv-timeline').innerText();
  check(['Call made', 'Answered', 'Video started', 'Video ended', 'Outcome recorded', 'Amy Carter, care staff', 'Nurse Priya Shah, hub nurse'].every((t) => timelineText.includes(t)),
    'the timeline says what happened and who did it');
  check(/\d\d:\d\d:\d\d/.test(timelineText), 'each event has its time');
  check(await page.getByRole('heading', { name: 'Care plan as attached to the call' }).isVisible(), 'the care plan snapshot is shown');
  check(await page.locator('.care-plan .cp-banner').isVisible() && detail.care_plan.version !== null && (await page.locator('.cp-version').innerText()).includes(String(detail.care_plan.version)),
    'the snapshot shows the emergency plan banner and its version');
  const assessmentText = await page.locator('.rv-assessment').innerText();
  check(assessmentText.includes(detail.triage.news2.summary), `the assessment shows ${detail.triage.news2.summary}`);
  const points = await page.$$eval('.rv-news2-table tbody tr', (rows) => rows.map((r) => r.querySelector('td:last-child')?.textContent?.split(' ')[0]));
  const apiPoints = ['respiration_rate', 'spo2', 'air_or_oxygen', 'systolic_bp', 'pulse', 'consciousness', 'temperature'].map((k) => String(detail.triage.news2.items[k]));
  check(JSON.stringify(points) === JSON.stringify(apiPoints), `the NEWS2 breakdown matches the API item by item (${points.join(' ')})`);
  check(assessmentText.includes('Not themselves') && assessmentText.includes('Shivery, feels hot or cold') && assessmentText.includes('Red flags\nNone'),
    'soft signs are shown in words, and "no red flags" is said');
  check(assessmentText.includes('Not herself since lunch'), 'the situation line is shown');
  const quality = page.locator('.rv-quality-person');
  check(await quality.count() === 2 && (await page.locator('.rv-quality').innerText()).includes('Amy Carter') && (await page.locator('.rv-quality').innerText()).includes('Nurse Priya Shah'),
    'connection quality is summarised for each person in the video');
  await page.getByText('Show every sample').click();
  check(await page.locator('.rv-quality tbody tr').count() === detail.quality.length, `every stored quality sample is listed (${detail.quality.length})`);
  const outcomeText = await page.locator('.rv-outcome').innerText();
  check(outcomeText.includes('GPV') && outcomeText.includes('Referred to own GP, phone or video') && outcomeText.includes(plan),
    'the outcome is shown in words with the plan');
  check(outcomeText.includes('Remained at residence') && /Re-observe or follow up\s+\w{3}, \d+ \w{3} \d{4}, \d\d:\d\d/.test(outcomeText), 'remained at residence and the re-observation time are shown');
  check(await page.getByText('Awaiting sign-off').first().isVisible(), 'the call shows it awaits sign-off');
  check(/(Good|Fair|Poor) connection/.test(await page.locator('.rv-quality-person').first().innerText()), 'each connection is judged in words');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, '41-review-detail');
  await axe(page, 'call review');
  await fitsWidth(page, 'call review at 1280x800');
  await page.setViewportSize({ width: 800, height: 1280 });
  await fitsWidth(page, 'call review at 800x1280');
  await shot(page, '45-review-detail-portrait');
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.getByRole('button', { name: 'Awaiting sign-off' }).click();
  check(await page.evaluate(() => document.activeElement?.id === 'so-comment'), '"Awaiting sign-off" at the top takes the clinician to the Comment field');
  const comment = 'Agree with the plan. Please repeat the temperature at 18:00 and call back if above 38.';
  await page.getByLabel('Comment').fill(comment);
  await page.getByRole('button', { name: 'Sign off' }).click();
  await page.getByText('Signed off by Dr Helen Ward on').waitFor();
  check(true, 'after "Sign off" the page says "Signed off by Dr Helen Ward on <date and time>"');
  check(await page.locator('.rv-signed-comment').innerText() === comment, 'the comment is shown with the sign-off');
  const signed = (await apiAs(clinicianToken, 'GET', `/api/calls/${callId}`)).json;
  check(signed.sign_off?.comment === comment && signed.sign_off?.by.name === 'Dr Helen Ward', 'the API has the sign-off with the comment');
  check(await page.evaluate(() => document.activeElement?.id === 'signed-off'), 'focus moves to the sign-off confirmation');
  check((await page.locator('.rv-timeline').innerText()).includes('Signed off'), 'the timeline gains the sign-off');
  check(await page.getByLabel('Comment').count() === 0, 'the form is gone once signed off');
  await shot(page, '43-signed-off');
  await axe(page, 'signed off');

  await page.getByRole('link', { name: '‹ Back to the list' }).click();
  const unsigned = await apiPage(clinicianToken, 'unsigned=true');
  check(await listShows(page, unsigned.ids) && !unsigned.ids.includes(callId), 'the signed call has left the "Unsigned only" list');
  check(await page.getByLabel('Unsigned only').isChecked(), '"Unsigned only" is still ticked');

  // An older call signed off in the demo history shows who signed it.
  const signedRow = (await apiAs(clinicianToken, 'GET', '/api/review/calls?limit=500')).json.find((/** @type {any} */ r) => r.signed_off);
  const signedDetail = (await apiAs(clinicianToken, 'GET', `/api/calls/${signedRow.id}`)).json;
  await page.goto(`${BASE}/#/review/${signedRow.id}`);
  await page.getByText(`Signed off by ${signedDetail.sign_off.by.name} on`).waitFor();
  check(await page.getByLabel('Comment').count() === 0, 'a call signed off earlier shows its sign-off and no form');

  // ---------- the service figures ----------
  await page.goto(`${BASE}/#/figures`);
  await page.getByRole('heading', { level: 1, name: 'Service figures' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('figure.rv-chart svg').length === 6);
  const from30 = midnight(day(-29));
  const to30 = midnight(day(1));
  const sum = (await apiAs(clinicianToken, 'GET', `/api/reports/summary?from=${encodeURIComponent(from30)}&to=${encodeURIComponent(to30)}`)).json;
  const values = (/** @type {string} */ sel) => page.$$eval(sel, (els) => els.map((e) => Number(e.getAttribute('data-value'))));
  const labels = (/** @type {string} */ sel) => page.$$eval(sel, (els) => els.map((e) => e.getAttribute('data-label')));
  check(JSON.stringify(await values('#chart-hours rect.bar')) === JSON.stringify(sum.per_hour), 'calls by hour of day: 24 columns with the API’s counts');
  const answered = sum.answer_times.filter((/** @type {any} */ a) => a.calls > 0);
  const medians = await values('#chart-answer rect[data-series="median"]');
  const p90s = await values('#chart-answer rect[data-series="p90"]');
  const targets = await values('#chart-answer .target-line');
  check(JSON.stringify(medians) === JSON.stringify(answered.map((/** @type {any} */ a) => a.median_seconds))
    && JSON.stringify(p90s) === JSON.stringify(answered.map((/** @type {any} */ a) => a.p90_seconds))
    && JSON.stringify(targets) === JSON.stringify(answered.map((/** @type {any} */ a) => a.target_seconds)),
  'time to answer by level: median, 90th percentile and target match the API for each level');
  const outcomeBars = Object.fromEntries((await labels('#chart-outcomes rect.bar')).map((l, i) => [l?.slice(0, 3), i]));
  const outcomeValues = await values('#chart-outcomes rect.bar');
  check(sum.outcomes.every((/** @type {any} */ o) => (o.count === 0 ? !(o.key in outcomeBars) : outcomeValues[outcomeBars[o.key]] === o.count)),
    'outcomes: one bar per outcome used, with the API’s counts');
  check(await page.locator('#chart-outcomes tbody tr').count() === 15, 'outcomes: the table lists all 15 codes');
  const remainedRows = await page.$$eval('#chart-remained tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
  const remainedSum = remainedRows.reduce((n, r) => n + Number(r[0]), 0);
  const notSum = remainedRows.reduce((n, r) => n + Number(r[1]), 0);
  check(remainedRows.length >= 4 && remainedSum === sum.remained_at_residence && notSum === sum.not_remained,
    `remained at residence over time: ${remainedRows.length} periods adding up to the API’s ${sum.remained_at_residence} remained and ${sum.not_remained} not`);
  check(await page.locator('#chart-remained circle.share-point').count() === remainedRows.filter((r) => r[2] !== 'no data').length, 'remained over time: one point per period with data');
  check(JSON.stringify(await labels('#chart-homes rect.bar')) === JSON.stringify([...sum.per_home].sort((a, b) => b.count - a.count).map((/** @type {any} */ x) => x.key))
    && JSON.stringify(await values('#chart-homes rect.bar')) === JSON.stringify([...sum.per_home].sort((a, b) => b.count - a.count).map((/** @type {any} */ x) => x.count)),
  'calls per care home: a bar per home with the API’s counts');
  const dayValues = await values('#chart-days rect.bar');
  check(dayValues.length === 30 && dayValues.reduce((a, b) => a + b, 0) === sum.calls, 'calls per day: 30 days adding up to the API’s total');
  check((await page.locator('.rv-tile').first().innerText()).includes(String(sum.calls)), `the headline shows ${sum.calls} calls`);
  const accessible = await page.$$eval('figure.rv-chart', (figs) => figs.every((f) => {
    const svg = f.querySelector('svg');
    const ids = svg?.getAttribute('aria-labelledby')?.split(' ') ?? [];
    return svg?.getAttribute('role') === 'img' && ids.length === 2 && ids.every((id) => document.getElementById(id)?.textContent)
      && f.querySelector('h2') && f.querySelector('.chart-summary')?.textContent && f.querySelector('details table');
  }));
  check(accessible, 'every chart has a title, a written summary naming the drawing, and its data as a table');
  await page.locator('#chart-answer summary').click();
  check(await page.locator('#chart-answer table').isVisible(), 'a chart’s table opens from "Show the figures as a table"');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, '42-figures');
  await axe(page, 'figures');
  await fitsWidth(page, 'figures at 1280x800');

  await page.getByLabel('Period', { exact: true }).selectOption({ label: 'Last 7 days' });
  const sum7 = (await apiAs(clinicianToken, 'GET', `/api/reports/summary?from=${encodeURIComponent(midnight(day(-6)))}&to=${encodeURIComponent(to30)}`)).json;
  await page.waitForFunction((n) => document.querySelector('.rv-tile-value')?.textContent === String(n) && document.querySelectorAll('#chart-days rect.bar').length === 7, sum7.calls);
  check(true, `the period selector: last 7 days shows the API’s ${sum7.calls} calls`);
  await page.getByLabel('Period', { exact: true }).selectOption({ label: 'Choose dates' });
  await page.getByLabel('First day').fill(day(-20));
  await page.getByLabel('Last day').fill(day(-11));
  const sumCustom = (await apiAs(clinicianToken, 'GET', `/api/reports/summary?from=${encodeURIComponent(midnight(day(-20)))}&to=${encodeURIComponent(midnight(day(-10)))}`)).json;
  await page.waitForFunction((n) => document.querySelector('.rv-tile-value')?.textContent === String(n) && document.querySelectorAll('#chart-days rect.bar').length === 10, sumCustom.calls);
  check(true, `chosen dates (10 days) show the API’s ${sumCustom.calls} calls`);
  await page.getByLabel('Care home', { exact: true }).selectOption({ label: 'Riverside Lodge' });
  const sumHome = (await apiAs(clinicianToken, 'GET', `/api/reports/summary?from=${encodeURIComponent(midnight(day(-20)))}&to=${encodeURIComponent(midnight(day(-10)))}&home=${riverside.id}`)).json;
  await page.waitForFunction((n) => document.querySelector('.rv-tile-value')?.textContent === String(n) && document.querySelectorAll('#chart-homes rect.bar').length === 1, sumHome.calls);
  check(true, `one care home's figures match the API (${sumHome.calls} calls)`);
  await page.setViewportSize({ width: 800, height: 1280 });
  await page.getByLabel('Period', { exact: true }).selectOption({ label: 'Last 30 days' });
  await page.getByLabel('Care home', { exact: true }).selectOption({ label: 'All care homes' });
  await page.waitForFunction((n) => document.querySelector('.rv-tile-value')?.textContent === String(n), sum.calls);
  await page.waitForTimeout(200);
  await fitsWidth(page, 'figures at 800x1280');
  await shot(page, '46-figures-portrait');
  await axe(page, 'figures (portrait)');
  await ctx.close();

  // ---------- nurse1: review and figures, no sign-off ----------
  const nurseCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const nurse = await nurseCtx.newPage();
  watch(nurse, 'nurse', problems);
  // Signed in at #/review, so this check does not depend on the hub queue screen.
  await nurse.goto(`${BASE}/#/review`);
  await nurse.getByLabel('Username').fill('nurse1');
  await nurse.getByLabel('Password').fill('demo-password');
  await nurse.getByRole('button', { name: 'Sign in' }).click();
  const nurseAll = await apiPage(nurseToken, '');
  check(await listShows(nurse, nurseAll.ids), 'nurse1 opens Review and sees the same list');
  check(await nurse.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Figures' }).isVisible(), 'a nurse has Figures in the top navigation');
  await nurse.getByLabel('Unsigned only').check();
  const nurseUnsigned = await apiPage(nurseToken, 'unsigned=true');
  await listShows(nurse, nurseUnsigned.ids);
  const ambRow = nurseUnsigned.rows.find((/** @type {any} */ r) => r.outcome === 'AMB') ?? nurseUnsigned.rows[0];
  await nurse.locator(`a[data-call="${ambRow.id}"]`).click();
  await nurse.locator('.detail-layout').waitFor();
  check(await nurse.getByText('Awaiting sign-off').first().isVisible(), 'a nurse sees that the call awaits sign-off');
  check(await nurse.getByLabel('Comment').count() === 0 && await nurse.getByRole('button', { name: 'Sign off' }).count() === 0
    && await nurse.getByRole('button', { name: 'Awaiting sign-off' }).count() === 0, 'a nurse sees no sign-off form');
  await nurse.getByRole('group', { name: 'Conveyed to hospital?' }).getByLabel('Yes').check();
  await nurse.getByRole('group', { name: 'Admitted to hospital?' }).getByLabel('No').check();
  await nurse.getByRole('button', { name: 'Save follow-up' }).click();
  await nurse.getByText('Follow-up saved.').first().waitFor();
  const followed = (await apiAs(nurseToken, 'GET', `/api/calls/${ambRow.id}`)).json.follow_up;
  check(followed.conveyed === true && followed.admitted === false, 'a nurse records follow-up (conveyed, not admitted) and the API has it');
  check(await nurse.getByRole('group', { name: 'Conveyed to hospital?' }).getByLabel('Yes').isChecked(), 'the saved answer stays ticked');
  check((await nurse.locator('.rv-timeline').innerText()).includes('Follow-up recorded'), 'the timeline gains the follow-up');
  await shot(nurse, '47-review-detail-nurse');
  await axe(nurse, 'call review (nurse)');
  await nurse.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Figures' }).click();
  await nurse.waitForFunction(() => document.querySelectorAll('figure.rv-chart svg').length === 6);
  check(true, 'nurse1 sees the service figures');
  await shot(nurse, '48-figures-nurse');
  await nurseCtx.close();

  // ---------- care staff are kept out ----------
  const carerCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const carer = await carerCtx.newPage();
  watch(carer, 'carer', problems);
  await signIn(carer, BASE, 'carer1');
  await carer.getByRole('heading', { name: 'Who is unwell?' }).waitFor();
  await carer.goto(`${BASE}/#/figures`);
  await carer.getByRole('heading', { name: 'This screen is not for your role' }).waitFor();
  check(true, 'care staff opening #/figures see "not for your role"');
  await carerCtx.close();

  checkNoConsoleErrors(problems);
  const seconds = Math.round((Date.now() - started) / 1000);
  check(seconds < 120, `the whole check ran in under 2 minutes (${seconds} s)`);
} catch (error) {
  fail(error);
} finally {
  await browser.close();
  await server.stop();
  finish();
}
