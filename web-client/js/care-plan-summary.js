// @ts-check
/**
 * @file Renders a resident's care plan summary (docs/clinical-rules.md §7) the same way on every
 * screen that shows one: the hub call, the clinician's consultation and the call review.
 *
 * The emergency-plan banner always comes first, because its decisions (CPR, clinical focus,
 * preferred place of care, attorney, allergies) change the response to the call. A missing plan
 * reads as "unknown" for every decision, never as "for full escalation". Stale blocks carry a
 * written label as well as a colour.
 */

import { h } from './ui.js';

/** @typedef {import('./types.js').CarePlanSummary} CarePlanSummary */
/** @typedef {import('./types.js').Staleness} Staleness */
/** @typedef {import('./types.js').Reviewed} Reviewed */
/** @typedef {import('./ui.js').Child} Child */

/**
 * @typedef {object} CarePlanSummaryOptions
 * @property {Staleness | null} [stale] Which blocks are stale (from the server).
 * @property {number | null} [version] Plan version, shown in the heading line.
 * @property {string} [title] Heading text; default "Care plan summary".
 * @property {2 | 3 | 4} [headingLevel] Level of the summary's heading; blocks use the next one. Default 2.
 * @property {string} [asOf] Date (YYYY-MM-DD or ISO time) the staleness was judged on, e.g. the
 *   call's arrival for a snapshot; default today. Used only to word the stale label.
 * @property {string} [note] A line under the heading, e.g. "As attached to the call at 14:05".
 * @property {boolean} [bannerOnly] Render the emergency-plan banner only (and allergies).
 * @property {boolean} [withoutBanner] Leave the banner out, for a screen that already shows it
 *   (from a `bannerOnly` render of the same summary) where it stays in view.
 * @property {boolean} [collapsible] Put the blocks after the banner in `<details>` (closed),
 *   for narrow side panels. The banner is never collapsed.
 */

/** The blocks after the banner, in reading order. */
const BLOCKS = /** @type {const} */ (['clinical', 'baseline', 'people', 'this_is_me']);

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/**
 * "5 Oct 2026" from "2026-10-05" (a calendar date, so formatted in UTC to avoid a day shift).
 * @param {string | null | undefined} date
 */
function formatDate(date) {
  if (!date) return '';
  const parsed = new Date(date.length === 10 ? `${date}T00:00:00Z` : date);
  return Number.isNaN(parsed.getTime()) ? date : dateFormat.format(parsed);
}

/**
 * The care plan summary as one element.
 * @param {CarePlanSummary | null | undefined} summary The summary; null when the resident has no plan.
 * @param {CarePlanSummaryOptions} [options]
 * @returns {HTMLElement}
 */
export function renderCarePlanSummary(summary, options = {}) {
  const level = options.headingLevel ?? 2;
  const headingTag = /** @type {'h2' | 'h3' | 'h4'} */ (`h${level}`);
  const blockTag = /** @type {'h3' | 'h4' | 'h5'} */ (`h${level + 1}`);
  const stale = summary ? options.stale ?? null : null;
  const asOf = options.asOf ? options.asOf.slice(0, 10) : new Date().toISOString().slice(0, 10);

  const version = summary && options.version != null ? h('span', { class: 'cp-version' }, `Version ${options.version}`) : null;
  // The banner alone is headed by its own title; the full summary has a heading above it.
  const head = options.bannerOnly
    ? null
    : h('div', { class: 'cp-head' }, h(headingTag, { class: 'cp-title' }, options.title ?? 'Care plan summary'), version);
  const parts = /** @type {Child[]} */ ([head]);
  if (options.note) parts.push(h('p', { class: 'cp-note' }, options.note));
  if (!summary) {
    parts.push(
      h(
        'div',
        { class: 'notice notice-warning cp-missing', role: 'note' },
        h('p', { class: 'notice-title' }, 'No care plan on record'),
        h('p', null, 'Every decision below is unknown. Ask the care home and the resident or their family; do not assume full escalation.'),
      ),
    );
  }
  if (!options.withoutBanner) {
    const bannerHead = options.bannerOnly ? { tag: headingTag, title: options.title ?? 'Emergency plan', version } : { tag: blockTag, title: 'Emergency plan', version: null };
    parts.push(banner(summary, stale?.emergency_plan ?? false, asOf, bannerHead));
  }
  if (summary && !options.bannerOnly) {
    for (const key of BLOCKS) {
      const block = renderBlock(key, summary, stale?.[key] ?? false, asOf, blockTag);
      parts.push(options.collapsible ? collapsible(block) : block);
    }
  }
  return h('section', { class: ['care-plan', options.bannerOnly && 'care-plan-banner-only'], 'aria-label': options.title ?? 'Care plan summary' }, ...parts);
}

