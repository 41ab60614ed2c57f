// @ts-check
/**
 * @file Service figures (docs/clinical-rules.md §8.2) for clinicians and hub nurses, from
 * `GET /api/reports/summary`: headline numbers, then charts of calls by hour of day, time to
 * answer by level against its target, outcomes, the share of residents who remained at their
 * usual residence over time, calls per care home and calls per day.
 *
 * Each chart has a written summary and its numbers as a table (see charts.js). The share over
 * time asks the same endpoint once per day, week or four weeks of the period. The chosen period
 * is kept in this history entry's `history.state`, so Back returns to it.
 */

import * as api from '../api.js';
import { h, replace, notice, announce } from '../ui.js';
import { chartFigure, columnChart, barChart, answerChart, shareChart } from './charts.js';
import {
  OUTCOMES, REMAINED_WORDS, formatSeconds, formatTarget, formatShare, formatShortDate, formatLongDate,
  plural, dayStart, addDays, today,
} from './words.js';

/**
 * @typedef {object} AnswerTimes
 * @property {string} level
 * @property {string} level_name
 * @property {number} target_seconds
 * @property {number} calls
 * @property {number} answered
 * @property {number | null} [median_seconds]
 * @property {number | null} [p90_seconds]
 * @property {number} breached
 */
/** @typedef {{key: string, count: number, id?: number}} Count */
/**
 * GET /api/reports/summary.
 * @typedef {object} Summary
 * @property {number} calls
 * @property {Count[]} per_day
 * @property {number[]} per_hour
 * @property {number} out_of_hours
 * @property {number | null} [out_of_hours_share]
 * @property {number} remained_at_residence
 * @property {number} not_remained
 * @property {number} remained_pending
 * @property {number} remained_not_applicable
 * @property {number | null} [remained_share]
 * @property {AnswerTimes[]} answer_times
 * @property {number} abandoned
 * @property {number} cancelled
 * @property {Count[]} per_home
 * @property {Count[]} outcomes
 */
/** @typedef {{period: string, from: string, to: string, home: string}} Choice */
/** @typedef {{start: string, end: string}} Span A period of days: first day, and the day after the last. */

/** The periods on offer, in days ending today. */
const PERIODS = Object.freeze([
  { value: '7', text: 'Last 7 days' },
  { value: '30', text: 'Last 30 days' },
  { value: '90', text: 'Last 90 days' },
  { value: '365', text: 'Last 12 months' },
  { value: 'custom', text: 'Choose dates' },
]);

/** At most this many points on the share-over-time chart (one request each). */
const MAX_BUCKETS = 16;

/**
 * The days a choice covers.
 * @param {Choice} c
 * @returns {Span | string} the span, or what is wrong with the dates
 */
export function spanOf(c) {
  if (c.period !== 'custom') {
    const days = Number(c.period) || 30;
    return { start: addDays(today(), 1 - days), end: addDays(today(), 1) };
  }
  const from = dayStart(c.from);
  const to = dayStart(c.to);
  if (!from || !to) return 'Enter both the first and the last day.';
  if (from > to) return 'The first day is after the last day. Change one of the dates.';
  return { start: c.from, end: addDays(c.to, 1) };
}

/**
 * Splits a span into days, weeks or four-week blocks, counted back from its end (the first may
 * be shorter).
 * @param {Span} span
 * @returns {Span[]}
 */
export function bucketsOf(span) {
  const days = Math.round((/** @type {Date} */ (dayStart(span.end)).getTime() - /** @type {Date} */ (dayStart(span.start)).getTime()) / 86_400_000);
  const size = Math.max(days <= 14 ? 1 : days <= 120 ? 7 : 28, Math.ceil(days / MAX_BUCKETS));
  /** @type {Span[]} */
  const list = [];
  let end = span.end;
  while (end > span.start) {
    const back = addDays(end, -size);
    const start = back < span.start ? span.start : back;
    list.unshift({ start, end });
    end = start;
  }
  return list;
}

/** @param {Span} span @param {string} home */
function summaryPath(span, home) {
  const q = new URLSearchParams({
    from: /** @type {Date} */ (dayStart(span.start)).toISOString(),
    to: /** @type {Date} */ (dayStart(span.end)).toISOString(),
  });
  if (home) q.set('home', home);
  return `/api/reports/summary?${q}`;
}

