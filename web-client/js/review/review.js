// @ts-check
/**
 * @file Review list (clinicians and hub nurses): closed, cancelled and abandoned calls, newest
 * first, with filters (home, level, outcome, dates, target missed, unsigned). Each row opens the
 * call's review (`#/review/:callId`).
 *
 * Filters apply as they change and live in this history entry's `history.state`, so Back from a
 * call returns to the same filtered list. The API pages with a cursor; the list asks for older
 * calls by arrival time, the order it shows them in (see `loadMore`).
 */

import * as api from '../api.js';
import { h, replace, levelBadge, notice, announce, residentNames, LEVEL_NAMES } from '../ui.js';
import { OUTCOMES, END_STATES, outcomeLabel, formatShortDateTime, formatSeconds, dayStart, addDays, plural } from './words.js';
import { rememberOpened } from './list-state.js';

/** @typedef {import('../types.js').ResidentView} ResidentView */
/** @typedef {{id: number, name: string}} CareHomeView */

/**
 * One row of GET /api/review/calls.
 * @typedef {object} ReviewRow
 * @property {number} id
 * @property {'closed' | 'cancelled' | 'abandoned'} state
 * @property {string} initial_level
 * @property {string} level
 * @property {number} breaches
 * @property {number} care_home_id
 * @property {number} resident_id
 * @property {string} resident_name
 * @property {string} arrived_at
 * @property {number | null} [answer_seconds]
 * @property {string | null} [outcome]
 * @property {boolean} signed_off
 * @property {number | null} [news2_total]
 */

/**
 * The filters, as the form holds them ('' means any).
 * @typedef {object} Filters
 * @property {string} home
 * @property {string} level
 * @property {string} outcome
 * @property {string} from  First day, "YYYY-MM-DD".
 * @property {string} to    Last day (included), "YYYY-MM-DD".
 * @property {'' | 'yes' | 'no'} breached
 * @property {boolean} unsigned
 */

/** Rows per page. */
const PAGE = 50;

/** @type {Filters} */
const NO_FILTERS = Object.freeze({ home: '', level: '', outcome: '', from: '', to: '', breached: '', unsigned: false });

/**
 * The query string for the API from the filters (without paging).
 * @param {Filters} f
 * @returns {URLSearchParams}
 */
export function reviewQuery(f) {
  const q = new URLSearchParams();
  if (f.home) q.set('home', f.home);
  if (f.level) q.set('level', f.level);
  if (f.outcome) q.set('outcome', f.outcome);
  const from = f.from ? dayStart(f.from) : null;
  if (from) q.set('from', from.toISOString());
  const to = f.to ? dayStart(addDays(f.to, 1)) : null;
  if (to) q.set('to', to.toISOString());
  if (f.breached) q.set('breached', f.breached === 'yes' ? 'true' : 'false');
  if (f.unsigned) q.set('unsigned', 'true');
  return q;
}

/** Filters saved in this history entry, if any. @returns {Filters} */
function savedFilters() {
  const saved = history.state && typeof history.state === 'object' ? history.state.reviewFilters : null;
  return saved && typeof saved === 'object' ? { ...NO_FILTERS, ...saved } : { ...NO_FILTERS };
}

/**
 * Keeps the filters, the call last opened and how many rows were shown in this history entry.
 * @param {Filters} filters
 * @param {number | null} focusCall
 * @param {number} shown
 */
function saveFilters(filters, focusCall, shown) {
  const state = history.state && typeof history.state === 'object' ? history.state : {};
  history.replaceState({ ...state, reviewFilters: { ...filters }, reviewFocus: focusCall, reviewShown: shown }, '');
}

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').ScreenContext} ctx
 */