// ---- the emergency plan banner ----

const CPR = Object.freeze({
  recommended: { text: 'CPR recommended', tone: 'cp-cpr-yes' },
  not_recommended: { text: 'CPR not recommended (DNACPR)', tone: 'cp-cpr-no' },
  unknown: { text: 'CPR: unknown, no decision recorded', tone: 'cp-cpr-unknown' },
});

const FOCUS = Object.freeze({
  sustain_life: 'Sustain life',
  balanced: 'Balanced: sustain life and comfort',
  symptom_control: 'Comfort and symptom control',
  unknown: 'Unknown, not recorded',
});

/**
 * @param {CarePlanSummary | null | undefined} summary
 * @param {boolean} stale
 * @param {string} asOf
 * @param {{tag: 'h2' | 'h3' | 'h4' | 'h5', title: string, version: HTMLElement | null}} head
 */
function banner(summary, stale, asOf, head) {
  const plan = summary?.emergency_plan;
  const cpr = CPR[plan?.cpr ?? 'unknown'] ?? CPR.unknown;
  const admission = plan?.for_hospital_admission;
  const lpa = plan?.lpa_health_welfare;
  const items = [
    fact('Clinical focus', FOCUS[plan?.clinical_focus ?? 'unknown'] ?? FOCUS.unknown),
    fact('For hospital admission?', admission === true ? 'Yes' : admission === false ? 'No' : 'Unknown, not recorded'),
    fact('Preferred place of care', plan?.preferred_place_of_care || 'Not recorded'),
    plan?.preferred_place_of_death ? fact('Preferred place of death', plan.preferred_place_of_death) : null,
    fact(
      'LPA health and welfare',
      lpa ? [lpa.name, lpa.relationship ? ` (${lpa.relationship})` : '', lpa.phone ? `, ${lpa.phone}` : ''].join('') : plan ? 'None recorded' : 'Unknown',
      lpa?.when_to_call ? h('span', { class: 'cp-sub' }, `When to call: ${lpa.when_to_call}`) : null,
    ),
    fact(
      'Advance decision to refuse treatment',
      plan?.adrt ? `Yes, legally binding${plan.adrt_details ? `: ${plan.adrt_details}` : ''}` : plan ? 'None recorded' : 'Unknown',
      null,
      plan?.adrt ? 'cp-flag' : null,
    ),
    plan?.end_of_life ? fact('End of life', 'Recognised as in the last weeks of life', null, 'cp-flag') : null,
    plan ? fact('Anticipatory medicines', plan.anticipatory_medicines ? 'Held in the home' : 'None in the home') : null,
    allergyFact(summary),
  ];
  return h(
    'section',
    { class: ['cp-banner', stale && 'cp-stale'], 'aria-label': 'Emergency plan' },
    h(
      'div',
      { class: 'cp-banner-head' },
      h(head.tag, { class: 'cp-banner-title' }, head.title),
      head.version,
      h('p', { class: ['cp-cpr', cpr.tone] }, cpr.text),
    ),
    plan ? staleLabel(plan.reviewed, stale, asOf) : null,
    h('dl', { class: 'cp-facts' }, ...items),
    plan ? reviewedLine(plan.reviewed) : null,
  );
}