/** "17–23 Nov" or "23 Nov". @param {Span} span */
function spanLabel(span) {
  const last = addDays(span.end, -1);
  return last === span.start ? formatShortDate(dayStart(span.start) ?? 0) : `${formatShortDate(dayStart(span.start) ?? 0)}–${formatShortDate(dayStart(last) ?? 0)}`;
}

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').ScreenContext} _ctx
 */
export function mount(root, _ctx) {
  const saved = history.state && typeof history.state === 'object' ? history.state.figures : null;
  /** @type {Choice} */
  const choice = { period: '30', from: addDays(today(), -29), to: today(), home: '', ...(saved ?? {}) };
  /** @type {{id: number, name: string}[]} */
  let homes = [];
  /** @type {AbortController | null} */
  let inFlight = null;

  const periodSelect = h('select', { id: 'p-period', class: 'input' },
    PERIODS.map((p) => h('option', { value: p.value, selected: p.value === choice.period }, p.text)));
  const homeSelect = h('select', { id: 'p-home', class: 'input' }, h('option', { value: '' }, 'All care homes'));
  const fromInput = h('input', { id: 'p-from', type: 'date', class: 'input', value: choice.from });
  const toInput = h('input', { id: 'p-to', type: 'date', class: 'input', value: choice.to });
  const custom = h('div', { class: 'period-custom', hidden: choice.period !== 'custom' },
    h('div', { class: 'field' }, h('label', { for: 'p-from' }, 'First day'), fromInput),
    h('div', { class: 'field' }, h('label', { for: 'p-to' }, 'Last day'), toInput));
  const dateError = h('p', { id: 'p-error', class: 'field-error', hidden: true });
  const out = h('div', { class: 'figures-body', 'aria-busy': 'true' });
  const periodLine = h('p', { class: 'lead', role: 'status' });

  periodSelect.addEventListener('change', () => {
    choice.period = periodSelect.value;
    custom.hidden = choice.period !== 'custom';
    load();
  });
  homeSelect.addEventListener('change', () => {
    choice.home = homeSelect.value;
    load();
  });
  for (const input of [fromInput, toInput]) {
    input.addEventListener('change', () => {
      choice.from = fromInput.value;
      choice.to = toInput.value;
      load();
    });
  }

  replace(root,
    h('section', { class: 'screen figures' },
      h('div', { class: 'screen-head' },
        h('h1', null, 'Service figures'),
        periodLine),
      h('form', { class: 'figures-form', 'aria-label': 'Period and care home', onsubmit: (/** @type {Event} */ e) => e.preventDefault() },
        h('div', { class: 'field' }, h('label', { for: 'p-period' }, 'Period'), periodSelect),
        custom,
        h('div', { class: 'field' }, h('label', { for: 'p-home' }, 'Care home'), homeSelect),
        dateError),
      out));

  async function load() {
    const state = history.state && typeof history.state === 'object' ? history.state : {};
    history.replaceState({ ...state, figures: { ...choice } }, '');
    const span = spanOf(choice);
    if (typeof span === 'string') {
      inFlight?.abort();
      dateError.hidden = false;
      dateError.textContent = span;
      for (const input of [fromInput, toInput]) input.setAttribute('aria-invalid', 'true');
      return;
    }
    dateError.hidden = true;
    for (const input of [fromInput, toInput]) input.setAttribute('aria-invalid', 'false');
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    out.setAttribute('aria-busy', 'true');
    const homeName = homes.find((x) => String(x.id) === choice.home)?.name;
    const days = Math.round(((dayStart(span.end)?.getTime() ?? 0) - (dayStart(span.start)?.getTime() ?? 0)) / 86_400_000);
    periodLine.textContent = `${formatLongDate(dayStart(span.start) ?? 0)} to ${formatLongDate(dayStart(addDays(span.end, -1)) ?? 0)} (${plural(days, 'day')}), ${homeName ?? 'all care homes'}.`;
    try {
      const buckets = bucketsOf(span);
      const [summary, ...parts] = /** @type {Summary[]} */ (await Promise.all([
        api.get(summaryPath(span, choice.home), { signal: controller.signal }),
        ...buckets.map((b) => api.get(summaryPath(b, choice.home), { signal: controller.signal })),
      ]));
      if (inFlight !== controller) return;
      render(summary, span, buckets.map((b, i) => ({ span: b, summary: parts[i] })));
      announce(`Figures for ${periodLine.textContent}`);
    } catch (error) {
      if (inFlight !== controller || !(error instanceof api.ApiError) || error.code === 'aborted') return;
      replace(out, notice('warning', error.isNetwork ? api.UNREACHABLE_MESSAGE : 'The figures did not load',
        h('p', null, error.isNetwork ? 'The figures will load when the connection is back.' : error.message),
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => load() }, 'Try again')));
    } finally {
      if (inFlight === controller) {
        out.setAttribute('aria-busy', 'false');
        inFlight = null;
      }
    }
  }

  /**
   * @param {Summary} sum
   * @param {Span} span
   * @param {{span: Span, summary: Summary}[]} overTime
   */
  function render(sum, span, overTime) {
    if (sum.calls === 0) {
      replace(out, h('p', { class: 'empty' }, 'No calls arrived in this period. Choose a longer period or another care home.'));
      return;
    }
    charts = [
      hoursChart(sum),
      answerTimesChart(sum),
      outcomesChart(sum),
      remainedChart(sum, overTime),
      homesChart(sum, choice.home),
      daysChart(sum, span),
    ];
    replace(out, headline(sum), h('div', { class: 'chart-grid' }, charts));
    for (const chart of charts) chart.redraw();
  }

  /** The charts on show, redrawn at their new width when the window changes size. @type {(HTMLElement & {redraw: () => void})[]} */
  let charts = [];
  let frame = 0;
  // Redraw on the next frame, not inside the observer: a redraw changes heights, and changing
  // layout within the callback would loop.
  const resized = new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => {
      for (const chart of charts) chart.redraw();
    });
  });
  resized.observe(out);

  (async () => {
    try {
      homes = await api.get('/api/care-homes');
      replace(homeSelect, h('option', { value: '' }, 'All care homes'),
        homes.map((x) => h('option', { value: String(x.id), selected: String(x.id) === choice.home }, x.name)));
    } catch {
      // Without the list the figures still show for all homes.
    }
    load();
  })();

  return () => {
    inFlight?.abort();
    resized.disconnect();
    cancelAnimationFrame(frame);
  };
}

