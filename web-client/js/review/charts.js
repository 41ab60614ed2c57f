// @ts-check
/**
 * @file Small inline SVG charts for the service figures, built to be read by everyone.
 *
 * Every chart is a `<figure>` with a heading, a sentence saying what it shows, the drawing
 * (`role="img"`, named by the heading and the sentence) and the same numbers as a table in a
 * `<details>`. Values are written next to bars and points, and series differ by shape, pattern
 * and label as well as colour, so nothing rests on colour alone. Colours come from classes in
 * css/review.css (the page's CSP forbids inline styles); geometry is SVG attributes.
 */

import { h } from '../ui.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Widths are in CSS pixels: each chart is drawn at the width of its box (see chartFigure). */

/** @typedef {import('../ui.js').Child} Child */

/**
 * Creates an SVG element with attributes and children.
 * @param {string} tag
 * @param {Record<string, string | number | null | undefined> | null} [attrs]
 * @param {...(SVGElement | string | null | undefined | false | (SVGElement | null | undefined | false)[])} children
 * @returns {SVGElement}
 */
export function s(tag, attrs, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value !== null && value !== undefined) el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/**
 * A round top for the value axis: 1, 2 or 5 times a power of ten, with about four steps.
 * @param {number} max
 * @returns {{top: number, step: number}}
 */
export function niceScale(max) {
  if (!(max > 0)) return { top: 1, step: 1 };
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((x) => x >= rough) ?? 10 * power;
  return { top: Math.ceil(max / step) * step, step: Math.max(step, Number.EPSILON) };
}

/**
 * The figure around a drawing: heading, summary, drawing, and the data as a table.
 * @param {object} o
 * @param {string} o.id Unique id stem.
 * @param {string} o.title Heading (h2).
 * @param {Child | Child[]} o.summary What the chart shows, in words.
 * @param {(width: number) => SVGElement} o.draw Draws the chart at a width (one of the functions below).
 * @param {Child} [o.legend] A legend in HTML (shapes and words), when the chart has series.
 * @param {{head: string[], rows: (string | number)[][], numeric?: boolean[]}} o.table
 * @returns {HTMLElement & {redraw: () => void}} Call `redraw()` once it is in the page, and
 *   again when its width changes: the drawing is made at the width it gets, so text keeps its size.
 */
export function chartFigure(o) {
  const slot = h('div', { class: 'chart-slot' });
  let drawnAt = 0;
  function redraw() {
    const width = Math.max(300, Math.floor(slot.clientWidth));
    if (width === drawnAt) return;
    drawnAt = width;
    const drawing = o.draw(width);
    drawing.setAttribute('role', 'img');
    drawing.setAttribute('aria-labelledby', `${o.id}-title ${o.id}-summary`);
    drawing.setAttribute('width', String(width));
    drawing.classList.add('chart-svg');
    slot.replaceChildren(drawing);
  }
  const figure = h('figure', { class: 'rv-chart', id: o.id, 'aria-labelledby': `${o.id}-title` },
    h('h2', { id: `${o.id}-title`, class: 'chart-title' }, o.title),
    h('p', { id: `${o.id}-summary`, class: 'chart-summary' }, o.summary),
    o.legend ?? null,
    slot,
    h('details', { class: 'chart-data' },
      h('summary', null, 'Show the figures as a table'),
      scrollBox(`${o.title}: table`,
        h('table', { class: 'rv-table' },
          h('caption', null, o.title),
          h('thead', null, h('tr', null, o.table.head.map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, o.table.rows.map((row) => h('tr', null, row.map((cell, i) => (i === 0
            ? h('th', { scope: 'row' }, cell)
            : h('td', { class: o.table.numeric?.[i] ? 'num' : null }, cell))))))))));
  return Object.assign(figure, { redraw });
}

/**
 * A box that scrolls a wide table sideways on a narrow screen; keyboard users can focus it to
 * scroll with the arrow keys.
 * @param {string} label What the region holds.
 * @param {HTMLElement} table
 */
export function scrollBox(label, table) {
  return h('div', { class: 'rv-scroll', tabindex: '0', role: 'region', 'aria-label': label }, table);
}

/**
 * Vertical columns over categories (hours of the day, days), with a value axis.
 * @param {object} o
 * @param {string[]} o.labels Category names under the axis.
 * @param {number[]} o.values
 * @param {(i: number) => boolean} [o.showLabel] Which category names to print (all by default).
 * @param {(i: number) => string} [o.barClass] Extra class per column (e.g. out of hours).
 * @param {string} [o.unit] Value axis caption, e.g. "calls".
 * @param {number} width
 * @returns {SVGElement}
 */
export function columnChart(o, width) {
  const height = 260;
  const left = 44;
  const right = 8;
  const top = 22;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const n = o.values.length;
  const max = Math.max(0, ...o.values);
  const { top: yTop, step } = niceScale(max);
  const slot = plotW / Math.max(1, n);
  const barW = Math.max(1, slot * 0.72);
  const valueLabels = slot >= 19;
  const y = (/** @type {number} */ v) => top + plotH - (v / yTop) * plotH;
  const ticks = [];
  for (let v = 0; v <= yTop + step / 2; v += step) ticks.push(v);

  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart-columns' },
    ticks.map((v) => s('g', { class: 'tick' },
      s('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'grid' }),
      s('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick-label' }, fmt(v)))),
    o.unit ? s('text', { x: 0, y: 12, class: 'axis-caption' }, o.unit) : null,
    o.values.map((v, i) => {
      const x = left + i * slot + (slot - barW) / 2;
      const extra = o.barClass?.(i) ?? '';
      return s('g', { class: 'column' },
        s('rect', {
          x: x.toFixed(1), y: y(v).toFixed(1), width: barW.toFixed(1), height: Math.max(0, top + plotH - y(v)).toFixed(1),
          class: `bar ${extra}`.trim(), 'data-label': o.labels[i], 'data-value': v,
        }),
        valueLabels ? s('text', { x: (x + barW / 2).toFixed(1), y: (y(v) - 5).toFixed(1), 'text-anchor': 'middle', class: 'value-label' }, String(v)) : null,
        (o.showLabel ?? (() => true))(i)
          ? s('text', { x: (x + barW / 2).toFixed(1), y: height - bottom + 18, 'text-anchor': 'middle', class: 'cat-label' }, o.labels[i])
          : null);
    }));
}

