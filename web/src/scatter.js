// A scatter on uPlot: numeric (linear) axes on both sides with titles, layers of points drawn
// over one another (optionally joined by a line, as a Pareto front), the nearest point's label
// and details in a tooltip, and a click handler. Used by the batch report and the Sweep page.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './scatter.css';

// What a figure is measured in, for axis titles.
const UNITS = {
  net_pnl: 'USDT', gross_pnl: 'USDT', realized_pnl: 'USDT', unrealized_pnl: 'USDT',
  fees_total: 'USDT', turnover: 'USDT', end_equity: 'USDT', return_pct: '%',
  max_drawdown_pct: '%', avg_spread_captured_bps: 'bps', 'fills.total': 'fills',
  'fills.maker': 'fills', 'fills.taker': 'fills', sharpe_daily: 'ratio', sortino_daily: 'ratio',
};
export const axisTitle = (name) => (UNITS[name] ? `${name} (${UNITS[name]})` : name);

// Tick labels with as many decimals as the step between ticks has: uPlot's default keeps three,
// so the ticks of a narrow range (0.8691, 0.8692, ...) all read 0.869.
export function tickLabels(splits, incr) {
  let decimals = 0;
  while (decimals < 12 && Math.abs(Math.round(incr * 10 ** decimals) - incr * 10 ** decimals) > 1e-6 * 10 ** decimals * incr)
    ++decimals;
  const format = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return splits.map((v) => (v == null ? '' : format.format(v)));
}
const values = (u, splits, axis, space, incr) => tickLabels(splits, incr);

// layers: [{label, color, line, points: [{x, y, label, detail, ref}]}]
export function scatterPlot(el, { layers, xLabel, yLabel, width, height = 360, onPick }) {
  const all = [];
  layers.forEach((layer, li) =>
    layer.points.forEach((p) => {
      if (Number.isFinite(p.x) && Number.isFinite(p.y)) all.push({ ...p, li });
    }));
  all.sort((a, b) => a.x - b.x || a.y - b.y);
  const xs = all.map((p) => p.x);
  const ys = layers.map((_, li) => all.map((p) => (p.li === li ? p.y : null)));
  const tip = document.createElement('div');
  tip.className = 'scatter-tip';
  tip.style.display = 'none';
  let nearest = -1;
  const opts = {
    width: width || el.clientWidth || 600,
    height,
    mode: 1,
    scales: { x: { time: false }, y: {} },
    axes: [
      { label: xLabel, size: 50, values },
      { label: yLabel, size: 70, values },
    ],
    legend: { live: false },
    cursor: { points: { show: false }, drag: { x: false, y: false } },
    series: [
      { label: xLabel },
      ...layers.map((l) => ({
        label: l.label,
        stroke: l.color,
        width: l.line ? 2 : 0,
        spanGaps: true,
        paths: l.line ? undefined : () => null,
        points: { show: true, size: l.line ? 8 : 6, fill: l.color, stroke: l.color, width: 1 },
      })),
    ],
    hooks: {
      setCursor: [
        (u) => {
          const { left, top } = u.cursor;
          nearest = -1;
          if (left == null || left < 0) {
            tip.style.display = 'none';
            return;
          }
          let best = 400; // px², a 20-pixel reach
          for (let i = 0; i < all.length; ++i) {
            const dx = u.valToPos(all[i].x, 'x') - left;
            const dy = u.valToPos(all[i].y, 'y') - top;
            const d = dx * dx + dy * dy;
            if (d < best) {
              best = d;
              nearest = i;
            }
          }
          if (nearest < 0) {
            tip.style.display = 'none';
            return;
          }
          const p = all[nearest];
          tip.textContent = '';
          const head = document.createElement('b');
          head.textContent = p.label;
          tip.append(head);
          for (const line of [`${xLabel}: ${p.x}`, `${yLabel}: ${p.y}`, ...(p.detail || [])]) {
            const div = document.createElement('div');
            div.textContent = line;
            tip.append(div);
          }
          tip.style.display = 'block';
          tip.style.left = `${u.valToPos(p.x, 'x') + 12}px`;
          tip.style.top = `${u.valToPos(p.y, 'y') + 12}px`;
        },
      ],
    },
  };
  const plot = new uPlot(opts, [xs, ...ys], el);
  plot.over.append(tip);
  plot.over.addEventListener('click', () => {
    if (nearest >= 0 && onPick) onPick(all[nearest]);
  });
  plot.over.style.cursor = 'crosshair';
  el.mmhScatter = { plot, points: all };  // where each point is drawn (the browser test clicks one)
  return plot;
}

// Non-white pixels of a plot's canvas: a test tells a drawn chart from bare axes by it.
export function paintedPixels(plot) {
  const c = plot.ctx.canvas;
  const px = plot.ctx.getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 250 || px[i + 1] < 250 || px[i + 2] < 250)) n++;
  return n;
}