// ---- headline numbers ----

/** @param {Summary} sum */
function headline(sum) {
  const breached = sum.answer_times.reduce((n, a) => n + a.breached, 0);
  const known = sum.remained_at_residence + sum.not_remained;
  /** @type {[string, string, string][]} */
  const items = [
    ['Calls', String(sum.calls), sum.calls ? `${formatShare(sum.out_of_hours_share)} out of hours (${sum.out_of_hours})` : ''],
    ['Remained at residence', formatShare(sum.remained_share), known ? `${sum.remained_at_residence} of ${known} where known` : 'None known yet'],
    ['Answered within target', sum.calls ? formatShare((sum.calls - breached) / sum.calls) : 'no data', `${plural(breached)} missed the target`],
    ['Abandoned', String(sum.abandoned), 'no answer, or a technical failure'],
    ['Cancelled by the home', String(sum.cancelled), ''],
  ];
  return h('section', { class: 'rv-headline', 'aria-labelledby': 'headline-title' },
    h('h2', { id: 'headline-title', class: 'visually-hidden' }, 'Headline figures'),
    h('dl', { class: 'rv-tiles' }, items.map(([label, value, sub]) => h('div', { class: 'rv-tile' },
      h('dt', null, label),
      h('dd', { class: 'rv-tile-value' }, value),
      sub ? h('dd', { class: 'rv-tile-sub' }, sub) : null))));
}

// ---- the charts ----

/** @param {Summary} sum */
function hoursChart(sum) {
  const labels = sum.per_hour.map((_, i) => String(i).padStart(2, '0'));
  const busiest = sum.per_hour.indexOf(Math.max(...sum.per_hour));
  const hourRange = (/** @type {number} */ i) => `${labels[i]}:00–${labels[i]}:59`;
  return chartFigure({
    id: 'chart-hours',
    title: 'Calls by hour of day',
    summary: `Busiest hour: ${hourRange(busiest)} with ${plural(sum.per_hour[busiest])}. ` +
      `${sum.out_of_hours} of ${sum.calls} calls (${formatShare(sum.out_of_hours_share)}) came out of hours (18:00–08:00 and weekends).`,
    draw: (w) => columnChart({ labels, values: sum.per_hour, showLabel: (i) => i % (w < 520 ? 3 : 2) === 0, unit: 'calls (UK time, hour the call arrived)' }, w),
    table: { head: ['Hour', 'Calls'], rows: sum.per_hour.map((n, i) => [hourRange(i), n]), numeric: [false, true] },
  });
}