/** @param {CarePlanSummary | null | undefined} summary */
function allergyFact(summary) {
  const clinical = summary?.clinical;
  if (!clinical) return fact('Allergies', 'Unknown, not recorded', null, 'cp-flag');
  const list = clinical.allergies ?? [];
  if (list.length) {
    return fact('Allergies', list.map((a) => (a.reaction ? `${a.substance} (${a.reaction})` : a.substance)).join('; '), null, 'cp-flag');
  }
  return fact('Allergies', clinical.no_known_allergies ? 'No known allergies' : 'Not recorded: ask', null, clinical.no_known_allergies ? null : 'cp-flag');
}

/**
 * One term and its value.
 * @param {string} term
 * @param {string} value
 * @param {Child} [extra]
 * @param {string | null} [cls]
 */
function fact(term, value, extra = null, cls = null) {
  return h('div', { class: ['cp-fact', cls] }, h('dt', null, term), h('dd', null, value, extra ? h('br') : null, extra));
}

/**
 * "Out of date: review was due 14 Oct 2026", shown beside the block's title; null when fresh.
 * @param {Reviewed | undefined} reviewed
 * @param {boolean} stale
 * @param {string} asOf
 */
function staleLabel(reviewed, stale, asOf) {
  if (!stale) return null;
  const overdue = Boolean(reviewed?.due && reviewed.due < asOf);
  return h('strong', { class: 'cp-stale-label' }, overdue ? `Out of date: review was due ${formatDate(reviewed?.due)}` : 'Out of date: not reviewed for over six months');
}

/**
 * "Last reviewed 5 Oct 2026 by Dr A. Patel, GP · next review due 24 Mar 2027".
 * @param {Reviewed | undefined} reviewed
 */
function reviewedLine(reviewed) {
  if (!reviewed) return null;
  const due = reviewed.due ? ` · next review due ${formatDate(reviewed.due)}` : '';
  return h('p', { class: 'cp-reviewed' }, `Last reviewed ${formatDate(reviewed.on)} by ${reviewed.by}${due}`);
}

// ---- the other blocks ----

const BLOCK_TITLES = Object.freeze({
  clinical: 'Clinical: medicines and diagnoses',
  baseline: 'When well: what is normal for them',
  people: 'People',
  this_is_me: 'This is me',
});

const HIGH_RISK = Object.freeze({ anticoagulant: 'Anticoagulant', insulin: 'Insulin', opioid: 'Opioid', steroid: 'Steroid' });

/**
 * @param {typeof BLOCKS[number]} key
 * @param {CarePlanSummary} summary
 * @param {boolean} stale
 * @param {string} asOf
 * @param {'h3' | 'h4' | 'h5'} tag
 */
function renderBlock(key, summary, stale, asOf, tag) {
  const data = /** @type {Record<string, any>} */ (summary[key] ?? {});
  const body = key === 'clinical' ? clinicalBody(data) : key === 'baseline' ? baselineBody(data) : key === 'people' ? peopleBody(data) : thisIsMeBody(data);
  return h(
    'section',
    { class: ['cp-block', `cp-block-${key.replace(/_/g, '-')}`, stale && 'cp-stale'], 'aria-label': BLOCK_TITLES[key] },
    h(tag, { class: 'cp-block-title' }, BLOCK_TITLES[key]),
    staleLabel(data.reviewed, stale, asOf),
    ...body,
    reviewedLine(data.reviewed),
  );
}

/** @param {HTMLElement} block */
function collapsible(block) {
  const title = block.querySelector('.cp-block-title');
  const label = title?.textContent ?? '';
  const stale = block.classList.contains('cp-stale');
  title?.remove();
  return h(
    'details',
    { class: ['cp-details', stale && 'cp-stale'] },
    h('summary', null, label, stale ? h('span', { class: 'cp-stale-tag' }, 'Out of date') : null),
    block,
  );
}

/**
 * A definition list of the entries with a value.
 * @param {[string, Child | Child[]][]} rows
 */
function list(rows) {
  const kept = rows.filter(([, v]) => v !== '' && v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0));
  if (!kept.length) return null;
  return h('dl', { class: 'cp-list' }, ...kept.map(([term, value]) => h('div', { class: 'cp-row' }, h('dt', null, term), h('dd', null, value))));
}