/**
 * Horizontal bars, the label above each bar and the value written after it; optional group
 * headings (each group drawn with its own class, and named in words).
 * @param {object} o
 * @param {{label: string, value: number, text: string, group?: string, cls?: string}[]} o.items
 * @param {number} width
 * @returns {SVGElement}
 */
export function barChart(o, width) {
  const rowH = 48;
  const groupH = 32;
  const left = 4;
  const textRoom = 130;
  const plotW = width - left - textRoom;
  const max = Math.max(1, ...o.items.map((i) => i.value));
  /** @type {SVGElement[]} */
  const parts = [];
  let y = 4;
  let group = /** @type {string | undefined} */ (undefined);
  for (const item of o.items) {
    if (item.group !== undefined && item.group !== group) {
      group = item.group;
      parts.push(s('text', { x: left, y: y + 20, class: 'group-label' }, item.group));
      y += groupH;
    }
    const w = (item.value / max) * plotW;
    parts.push(s('g', { class: 'hbar' },
      s('text', { x: left, y: y + 15, class: 'bar-name' }, item.label),
      s('rect', { x: left, y: y + 21, width: Math.max(item.value > 0 ? 2 : 0, w).toFixed(1), height: 18, rx: 3, class: `bar ${item.cls ?? ''}`.trim(), 'data-label': item.label, 'data-value': item.value }),
      s('text', { x: (left + w + 8).toFixed(1), y: y + 35, class: 'value-label' }, item.text)));
    y += rowH;
  }
  return s('svg', { viewBox: `0 0 ${width} ${y + 4}`, class: 'chart-bars' }, parts);
}

/**
 * Time to answer by level against each level's target: one row per level with its own scale,
 * the median as a solid bar, the 90th percentile as a striped bar, and the target as a dashed
 * line, each labelled in words (values in a column on the right).
 * @param {object} o
 * @param {{level: string, name: string, target: number, median: number | null, p90: number | null, note: string}[]} o.rows
 * @param {(seconds: number) => string} o.format
 * @param {number} width
 * @returns {SVGElement}
 */