/** @param {Summary} sum */
function answerTimesChart(sum) {
  const rows = sum.answer_times.filter((a) => a.calls > 0);
  const withinMedian = rows.filter((a) => a.median_seconds != null && a.median_seconds <= a.target_seconds);
  const worst = [...rows].sort((a, b) => b.breached - a.breached)[0];
  const breached = rows.reduce((n, a) => n + a.breached, 0);
  const summary = rows.length
    ? `The median time to answer was within target for ${withinMedian.length} of ${rows.length} levels. ` +
      `${plural(breached)} missed the target${breached && worst ? `, most at ${worst.level} ${worst.level_name} (${worst.breached})` : ''}.`
    : 'No calls in this period.';
  return chartFigure({
    id: 'chart-answer',
    title: 'Time to answer by level, against the target',
    summary,
    legend: h('ul', { class: 'rv-legend' },
      h('li', null, h('span', { class: 'rv-swatch rv-swatch-solid', 'aria-hidden': 'true' }), 'Median: half of calls were answered within this time (solid bar)'),
      h('li', null, h('span', { class: 'rv-swatch rv-swatch-hatched', 'aria-hidden': 'true' }), '90th percentile: 9 in 10 were answered within this time (striped bar)'),
      h('li', null, h('span', { class: 'rv-swatch rv-swatch-target', 'aria-hidden': 'true' }), 'Target time to answer (dashed line)')),
    draw: (w) => answerChart({
      rows: rows.map((a) => ({
        level: a.level, name: a.level_name, target: a.target_seconds,
        median: a.median_seconds ?? null, p90: a.p90_seconds ?? null,
        note: `${a.breached} of ${plural(a.calls)} missed`,
      })),
      format: (v) => (v === Math.round(v) && v % 60 === 0 ? formatTarget(v) : formatSeconds(v)),
    }, w),
    table: {
      head: ['Level', 'Target', 'Calls', 'Answered', 'Median', '90th percentile', 'Missed the target'],
      rows: sum.answer_times.map((a) => [`${a.level} ${a.level_name}`, formatTarget(a.target_seconds), a.calls, a.answered,
        a.median_seconds == null ? '—' : formatSeconds(a.median_seconds), a.p90_seconds == null ? '—' : formatSeconds(a.p90_seconds), a.breached]),
      numeric: [false, false, true, true, true, true, true],
    },
  });
}

/** How outcomes are grouped on the chart, by what they mean for remaining at residence. */
const OUTCOME_GROUPS = /** @type {const} */ ([
  ['yes', 'Remained at residence'],
  ['per_follow_up', 'Depends on follow-up'],
  ['pending', 'Known after follow-up'],
  ['no', 'Did not remain at residence'],
  ['not_applicable', 'Does not apply'],
]);

/** @param {Summary} sum */
function outcomesChart(sum) {
  const counts = new Map(sum.outcomes.map((o) => [o.key, o.count]));
  const total = sum.outcomes.reduce((n, o) => n + o.count, 0);
  const used = OUTCOMES.filter((o) => (counts.get(o.code) ?? 0) > 0);
  const unused = OUTCOMES.filter((o) => !(counts.get(o.code) ?? 0));
  const items = OUTCOME_GROUPS.flatMap(([group, groupName]) => used
    .filter((o) => o.remained === group)
    .sort((a, b) => (counts.get(b.code) ?? 0) - (counts.get(a.code) ?? 0))
    .map((o) => {
      const n = counts.get(o.code) ?? 0;
      return { label: `${o.code} ${o.label}`, value: n, text: `${n} (${formatShare(total ? n / total : null)})`, group: groupName, cls: `bar-remained-${group}` };
    }));
  const top = [...used].sort((a, b) => (counts.get(b.code) ?? 0) - (counts.get(a.code) ?? 0))[0];
  const summary = total
    ? `${plural(total, 'outcome')} recorded. Most common: ${top.code} ${top.label.toLowerCase()} (${counts.get(top.code)}). ` +
      `${unused.length ? `Not used in this period: ${unused.map((o) => o.code).join(', ')}.` : ''}`
    : 'No outcomes were recorded in this period.';
  return chartFigure({
    id: 'chart-outcomes',
    title: 'Outcomes',
    summary,
    draw: (w) => barChart({ items }, w),
    table: {
      head: ['Code', 'Outcome', 'Remained at residence', 'Calls', 'Share'],
      rows: OUTCOMES.map((o) => {
        const n = counts.get(o.code) ?? 0;
        return [o.code, o.label, REMAINED_WORDS[o.remained].replace('Remained at residence: ', ''), n, formatShare(total ? n / total : null)];
      }),
      numeric: [false, false, false, true, true],
    },
  });
}