/** @param {Record<string, any>} c */
function clinicalBody(c) {
  const medicines = /** @type {{name: string, dose?: string, high_risk?: string[], recently_changed?: boolean}[]} */ (c.medicines ?? []);
  const medList = medicines.length
    ? h(
        'ul',
        { class: 'cp-meds' },
        ...medicines.map((m) =>
          h(
            'li',
            null,
            h('span', { class: 'cp-med-name' }, m.name),
            m.dose ? ` · ${m.dose}` : null,
            ...(m.high_risk ?? []).map((r) => h('span', { class: 'cp-tag cp-tag-risk' }, `High risk: ${HIGH_RISK[/** @type {keyof typeof HIGH_RISK} */ (r)] ?? r}`)),
            m.recently_changed ? h('span', { class: 'cp-tag cp-tag-changed' }, 'Recently changed') : null,
          ),
        ),
      )
    : 'None recorded';
  return [
    list([
      ['Diagnoses', (c.diagnoses ?? []).join('; ')],
      ['Medicines', medList],
      ['Last medication review', c.last_medication_review ? formatDate(c.last_medication_review) : 'Not recorded'],
      ['Devices', (c.devices ?? []).join('; ') || 'None'],
    ]),
  ];
}

/** @param {Record<string, any>} b */
function baselineBody(b) {
  const v = b.usual_vitals ?? {};
  const vitals = [
    v.respiration_rate != null ? `breathing ${v.respiration_rate}/min` : '',
    v.spo2 != null ? `SpO2 ${v.spo2}%` : '',
    v.systolic_bp != null ? `BP ${v.systolic_bp} systolic` : '',
    v.pulse != null ? `pulse ${v.pulse}/min` : '',
    v.temperature_c ? `temperature ${v.temperature_c} °C` : '',
  ].filter(Boolean);
  const scale = b.spo2_scale === 2 ? `Scale 2 (target ${b.spo2_target || '88-92%'}), set by a clinician` : `Scale 1${b.spo2_target ? ` (target ${b.spo2_target})` : ''}`;
  const history = [b.dementia ? 'Dementia' : '', b.delirium_history ? 'has had delirium before' : ''].filter(Boolean).join('; ');
  return [
    list([
      ['Usual NEWS2', b.usual_news2 != null ? String(b.usual_news2) : 'Not recorded'],
      ['Usual observations', vitals.join(', ') || 'Not recorded'],
      ['SpO2 scale', scale],
      ['Cognition', [b.cognition ?? '', history ? h('span', { class: 'cp-sub' }, history) : null].filter(Boolean)],
      ['Communication', b.communication ?? ''],
      ['Mobility and falls', b.mobility ?? ''],
      ['Continence', b.continence ?? ''],
      ['Eating and drinking', b.eating_drinking ?? ''],
      ['Skin', b.skin ?? ''],
    ]),
  ];
}

/** @param {Record<string, any>} p */
function peopleBody(p) {
  const kin = /** @type {{name: string, relationship?: string, phone?: string, when_to_call?: string}[]} */ (p.next_of_kin ?? []);
  return [
    list([
      ['GP practice', [p.gp_practice, p.gp_phone].filter(Boolean).join(', ') || 'Not recorded'],
      [
        'Next of kin',
        kin.length
          ? h(
              'ul',
              { class: 'cp-kin' },
              ...kin.map((k) =>
                h(
                  'li',
                  null,
                  h('span', { class: 'cp-med-name' }, k.name),
                  k.relationship ? ` (${k.relationship})` : null,
                  k.phone ? `, ${k.phone}` : null,
                  k.when_to_call ? h('span', { class: 'cp-sub' }, `When to call: ${k.when_to_call}`) : null,
                ),
              ),
            )
          : 'None recorded',
      ],
    ]),
  ];
}

/** @param {Record<string, any>} t */
function thisIsMeBody(t) {
  return [
    list([
      ['What matters', t.what_matters ?? ''],
      ['What distresses them', t.distresses ?? ''],
      ['What calms them', t.calms ?? ''],
    ]) ?? h('p', { class: 'hint' }, 'Nothing written yet.'),
  ];
}