export function answerChart(o, width) {
  const rowH = 92;
  const left = 168;
  const right = 150;
  const plotW = Math.max(80, width - left - right);
  /** @type {SVGElement[]} */
  const parts = [
    s('defs', null, s('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      s('rect', { width: 6, height: 6, class: 'hatch-bg' }),
      s('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' }))),
  ];
  o.rows.forEach((row, i) => {
    const y0 = i * rowH;
    const scaleMax = Math.max(row.target, row.median ?? 0, row.p90 ?? 0) * 1.08;
    const x = (/** @type {number} */ v) => left + (v / scaleMax) * plotW;
    const level = row.level.toLowerCase();
    const valueX = left + plotW + 12;
    /** @type {SVGElement[]} */
    const g = [
      s('text', { x: 0, y: y0 + 36, class: 'level-label' }, `${row.level} ${row.name}`),
      s('text', { x: 0, y: y0 + 56, class: 'note-label' }, row.note),
      s('line', { x1: left, x2: left, y1: y0 + 20, y2: y0 + 70, class: 'axis' }),
    ];
    if (row.median === null) {
      g.push(s('text', { x: left + 8, y: y0 + 46, class: 'value-label' }, 'No answered calls'));
    } else {
      g.push(
        s('rect', { x: left, y: y0 + 24, width: Math.max(2, x(row.median) - left).toFixed(1), height: 20, class: `bar level-fill-${level}`, 'data-series': 'median', 'data-value': row.median }),
        s('text', { x: valueX, y: y0 + 39, class: 'value-label' }, `median ${o.format(row.median)}`),
      );
      if (row.p90 !== null) {
        g.push(
          s('rect', { x: left, y: y0 + 48, width: Math.max(2, x(row.p90) - left).toFixed(1), height: 20, class: `bar bar-hatched level-stroke-${level}`, 'data-series': 'p90', 'data-value': row.p90 }),
          s('text', { x: valueX, y: y0 + 63, class: 'value-label' }, `90%: ${o.format(row.p90)}`),
        );
      }
    }
    const tx = x(row.target);
    g.push(
      s('line', { x1: tx.toFixed(1), x2: tx.toFixed(1), y1: y0 + 18, y2: y0 + 74, class: 'target-line', 'data-value': row.target }),
      s('text', { x: tx.toFixed(1), y: y0 + 13, 'text-anchor': tx > left + plotW - 40 ? 'end' : 'middle', class: 'target-label' }, `target ${o.format(row.target)}`),
    );
    parts.push(s('g', { class: 'answer-row', 'data-level': row.level }, g));
  });
  return s('svg', { viewBox: `0 0 ${width} ${o.rows.length * rowH}`, class: 'chart-answer' }, parts);
}

/**
 * A share (0-1) over successive periods: points joined by a line, each point labelled with its
 * percentage; periods without data are gaps with "no data" written in. A dashed line shows
 * the share over the whole period.
 * @param {object} o
 * @param {{label: string, value: number | null, sub: string}[]} o.points
 * @param {number | null} o.overall
 * @param {number} width
 * @returns {SVGElement}
 */
export function shareChart(o, width) {
  const height = 280;
  const left = 48;
  const right = 92;
  const top = 24;
  const bottom = 56;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const n = o.points.length;
  const slot = plotW / Math.max(1, n);
  const x = (/** @type {number} */ i) => left + slot * (i + 0.5);
  const y = (/** @type {number} */ v) => top + plotH - v * plotH;
  /** @type {string[]} */
  const segments = [];
  let path = '';
  o.points.forEach((p, i) => {
    if (p.value === null) {
      if (path) segments.push(path);
      path = '';
      return;
    }
    path += `${path ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`;
  });
  if (path) segments.push(path);
  const every = Math.ceil(n / Math.max(2, Math.floor(plotW / 80)));

  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart-share' },
    [0, 0.25, 0.5, 0.75, 1].map((v) => s('g', { class: 'tick' },
      s('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'grid' }),
      s('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick-label' }, `${v * 100}%`))),
    o.overall === null ? null : s('g', { class: 'overall' },
      s('line', { x1: left, x2: width - right, y1: y(o.overall), y2: y(o.overall), class: 'overall-line' }),
      s('text', { x: width - right + 6, y: y(o.overall) - 4, class: 'overall-label' }, 'whole period'),
      s('text', { x: width - right + 6, y: y(o.overall) + 12, class: 'overall-label' }, `${Math.round(o.overall * 100)}%`)),
    segments.map((d) => s('path', { d, class: 'share-line' })),
    o.points.map((p, i) => s('g', { class: 'point' },
      p.value === null
        ? s('text', { x: x(i), y: y(0.5), 'text-anchor': 'middle', class: 'note-label' }, 'no data')
        : [
          s('circle', { cx: x(i).toFixed(1), cy: y(p.value).toFixed(1), r: 6, class: 'share-point', 'data-label': p.label, 'data-value': p.value }),
          s('text', { x: x(i).toFixed(1), y: (y(p.value) - 12).toFixed(1), 'text-anchor': 'middle', class: 'value-label' }, `${Math.round(p.value * 100)}%`),
        ],
      i % every === 0 || i === n - 1 ? [
        s('text', { x: x(i).toFixed(1), y: height - bottom + 20, 'text-anchor': 'middle', class: 'cat-label' }, p.label),
        s('text', { x: x(i).toFixed(1), y: height - bottom + 38, 'text-anchor': 'middle', class: 'note-label' }, p.sub),
      ] : null)));
}

/** @param {number} v */
function fmt(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
