// The Compare page (#/compare?ids=A,B[,C,D]): two to four runs side by side — their equity
// curves overlaid (runs with per-event files), each figure with its difference from the first
// run, and the options and parameters in which they differ.
import { html } from 'htm/preact';
import uPlot from 'uplot';
import { getJson, getText, parseCsv } from './api.js';
import { money, pct, num, count } from './format.js';
import { LineChart } from './chart.js';
import { usePoll } from './common.js';

// name, value, format, and which way is better: +1 higher, -1 lower, 0 neither (a count of
// activity). A difference is coloured by whether it is better, not by its sign.
const ROWS = [
  ['Net PnL (USDT)', (s) => s.net_pnl, money, +1],
  ['Return', (s) => s.return_pct, pct, +1],
  ['Max drawdown', (s) => s.max_drawdown_pct, pct, -1],
  ['Sharpe (daily)', (s) => s.sharpe_daily, num, +1],
  ['Fees (USDT)', (s) => s.fees_total, money, -1],
  ['Fills', (s) => s.fills?.total, count, 0],
  ['Maker fills', (s) => s.fills?.maker, count, 0],
  ['Taker fills', (s) => s.fills?.taker, count, 0],
  ['Turnover (USDT)', (s) => s.turnover, money, 0],
  ['Orders placed', (s) => s.orders?.placed, count, 0],
];

// 'better', 'worse' or 'neutral' for a difference from the first run.
export function judge(diff, better) {
  if (better === 0 || diff === 0) return 'neutral';
  return diff * better > 0 ? 'better' : 'worse';
}
const JUDGED_CLASS = { better: 'pos', worse: 'neg', neutral: 'muted' };

async function loadRun(id) {
  const run = await getJson('/runs/' + id);
  const summary = await getJson(`/runs/${id}/metrics`).catch(() => null);
  let equity = null;
  const files = await getJson(`/runs/${id}/artifacts`).catch(() => ({ artifacts: [] }));
  if (!files.artifacts.some((a) => a.name === 'equity.csv')) return { run, summary, equity };
  try {
    const rows = parseCsv(await getText(`/runs/${id}/artifacts/equity.csv`));
    const step = Math.max(1, Math.floor(rows.length / 3000));
    const xs = [], ys = [];
    for (let i = 0; i < rows.length; i += step) {
      xs.push(Number(rows[i].ts_ns.slice(0, -6)) / 1000);
      ys.push(Number(rows[i].equity));
    }
    equity = [xs, ys];
  } catch (e) {
    equity = null;  // a sweep's run keeps its figures only
  }
  return { run, summary, equity };
}

// What each run was given: the options and parameters of its command line.
function settings(run) {
  const out = {};
  const argv = run.argv || [];
  for (let i = 0; i < argv.length; ++i) {
    if (!argv[i].startsWith('--')) continue;
    const flag = argv[i].slice(2);
    const takes = i + 1 < argv.length && !argv[i + 1].startsWith('--');
    const value = takes ? argv[++i] : 'yes';
    if (flag === 'set') {
      const [k, v] = value.split('=');
      out[k] = v;
    } else if (flag !== 'out' && flag !== 'no-progress') {
      out['--' + flag] = value;
    }
  }
  if (argv[0] === 'backtest' && argv[1]) out.strategy = argv[1].split('/').pop();
  return out;
}

export function ComparePage({ ids }) {
  const [data, error] = usePoll(() => Promise.all(ids.map(loadRun)), 0, [ids.join(',')]);
  if (ids.length < 2 || ids.length > 4) return html`<main><p class="error">Compare takes two to four runs: #/compare?ids=A,B</p></main>`;
  if (error) return html`<main><p class="error">${error.message}</p></main>`;
  if (!data) return html`<main><p class="muted">Loading ${ids.length} runs…</p></main>`;
  const withEquity = data.filter((d) => d.equity);
  const joined = withEquity.length ? uPlot.join(withEquity.map((d) => d.equity)) : null;
  const sets = data.map((d) => settings(d.run));
  const keys = [...new Set(sets.flatMap((s) => Object.keys(s)))].sort();
  const differing = keys.filter((k) => new Set(sets.map((s) => s[k] ?? '')).size > 1);
  const first = data[0].summary || {};
  return html`<main>
    <h1>Compare ${data.length} runs</h1>
    ${joined ? html`<h2>Equity</h2><${LineChart} xs=${joined[0]} yLabel="Equity (USDT)"
        series=${withEquity.map((d, i) => ({ label: d.run.name, values: joined[i + 1] }))} />`
      : html`<p class="muted">None of these runs kept an equity curve (a sweep's runs keep their figures only).</p>`}
    <h2>Figures</h2>
    <div class="scroll"><table class="compare"><thead><tr><th></th>${data.map((d) =>
      html`<th><a href=${'#/run/' + d.run.id}>${d.run.name}</a></th>`)}</tr></thead>
      <tbody>${ROWS.map(([name, get, show, better]) => html`<tr><td>${name}</td>${data.map((d, i) => {
        const v = d.summary ? get(d.summary) : undefined;
        const base = get(first);
        const diff = i > 0 && v !== undefined && base !== undefined ? Number(v) - Number(base) : null;
        if (diff === null || diff === 0) return html`<td class="n">${show(v)}</td>`;
        const verdict = judge(diff, better);
        return html`<td class="n">${show(v)} <span class=${JUDGED_CLASS[verdict] + ' small diff'}
          data-diff=${diff} data-verdict=${verdict} title=${verdict === 'neutral' ? '' : verdict + ' than the first run'}
          >(${diff > 0 ? '+' : ''}${show(diff)})</span></td>`;
      })}</tr>`)}</tbody></table></div>
    <h2>Settings that differ</h2>
    ${differing.length === 0 ? html`<p class="muted">Same options and parameters.</p>` : html`<div class="scroll"><table class="compare">
      <thead><tr><th></th>${data.map((d) => html`<th>${d.run.name}</th>`)}</tr></thead>
      <tbody>${differing.map((k) => html`<tr><td>${k}</td>${sets.map((s) => html`<td>${s[k] ?? '—'}</td>`)}</tr>`)}</tbody></table></div>`}
  </main>`;
}