/**
 * @param {Summary} sum
 * @param {{span: Span, summary: Summary}[]} overTime
 */
function remainedChart(sum, overTime) {
  const points = overTime.map(({ span, summary }) => {
    const known = summary.remained_at_residence + summary.not_remained;
    const first = dayStart(span.start) ?? 0;
    const label = addDays(span.end, -1) === span.start ? formatShortDate(first) : `from ${formatShortDate(first)}`;
    return { label, range: spanLabel(span), value: summary.remained_share ?? null, sub: known ? `of ${known}` : 'none known', known, summary };
  });
  const withData = points.filter((p) => p.value !== null);
  const first = withData[0];
  const last = withData[withData.length - 1];
  const summaryText = sum.remained_share == null
    ? 'No closed call in this period has a known answer yet.'
    : `Over the whole period ${formatShare(sum.remained_share)} of residents whose outcome is known remained at their usual residence ` +
      `(${sum.remained_at_residence} of ${sum.remained_at_residence + sum.not_remained}).` +
      (first && last && first !== last ? ` ${formatShare(first.value)} in ${first.range}, ${formatShare(last.value)} in ${last.range}.` : '');
  return chartFigure({
    id: 'chart-remained',
    title: 'Remained at usual residence, over time',
    summary: summaryText,
    draw: (w) => shareChart({ points, overall: sum.remained_share ?? null }, w),
    table: {
      head: ['Period', 'Remained', 'Did not remain', 'Share remained', 'Not yet known'],
      rows: points.map((p) => [p.range, p.summary.remained_at_residence, p.summary.not_remained, formatShare(p.value), p.summary.remained_pending]),
      numeric: [false, true, true, true, true],
    },
  });
}

/**
 * @param {Summary} sum
 * @param {string} home The chosen home ('' for all): the API still lists every home, at 0.
 */
function homesChart(sum, home) {
  const homes = [...sum.per_home].filter((x) => !home || String(x.id) === home).sort((a, b) => b.count - a.count);
  const top = homes[0];
  return chartFigure({
    id: 'chart-homes',
    title: 'Calls per care home',
    summary: top ? `${top.key} made the most calls: ${top.count} of ${sum.calls} (${formatShare(top.count / sum.calls)}).` : 'No calls.',
    draw: (w) => barChart({ items: homes.map((x) => ({ label: x.key, value: x.count, text: `${plural(x.count)} (${formatShare(x.count / sum.calls)})` })) }, w),
    table: { head: ['Care home', 'Calls', 'Share'], rows: homes.map((x) => [x.key, x.count, formatShare(x.count / sum.calls)]), numeric: [false, true, true] },
  });
}

/** @param {Summary} sum @param {Span} span */
function daysChart(sum, span) {
  const counts = new Map(sum.per_day.map((d) => [d.key, d.count]));
  /** @type {string[]} */
  const days = [];
  for (let d = span.start; d < span.end; d = addDays(d, 1)) days.push(d);
  const values = days.map((d) => counts.get(d) ?? 0);
  const busiest = values.indexOf(Math.max(...values));

  const label = (/** @type {string} */ d) => formatShortDate(dayStart(d) ?? 0);
  return chartFigure({
    id: 'chart-days',
    title: 'Calls per day',
    summary: `On average ${(sum.calls / Math.max(1, days.length)).toFixed(1)} calls a day. Busiest day: ${label(days[busiest])} with ${plural(values[busiest])}.`,
    draw: (w) => {
      const every = Math.ceil(days.length / Math.max(2, Math.floor((w - 60) / 64)));
      return columnChart({ labels: days.map(label), values, showLabel: (i) => (days.length - 1 - i) % every === 0, unit: 'calls' }, w);
    },
    table: { head: ['Day', 'Calls'], rows: days.map((d, i) => [label(d), values[i]]), numeric: [false, true] },
  });
}
