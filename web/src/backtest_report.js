// The script of a backtest's report.html (compiled in, bundled with lightweight-charts by
// esbuild): candles with state shading and markers, inventory, equity with its drawdown shaded,
// and daily PnL bars. The whole period shows on first open; markers can be switched by kind and
// are merged into one per kind and few pixels when zoomed out, so they never cover the candles.
import {
  createChart, CandlestickSeries, HistogramSeries, LineSeries, AreaSeries, createSeriesMarkers,
} from 'lightweight-charts';
import './backtest_report.css';

const errors = [];
window.addEventListener('error', (e) => errors.push(String(e.message)));
const R = JSON.parse(document.getElementById('report-data').textContent);
const DAY = 86400;

const chart = createChart(document.getElementById('chart'), {
  autoSize: true,
  layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#1d2330', panes: { separatorColor: '#e0e3eb' } },
  grid: { vertLines: { color: '#f2f3f7' }, horzLines: { color: '#f2f3f7' } },
  // minBarSpacing well under a pixel: the whole run fits on first open.
  timeScale: { timeVisible: true, secondsVisible: R.seconds, minBarSpacing: 0.001 },
  localization: { priceFormatter: (p) => p.toFixed(2) },
});
const shade = chart.addSeries(HistogramSeries, { priceScaleId: 'state', lastValueVisible: false, priceLineVisible: false }, 0);
chart.priceScale('state', 0).applyOptions({ scaleMargins: { top: 0, bottom: 0 }, visible: false });
// One shading column per pixel or so: columns narrower than a pixel would overlap and stack
// their transparency into solid colour.
let shadeStep = 0;
function drawShade(step) {
  if (step === shadeStep) return;
  shadeStep = step;
  const points = [];
  for (let i = 0; i < R.bars.length; i += step)
    points.push({ time: R.bars[i][0], value: 1, color: R.stateColors[R.bars[i][5]] || 'rgba(0,0,0,0)' });
  shade.setData(points);
}
drawShade(1);
const candles = chart.addSeries(CandlestickSeries, {
  upColor: '#26a69a', downColor: '#ef5350', borderVisible: false, wickUpColor: '#26a69a', wickDownColor: '#ef5350',
}, 0);
candles.setData(R.bars.map((b) => ({ time: b[0], open: b[1], high: b[2], low: b[3], close: b[4] })));

const inventory = chart.addSeries(LineSeries, { color: '#7e57c2', lineWidth: 1, title: 'base share %', priceLineVisible: false }, 1);
inventory.setData(R.bars.map((b) => ({ time: b[0], value: b[7] })));

// Equity, and its drawdown from the running peak shaded on the pane's left scale.
const equity = chart.addSeries(LineSeries, { color: '#2962ff', lineWidth: 2, title: `equity ${R.quote}`, priceLineVisible: false }, 2);
equity.setData(R.bars.map((b) => ({ time: b[0], value: b[6] })));
const drawdown = chart.addSeries(AreaSeries, {
  priceScaleId: 'left', lineColor: 'rgba(220,38,38,0.8)', lineWidth: 1, topColor: 'rgba(220,38,38,0.05)',
  bottomColor: 'rgba(220,38,38,0.35)', invertFilledArea: true, title: 'drawdown %', priceLineVisible: false, lastValueVisible: false,
}, 2);
chart.priceScale('left', 2).applyOptions({ visible: true });
let peak = -Infinity;
drawdown.setData(R.bars.map((b) => {
  peak = Math.max(peak, b[6]);
  return { time: b[0], value: peak > 0 ? Math.round(((b[6] - peak) / peak) * 10000) / 100 : 0 };
}));
const panes = chart.panes();
if (panes.length === 3) {
  panes[0].setHeight(430);
  panes[1].setHeight(110);
  panes[2].setHeight(190);
}

