// @ts-check
/**
 * @file Care staff: find the resident (by name or room), and see the home's open calls.
 */

import * as api from '../api.js';
import * as session from '../session.js';
import { h, replace, avatar, residentNames, levelBadge, notice, debounce, timeAgo } from '../ui.js';
import { CALL_STATES } from '../labels.js';

/** @typedef {import('../types.js').ResidentView} ResidentView */
/** @typedef {import('../types.js').CallView} CallView */

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').ScreenContext} ctx
 */
export function mount(root, ctx) {
  const home = ctx.session.user.careHome?.name ?? 'your home';
  const search = h('input', {
    id: 'resident-search', class: 'input input-search', type: 'search', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'Name or room number', 'aria-describedby': 'resident-search-hint', enterkeyhint: 'search',
  });
  const results = h('div', { class: 'resident-results', 'aria-live': 'polite', 'aria-busy': 'true' });
  const openCalls = h('section', { class: 'open-calls', 'aria-labelledby': 'open-calls-title', hidden: true });

  /** @type {Map<number, CallView>} */
  const calls = new Map();
  /** @type {AbortController | null} */
  let inFlight = null;
  /** @type {{list: ResidentView[], term: string} | null} */
  let shown = null;

  async function load() {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    results.setAttribute('aria-busy', 'true');
    const term = search.value.trim();
    try {
      /** @type {ResidentView[]} */
      const list = await api.get(`/api/residents?search=${encodeURIComponent(term)}`, { signal: controller.signal });
      if (inFlight !== controller) return;
      renderResults(list, term);
    } catch (error) {
      if (inFlight !== controller || !(error instanceof api.ApiError) || error.code === 'aborted') return;
      replace(results, notice('warning', error.isNetwork ? api.UNREACHABLE_MESSAGE : 'The residents did not load',
        h('p', null, error.isNetwork ? 'The list will appear when the tablet is back online.' : error.message),
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => load() }, 'Try again')));
    } finally {
      if (inFlight === controller) results.setAttribute('aria-busy', 'false');
    }
  }

  /**
   * @param {ResidentView[]} list
   * @param {string} term
   */
  function renderResults(list, term) {
    shown = { list, term };
    if (!list.length) {
      replace(results, h('p', { class: 'empty' }, term
        ? `No resident at ${home} matches “${term}”. Check the spelling, or search by room number.`
        : `There are no residents at ${home} yet.`));
      return;
    }
    replace(results,
      h('p', { class: 'result-count' }, term ? `${list.length} found` : `${list.length} residents at ${home}`),
      h('ul', { class: 'resident-list' }, list.map((r) => h('li', null, residentLink(r, calls)))));
  }

  /** Held while the home has an open call: see session.holdIdle. @type {(() => void) | null} */
  let idleHold = null;

  function renderCalls() {
    if (shown) renderResults(shown.list, shown.term);
    const open = [...calls.values()].sort((a, b) => a.arrived_at.localeCompare(b.arrived_at));
    if (open.length && !idleHold) idleHold = session.holdIdle();
    if (!open.length && idleHold) {
      idleHold();
      idleHold = null;
    }
    openCalls.hidden = open.length === 0;
    replace(openCalls,
      h('h2', { id: 'open-calls-title' }, 'Calls in progress'),
      h('ul', { class: 'call-list' }, open.map((call) => {
        const names = residentNames(call.resident);
        return h('li', null, h('a', { class: 'call-link', href: `#/call/${call.id}` },
          avatar(call.resident.initials),
          h('span', { class: 'call-link-text' },
            h('strong', null, names.knownAs ? `${names.full} (${names.knownAs})` : names.full),
            h('span', null, `${CALL_STATES[call.state] ?? call.state} · started ${timeAgo(call.arrived_at)}`)),
          levelBadge(call.level, { name: call.level_name }),
          h('span', { class: 'chevron', 'aria-hidden': 'true' }, '›')));
      })));
  }

  const offs = [
    ctx.live.on('calls.snapshot', (m) => {
      calls.clear();
      for (const call of m.calls) calls.set(call.id, call);
      renderCalls();
    }),
    ctx.live.on('call.changed', (m) => {
      calls.set(m.call.id, m.call);
      renderCalls();
    }),
    ctx.live.on('call.ended', (m) => {
      calls.delete(m.call.id);
      renderCalls();
    }),
  ];
  // The snapshot may have arrived before this screen mounted: ask again.
  ctx.live.resync();

  const searchNow = debounce(load, 200);
  search.addEventListener('input', () => searchNow());
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      searchNow.cancel();
      load();
    }
  });

  replace(root,
    h('section', { class: 'screen residents' },
      h('div', { class: 'screen-head screen-head-split' },
        h('div', null,
          h('h1', null, 'Who is unwell?'),
          h('p', { class: 'lead' }, `Find the resident at ${home}.`)),
        h('a', { class: 'btn btn-secondary', href: '#/check' }, 'Check the connection')),
      openCalls,
      h('div', { class: 'field search-field' },
        h('label', { for: 'resident-search' }, 'Search by name or room'),
        h('p', { id: 'resident-search-hint', class: 'field-hint' }, 'For example “Peggy”, “Hargreaves” or “12”.'),
        search),
      results));
  load();
  if (matchMedia('(hover: hover)').matches) search.focus();

  return () => {
    idleHold?.();
    inFlight?.abort();
    searchNow.cancel();
    for (const off of offs) off();
  };
}

/**
 * @param {ResidentView} r
 * @param {Map<number, CallView>} calls
 */
function residentLink(r, calls) {
  const names = residentNames(r);
  const open = [...calls.values()].find((c) => c.resident.id === r.id);
  return h('a', { class: 'resident-link', href: open ? `#/call/${open.id}` : `#/assess/${r.id}` },
    avatar(r.initials, 'large'),
    h('span', { class: 'resident-text' },
      h('span', { class: 'resident-name' }, names.full),
      names.knownAs ? h('span', { class: 'resident-known' }, `Known as ${names.knownAs}`) : null,
      h('span', { class: 'resident-meta' }, `Room ${r.room} · ${r.age} years`),
      r.care_plan_version === null || r.care_plan_version === undefined || open
        ? h('span', { class: 'resident-tags' },
          r.care_plan_version === null || r.care_plan_version === undefined ? h('span', { class: 'tag tag-warning' }, 'No care plan') : null,
          open ? h('span', { class: 'tag tag-info' }, 'Call open') : null)
        : null),
    h('span', { class: 'chevron', 'aria-hidden': 'true' }, '›'));
}