export function mount(root, ctx) {
  const filters = savedFilters();
  /** The call to put focus on once the list loads (the one the reviewer came back from). */
  let focusCall = /** @type {number | null} */ (history.state?.reviewFocus ?? null);
  /** Rows shown when the reviewer left (older pages they had opened), restored on Back. */
  let restoreRows = Math.min(500, Number(history.state?.reviewShown) || PAGE);
  /** @type {Map<number, ResidentView>} */
  const residents = new Map();
  /** @type {CareHomeView[]} */
  let homes = [];
  /** @type {ReviewRow[]} */
  let rows = [];
  let more = false;
  /** @type {AbortController | null} */
  let inFlight = null;
  let endedSince = 0;

  const results = h('div', { class: 'review-results', 'aria-busy': 'true' });
  const status = h('p', { class: 'review-count', role: 'status' });
  const fresh = h('div', { class: 'review-fresh', hidden: true });
  const form = filterForm();

  // ---- the filter form ----

  function filterForm() {
    const homeSelect = select('f-home', 'home', [['', 'All care homes']]);
    const levelSelect = select('f-level', 'level', [['', 'Any level'], ...Object.entries(LEVEL_NAMES).map(([code, name]) => [code, `${code} ${name}`])]);
    const outcomeSelect = select('f-outcome', 'outcome', [['', 'Any outcome'], ...OUTCOMES.map((o) => [o.code, `${o.code} ${o.label}`])]);
    const breachedSelect = select('f-breached', 'breached', [['', 'Any'], ['yes', 'Missed the target'], ['no', 'Answered within the target']]);
    const from = dateInput('f-from', 'from');
    const to = dateInput('f-to', 'to');
    const unsigned = h('input', { id: 'f-unsigned', type: 'checkbox', class: 'rv-check-input', checked: filters.unsigned });
    unsigned.addEventListener('change', () => setFilter('unsigned', unsigned.checked));
    const dateError = h('p', { id: 'f-dates-error', class: 'field-error', hidden: true });

    const el = h('form', { class: 'review-filters', 'aria-labelledby': 'filters-title', novalidate: true },
      h('h2', { id: 'filters-title', class: 'visually-hidden' }, 'Filters'),
      h('div', { class: 'filter-grid' },
        field('f-home', 'Care home', homeSelect),
        field('f-level', 'Level at arrival', levelSelect),
        field('f-outcome', 'Outcome', outcomeSelect),
        field('f-breached', 'Target time to answer', breachedSelect),
        field('f-from', 'Arrived from', from),
        field('f-to', 'Arrived up to and including', to)),
      h('div', { class: 'filter-foot' },
        h('div', { class: 'rv-check' }, unsigned, h('label', { for: 'f-unsigned' }, 'Unsigned only')),
        dateError,
        h('button', { type: 'button', class: 'btn btn-quiet', onclick: clearFilters }, 'Clear filters')));
    el.addEventListener('submit', (event) => event.preventDefault());

    /** Fills the home choices once the homes are known. */
    function setHomes() {
      replace(homeSelect, h('option', { value: '' }, 'All care homes'),
        homes.map((home) => h('option', { value: String(home.id), selected: String(home.id) === filters.home }, home.name)));
    }
    /** Puts the current filters in the controls (after "Clear filters"). */
    function sync() {
      homeSelect.value = filters.home;
      levelSelect.value = filters.level;
      outcomeSelect.value = filters.outcome;
      breachedSelect.value = filters.breached;
      from.value = filters.from;
      to.value = filters.to;
      unsigned.checked = filters.unsigned;
    }
    /** @param {string | null} message */
    function showDateError(message) {
      dateError.hidden = !message;
      dateError.textContent = message ?? '';
      for (const input of [from, to]) input.setAttribute('aria-invalid', message ? 'true' : 'false');
      if (message) for (const input of [from, to]) input.setAttribute('aria-describedby', 'f-dates-error');
      else for (const input of [from, to]) input.removeAttribute('aria-describedby');
    }
    return Object.assign(el, { setHomes, sync, showDateError });
  }

  /**
   * @param {string} id
   * @param {keyof Filters} key
   * @param {string[][]} options [value, text] pairs
   */
  function select(id, key, options) {
    const el = h('select', { id, class: 'input' },
      options.map(([value, text]) => h('option', { value, selected: filters[key] === value }, text)));
    el.addEventListener('change', () => setFilter(key, el.value));
    return el;
  }

  /** @param {string} id @param {'from' | 'to'} key */
  function dateInput(id, key) {
    const el = h('input', { id, type: 'date', class: 'input', value: filters[key] });
    el.addEventListener('change', () => setFilter(key, el.value));
    return el;
  }

  /** @param {string} id @param {string} text @param {HTMLElement} control */
  function field(id, text, control) {
    return h('div', { class: 'field' }, h('label', { for: id }, text), control);
  }

  /**
   * @template {keyof Filters} K
   * @param {K} key
   * @param {Filters[K]} value
   */
  function setFilter(key, value) {
    filters[key] = value;
    focusCall = null;
    restoreRows = PAGE;
    load();
  }

  function clearFilters() {
    Object.assign(filters, NO_FILTERS);
    form.sync();
    focusCall = null;
    restoreRows = PAGE;
    load();
    announce('Filters cleared');
  }

  // ---- loading ----

  /** Loads the first page for the current filters. */
  async function load() {
    saveFilters(filters, focusCall, restoreRows);
    const fromDay = filters.from ? dayStart(filters.from) : null;
    const toDay = filters.to ? dayStart(filters.to) : null;
    if (fromDay && toDay && fromDay > toDay) {
      inFlight?.abort();
      form.showDateError('The first day is after the last day. Change one of the dates.');
      return;
    }
    form.showDateError(null);
    const wanted = Math.max(PAGE, restoreRows);
    const page = await fetchRows(reviewQuery(filters), wanted + 1);
    if (!page) return;
    rows = page.slice(0, wanted);
    more = page.length > wanted;
    restoreRows = PAGE;
    endedSince = 0;
    fresh.hidden = true;
    render();
    announce(countText());
    if (focusCall !== null) {
      /** @type {HTMLElement | null} */ (results.querySelector(`a[data-call="${focusCall}"]`))?.focus();
      focusCall = null;
    }
  }

  /** Older calls: the next page after the last row shown (the API pages by arrival, newest first). */
  async function loadMore() {
    const oldest = rows[rows.length - 1];
    if (!oldest) return;
    const shown = new Set(rows.map((r) => r.id));
    const q = reviewQuery(filters);
    q.set('before', String(oldest.id));
    const page = await fetchRows(q, PAGE + 1);
    if (!page) return;
    const added = page.filter((r) => !shown.has(r.id));
    const firstNew = added[0]?.id;
    rows = rows.concat(added.slice(0, PAGE));
    more = added.length > PAGE;
    render();
    announce(`${plural(Math.min(added.length, PAGE), 'older call')} added. ${countText()}`);
    if (firstNew !== undefined) /** @type {HTMLElement | null} */ (results.querySelector(`a[data-call="${firstNew}"]`))?.focus();
  }

  /**
   * @param {URLSearchParams} q
   * @param {number} limit
   * @returns {Promise<ReviewRow[] | null>} null when superseded or failed (the error is shown)
   */
  async function fetchRows(q, limit) {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    results.setAttribute('aria-busy', 'true');
    q.set('limit', String(Math.min(limit, 500)));
    try {
      /** @type {ReviewRow[]} */
      const page = await api.get(`/api/review/calls?${q}`, { signal: controller.signal });
      return inFlight === controller ? page : null;
    } catch (error) {
      if (inFlight !== controller || !(error instanceof api.ApiError) || error.code === 'aborted') return null;
      status.textContent = '';
      replace(results, notice('warning', error.isNetwork ? api.UNREACHABLE_MESSAGE : 'The calls did not load',
        h('p', null, error.isNetwork ? 'The list will load when the connection is back.' : error.message),
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => load() }, 'Try again')));
      return null;
    } finally {
      if (inFlight === controller) {
        results.setAttribute('aria-busy', 'false');
        inFlight = null;
      }
    }
  }

  function countText() {
    if (!rows.length) return 'No calls match these filters.';
    return `Showing ${plural(rows.length)}${more ? ' (there are older ones)' : ''}, newest first.`;
  }

  // ---- the list ----

  function render() {
    status.textContent = countText();
    if (!rows.length) {
      replace(results, h('p', { class: 'empty' }, hasFilters()
        ? 'No calls match these filters. Change or clear a filter to see more.'
        : 'No calls have ended yet. Calls appear here once they are closed, cancelled or abandoned.'));
      return;
    }
    replace(results,
      h('div', null,
        h('table', { class: 'review-table' },
          h('caption', { class: 'visually-hidden' }, 'Calls that have ended, newest first'),
          h('thead', null, h('tr', null,
            ['Resident', 'Arrived', 'Level and NEWS2', 'Answered in', 'Outcome', 'Sign-off'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, rows.map(rowView)))),
      more ? h('button', { type: 'button', class: 'btn btn-secondary review-more', onclick: () => loadMore() }, `Show ${PAGE} older calls`) : null);
  }

  /** A row link is being followed: remember it for Back. @param {number} callId */
  function opened(callId) {
    rememberOpened(callId);
    saveFilters(filters, callId, rows.length);
  }

  function hasFilters() {
    return Object.entries(filters).some(([key, value]) => value !== NO_FILTERS[/** @type {keyof Filters} */ (key)]);
  }

  /** @param {ReviewRow} row */
  function rowView(row) {
    const resident = residents.get(row.resident_id);
    const names = resident ? residentNames(resident) : null;
    const home = homes.find((x) => x.id === row.care_home_id)?.name ?? resident?.care_home.name ?? '';
    const when = formatShortDateTime(row.arrived_at);
    // The row names the resident even after they have left the home (no longer in /api/residents).
    const name = names ? names.full : row.resident_name;
    return h('tr', { dataset: { call: row.id } },
      h('th', { scope: 'row', class: 'rv-col-resident' },
        // Residents have many calls: the accessible name adds the time, so links differ.
        h('a', { href: `#/review/${row.id}`, class: 'review-link', dataset: { call: row.id }, 'aria-label': `${name}, call of ${when}`, onclick: () => opened(row.id) }, name),
        h('span', { class: 'rv-row-sub' }, [home, resident ? `room ${resident.room}` : null].filter(Boolean).join(', '))),
      h('td', { class: 'rv-col-when', dataset: { label: 'Arrived' } }, when),
      h('td', { class: 'rv-col-level', dataset: { label: 'Level' } }, levelBadge(row.initial_level),
        row.level !== row.initial_level ? h('span', { class: 'rv-row-sub' }, `ended at ${row.level}`) : null,
        h('span', { class: 'rv-row-sub' }, row.news2_total == null ? 'NEWS2 not scored' : `NEWS2 ${row.news2_total}`)),
      h('td', { class: 'rv-col-answer', dataset: { label: 'Answered in' } }, formatSeconds(row.answer_seconds),
        row.breaches > 0 ? h('span', { class: 'rv-flag rv-flag-breach' }, 'Target missed') : null),
      h('td', { class: 'rv-col-outcome', dataset: { label: 'Outcome' } }, row.outcome
        ? [h('strong', null, row.outcome), ' ', h('span', null, outcomeLabel(row.outcome))]
        : h('span', null, END_STATES[row.state] ?? row.state)),
      h('td', { class: 'rv-col-sign', dataset: { label: 'Sign-off' } }, signOffCell(row)));
  }

  // ---- live: calls that end while the list is open ----

  const offs = [
    ctx.live.on('call.ended', () => {
      endedSince += 1;
      fresh.hidden = false;
      replace(fresh, h('p', null, `${plural(endedSince)} ended since this list loaded.`),
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => load() }, 'Refresh the list'));
    }),
  ];

  const role = ctx.session.user.role;
  replace(root,
    h('section', { class: 'screen review' },
      h('div', { class: 'screen-head' },
        h('h1', null, 'Review closed calls'),
        h('p', { class: 'lead' }, role === 'clinician'
          ? 'Look back at calls that have ended and sign off closed calls.'
          : 'Look back at calls that have ended. Clinicians sign off closed calls.')),
      form, fresh, status, results));

  // Names and homes first (rows show them), then the calls.
  (async () => {
    try {
      const [homeList, residentList] = await Promise.all([api.get('/api/care-homes'), api.get('/api/residents')]);
      homes = homeList;
      for (const r of /** @type {ResidentView[]} */ (residentList)) residents.set(r.id, r);
      form.setHomes();
    } catch (error) {
      // The list still works with record numbers; say why names are missing.
      if (error instanceof api.ApiError && !error.isNetwork) console.warn('review: names did not load', error.code);
    }
    load();
  })();

  return () => {
    inFlight?.abort();
    for (const off of offs) off();
  };
}

/** @param {ReviewRow} row */
function signOffCell(row) {
  if (row.signed_off) return h('span', { class: 'rv-flag rv-flag-done' }, 'Signed off');
  if (row.state !== 'closed') return h('span', { class: 'rv-row-sub' }, 'Not needed');
  return h('span', { class: 'rv-flag rv-flag-todo' }, 'Awaiting sign-off');
}
