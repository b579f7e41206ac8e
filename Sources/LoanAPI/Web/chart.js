// The repayment schedule drawn as SVG, in the page (no chart library, nothing fetched): the
// remaining balance over time, and each payment split into interest and principal.
import { h, s, uid } from './dom.js';
import { money, moneyCompact } from './format.js';

const W = 560;
const H = 240;
// Room for the axis labels at the larger phone font size (app.css).
const M = { left: 92, right: 16, top: 14, bottom: 38 };
const plotW = W - M.left - M.right;
const plotH = H - M.top - M.bottom;

/** 1, 2, 2.5 or 5 times a power of ten, at least `value`: round numbers for the axis. */
function niceCeiling(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((step) => step * power).find((candidate) => candidate >= value);
}

function frame(titleText, descText, top, months) {
  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const y = (value) => M.top + plotH - (value / top) * plotH;
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => s('g', { class: 'tick' },
    s('line', { x1: M.left, x2: W - M.right, y1: y(top * f), y2: y(top * f), class: f === 0 ? 'axis' : 'grid' }),
    f % 0.5 === 0 ? s('text', { x: M.left - 8, y: y(top * f) + 5, 'text-anchor': 'end' }, moneyCompact(top * f)) : null));
  // The time axis in years (in months for loans under two years), at most about six labels.
  const years = months / 12;
  const stepMonths = months < 24 ? Math.max(1, Math.ceil(months / 6)) : 12 * Math.max(1, Math.ceil(years / 6));
  const xTicks = [];
  for (let m = stepMonths; m <= months; m += stepMonths) {
    const x = M.left + (m / months) * plotW;
    xTicks.push(s('text', { x, y: H - 12, 'text-anchor': 'middle' }, months < 24 ? `${m}` : `${m / 12}`));
  }
  xTicks.push(s('text', { x: M.left, y: H - 12, 'text-anchor': 'start' }, months < 24 ? 'month' : 'year'));
  const svgElement = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${titleId} ${descId}`, class: 'chart' },
    s('title', { id: titleId }, titleText), s('desc', { id: descId }, descText), grid, xTicks);
  return { svg: svgElement, y };
}

/** The balance after each payment, starting from the amount borrowed. */
function balanceChart(schedule) {
  const n = schedule.length;
  const start = schedule[0].remaining_balance + schedule[0].principal;
  const { svg, y } = frame('Remaining balance', `The balance falls from ${money(start)} to ${money(schedule[n - 1].remaining_balance)} over ${n} monthly payments.`,
    niceCeiling(start), n);
  const x = (m) => M.left + (m / n) * plotW;
  const points = [[x(0), y(start)], ...schedule.map((row) => [x(row.month), y(row.remaining_balance)])];
  const line = points.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`).join('');
  const base = y(0).toFixed(1);
  svg.append(
    s('path', { d: `${line}L${x(n).toFixed(1)},${base}L${x(0).toFixed(1)},${base}Z`, class: 'series-balance-area' }),
    s('path', { d: line, class: 'series-balance', 'data-series': 'balance', 'data-periods': n }));
  return svg;
}

/** One bar per payment: principal at the bottom, interest on top. */
function splitChart(schedule) {
  const n = schedule.length;
  const top = niceCeiling(Math.max(...schedule.map((row) => row.payment)));
  const first = schedule[0];
  const last = schedule[n - 1];
  const { svg, y } = frame('Interest and principal in each payment',
    `The first payment is ${money(first.interest)} interest and ${money(first.principal)} principal; the last is ${money(last.interest)} interest and ${money(last.principal)} principal.`,
    top, n);
  const width = plotW / n;
  // Pixel-snapped bars; when they are thin, each overlaps the next a little so no seams show.
  const group = (series) => s('g', { class: `series-${series}`, 'data-series': series, 'data-periods': n, 'shape-rendering': 'crispEdges' });
  const principal = group('principal');
  const interest = group('interest');
  for (const row of schedule) {
    const x = (M.left + (row.month - 1) * width).toFixed(2);
    const w = (n <= 120 ? Math.max(width - 0.6, 0.5) : width + 0.6).toFixed(2);
    principal.append(s('rect', { x, width: w, y: y(row.principal).toFixed(2), height: (y(0) - y(row.principal)).toFixed(2) }));
    interest.append(s('rect', { x, width: w, y: y(row.principal + row.interest).toFixed(2), height: (y(row.principal) - y(row.principal + row.interest)).toFixed(2) }));
  }
  svg.append(principal, interest);
  return svg;
}

function legend(items) {
  return h('ul', { class: 'legend' }, items.map(([className, label]) => h('li', {}, h('span', { class: `swatch ${className}`, 'aria-hidden': 'true' }), label)));
}

/** Both charts in one figure, with legends; the schedule table is their accessible twin. */
export function scheduleCharts(schedule) {
  return h('div', { class: 'charts' },
    h('figure', { class: 'chart-figure' }, h('figcaption', {}, 'Remaining balance'), balanceChart(schedule),
      legend([['swatch-balance', 'Balance owed after each payment']])),
    h('figure', { class: 'chart-figure' }, h('figcaption', {}, 'Each payment: interest and principal'), splitChart(schedule),
      legend([['swatch-principal', 'Principal'], ['swatch-interest', 'Interest']])));
}