// Markers: each kind can be switched off (kinds of one name together: a bullish and a bearish
// BOS); when zoomed out, a kind's markers within ~30 pixels become one small shape without text,
// so they mark where things happen without covering the candles; zoomed in, each has its label.
const names = [...new Set(R.markerNames)];
const shown = R.markerNames.map(() => true);
const markers = createSeriesMarkers(candles, []);
const times = R.bars.map((b) => b[0]);
function drawMarkers() {
  const range = chart.timeScale().getVisibleLogicalRange();
  const width = chart.timeScale().width() || 800;
  const from = Math.max(0, Math.floor(range ? range.from : 0));
  const to = Math.min(times.length - 1, Math.ceil(range ? range.to : times.length - 1));
  const barsPerBucket = Math.max(1, Math.ceil(((to - from + 1) * 30) / width));  // ~30 px apart
  drawShade(Math.max(1, Math.ceil((to - from + 1) / width)));
  const buckets = new Map();
  let bar = 0;
  for (const [t, kind, text] of R.markers) {
    if (!shown[kind]) continue;
    while (bar + 1 < times.length && times[bar + 1] <= t) bar++;
    if (bar < from || bar > to) continue;
    const b = Math.floor(bar / barsPerBucket);
    const key = b * 1000 + kind;
    const seen = buckets.get(key);
    const n = Number((text.match(/ x(\d+)$/) || [0, 1])[1]);
    if (seen) seen.n += n;
    else buckets.set(key, { t: times[b * barsPerBucket] ?? t, kind, label: text.replace(/ x\d+$/, ''), n });
  }
  const list = [...buckets.values()].sort((a, b) => a.t - b.t || a.kind - b.kind).map((m) => {
    const s = R.markerStyles[m.kind];
    const text = barsPerBucket > 1 ? '' : m.n > 1 ? `${m.label} ×${m.n}` : m.label;
    return { time: m.t, position: s.position, shape: s.shape, color: s.color, text, size: barsPerBucket > 1 ? 0.6 : 1 };
  });
  markers.setMarkers(list);
  document.body.setAttribute('data-markers', String(list.length));
}
let pending = 0;
chart.timeScale().subscribeVisibleLogicalRangeChange(() => {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(drawMarkers);
});
const toggles = document.getElementById('marker-toggles');
names.forEach((name) => {
  const kinds = R.markerNames.map((n, k) => (n === name ? k : -1)).filter((k) => k >= 0);
  const label = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = true;
  box.addEventListener('change', () => {
    for (const k of kinds) shown[k] = box.checked;
    drawMarkers();
  });
  label.append(box);
  for (const k of kinds) {
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = R.markerStyles[k].color;
    label.append(swatch);
  }
  label.append(document.createTextNode(name));
  toggles.append(label);
});
chart.timeScale().fitContent();
drawMarkers();

// Daily PnL: the change of end-of-day equity, one bar per UTC day.
const daily = createChart(document.getElementById('daily'), {
  autoSize: true,
  layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#1d2330' },
  grid: { vertLines: { visible: false }, horzLines: { color: '#f2f3f7' } },
  timeScale: { minBarSpacing: 0.5 },
});
const days = [];
let previous = R.startEquity;
for (let i = 0; i < R.bars.length; ++i) {
  const day = Math.floor(R.bars[i][0] / DAY) * DAY;
  const last = i + 1 === R.bars.length || Math.floor(R.bars[i + 1][0] / DAY) * DAY !== day;
  if (!last) continue;
  const pnl = Math.round((R.bars[i][6] - previous) * 100) / 100;
  days.push({ time: day, value: pnl, color: pnl >= 0 ? '#26a69a' : '#ef5350' });
  previous = R.bars[i][6];
}
daily.addSeries(HistogramSeries, { title: `daily PnL ${R.quote}`, priceLineVisible: false }).setData(days);
daily.timeScale().fitContent();

// A timer later (timers, unlike animation frames, always run under a headless browser's virtual
// time) a test reads what was drawn; takeScreenshot paints the charts as they stand.
function painted(c) {
  const shot = c.takeScreenshot();
  const px = shot.getContext('2d').getImageData(0, 0, shot.width, shot.height).data;
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] < 250 || px[i + 1] < 250 || px[i + 2] < 250) n++;
  return n;
}
setTimeout(() => {
  const b = document.body;
  const range = chart.timeScale().getVisibleLogicalRange();
  b.setAttribute('data-painted-pixels', String(painted(chart)));
  b.setAttribute('data-painted-daily', String(painted(daily)));
  b.setAttribute('data-days', String(days.length));
  // The share of the run in view on first open (1 = all of it).
  b.setAttribute('data-visible-pct', range ? String(Math.round(Math.min(1, (range.to - range.from + 1) / R.bars.length) * 100)) : '0');
  b.setAttribute('data-errors', String(errors.length));
  b.setAttribute('data-rendered', 'yes');
}, 50);
