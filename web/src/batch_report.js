// The script of a batch's report.html (compiled in, bundled with uPlot by esbuild): the runs
// table (click a header to sort), the Pareto front of the batch's two objectives over every run,
// and a parameter against a metric, both on numeric axes with each run's parameters on hover.
import { scatterPlot, paintedPixels, axisTitle } from './scatter.js';

const errors = [];
window.addEventListener('error', (e) => errors.push(String(e.message)));
const D = JSON.parse(document.getElementById('batch-data').textContent);

function value(r, col) {
  if (col.startsWith('params.')) {
    const p = r.params[col.slice(7)];
    const n = Number(p);
    return Number.isNaN(n) ? p : n;
  }
  return r.metrics[col];
}
const detail = (r) => Object.entries(r.params).map(([k, v]) => `${k} = ${v}`);

// Table.
const cols = ['label', ...D.params.map((p) => 'params.' + p), ...D.metrics, 'status'];
let sortCol = D.objectives[0].metric;
let sortDesc = D.objectives[0].maximize;
function cell(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Math.abs(v) >= 1000 || v === Math.round(v) ? String(Math.round(v * 100) / 100) : v.toFixed(4);
  return String(v);
}
function drawTable() {
  const rows = D.rows.slice().sort((a, b) => {
    const x = value(a, sortCol), y = value(b, sortCol);
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    if (x === y) return a.i - b.i;
    return (x < y ? -1 : 1) * (sortDesc ? -1 : 1);
  });
  const t = document.getElementById('runs');
  t.textContent = '';
  const head = t.insertRow();
  for (const c of cols) {
    const th = document.createElement('th');
    th.textContent = c.replace(/^params\./, '') + (c === sortCol ? (sortDesc ? ' \u25bc' : ' \u25b2') : '');
    th.addEventListener('click', () => {
      if (c === sortCol) sortDesc = !sortDesc;
      else {
        sortCol = c;
        sortDesc = true;
      }
      drawTable();
    });
    head.append(th);
  }
  for (const r of rows) {
    const tr = t.insertRow();
    tr.className = (r.front ? 'front' : '') + (r.status !== 'ok' ? ' failed' : '');
    for (const c of cols) {
      const td = tr.insertCell();
      if (c === 'label') td.textContent = r.label;
      else if (c === 'status') {
        td.textContent = r.status;
        td.title = r.error || '';
      } else td.textContent = cell(value(r, c));
    }
  }
}
drawTable();

const ok = D.rows.filter((r) => r.status === 'ok');
const point = (r, xc, yc) => ({ x: value(r, xc), y: value(r, yc), label: r.label, detail: detail(r) });

// Pareto: every run grey, the front red and joined.
const ox = D.objectives[0].metric, oy = D.objectives[1].metric;
const front = ok.filter((r) => r.front);
const pareto = scatterPlot(document.getElementById('pareto'), {
  xLabel: axisTitle(ox) + (D.objectives[0].maximize ? ', more is better' : ', less is better'),
  yLabel: axisTitle(oy) + (D.objectives[1].maximize ? ', more is better' : ', less is better'),
  layers: [
    { label: 'every run', color: '#9ca3af', points: ok.filter((r) => !r.front).map((r) => point(r, ox, oy)) },
    { label: 'Pareto front', color: '#dc2626', line: true, points: front.map((r) => point(r, ox, oy)) },
  ],
});

// A parameter against a metric.
const px = document.getElementById('scatter-x'), py = document.getElementById('scatter-y');
D.params.forEach((p) => px.add(new Option(p, 'params.' + p)));
D.metrics.forEach((m) => py.add(new Option(m, m)));
py.value = D.objectives[0].metric;
let scatter = null;
function drawScatter() {
  if (scatter) scatter.destroy();
  const el = document.getElementById('scatter');
  el.textContent = '';
  scatter = scatterPlot(el, {
    xLabel: px.value.replace(/^params\./, ''),
    yLabel: axisTitle(py.value),
    layers: [{ label: 'run', color: '#2563eb', points: ok.map((r) => point(r, px.value, py.value)) }],
  });
}
px.addEventListener('change', drawScatter);
py.addEventListener('change', drawScatter);
if (D.params.length) drawScatter();

window.addEventListener('resize', () => {
  pareto.setSize({ width: document.getElementById('pareto').clientWidth, height: 360 });
  if (scatter) scatter.setSize({ width: document.getElementById('scatter').clientWidth, height: 360 });
});

// uPlot draws at the end of the task that made it: a timer later a test can read what each chart
// drew (timers, unlike animation frames, always run under a headless browser's virtual time).
setTimeout(() => {
  const b = document.body;
  b.setAttribute('data-painted-pareto', String(paintedPixels(pareto)));
  b.setAttribute('data-painted-scatter', String(scatter ? paintedPixels(scatter) : 0));
  b.setAttribute('data-table-rows', String(document.querySelectorAll('#runs tr').length - 1));
  b.setAttribute('data-front-points', String(front.length));
  // A number line: positions on x follow the values (not their rank).
  const xs = ok.map((r) => value(r, ox)).filter(Number.isFinite).sort((a, b) => a - b);
  const at = (v) => pareto.valToPos(v, 'x');
  const mid = xs[Math.floor(xs.length / 2)];
  const linear = xs.length < 3 || xs[0] === xs[xs.length - 1] ||
    Math.abs((at(mid) - at(xs[0])) / (at(xs[xs.length - 1]) - at(xs[0])) - (mid - xs[0]) / (xs[xs.length - 1] - xs[0])) < 0.01;
  b.setAttribute('data-x-linear', linear ? 'yes' : 'no');
  b.setAttribute('data-errors', String(errors.length));
  b.setAttribute('data-rendered', 'yes');
}, 50);
