// The mmhost web UI: runs, a run, a sweep, a comparison, a new run, live sessions. Pages are hash
// routes (#/runs, #/run/ID, #/sweep/ID, #/compare?ids=A,B, #/new, #/live) so
// the server serves one page; every figure comes from the public API (api.js).
import { html, render } from 'htm/preact';
import { useEffect, useState, useCallback } from 'preact/hooks';
import { getJson, getText, postJson, parseCsv, token } from './api.js';
import { money, pct, count, num, time, sign } from './format.js';
import { LineChart } from './chart.js';
import { usePoll, useRun, Status } from './common.js';
import { SweepPage } from './sweep.js';
import { ComparePage } from './compare.js';
import { LivePage } from './live.js';
import { NewRunPage } from './new_run.js';
import './app.css';

function useRoute() {
  const [hash, setHash] = useState(location.hash || '#/runs');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/runs');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const [path, query = ''] = hash.slice(1).split('?');
  return { parts: path.split('/').filter(Boolean), query: new URLSearchParams(query) };
}

function TokenBox() {
  const [value, setValue] = useState(token.get());
  const [saved, setSaved] = useState(false);
  return html`<form class="token" onSubmit=${(e) => {
    e.preventDefault();
    token.set(value);
    setSaved(true);
  }}>
    <label>API token <input type="password" value=${value} autocomplete="off"
      placeholder="STORE/api-token" onInput=${(e) => { setValue(e.target.value); setSaved(false); }} /></label>
    <button type="submit">${saved ? 'Saved' : 'Save'}</button>
  </form>`;
}

function Nav({ at }) {
  const link = (href, label) =>
    html`<a href=${href} class=${at === href ? 'on' : ''}>${label}</a>`;
  return html`<header class="nav">
    <strong>mmhost</strong>
    ${link('#/runs', 'Runs')} ${link('#/new', 'New run')} ${link('#/live', 'Live')}
    <span class="grow"></span>
    <${TokenBox} />
  </header>`;
}

const STATUSES = ['', 'queued', 'running', 'done', 'failed', 'cancelled'];
const KINDS = ['', 'backtest', 'backtest_mm_mtf', 'sweep', 'batch', 'fetch'];

function RunsPage({ query }) {
  const [status, setStatus] = useState(query.get('status') || '');
  const [kind, setKind] = useState(query.get('kind') || '');
  const [name, setName] = useState('');
  const [page, setPage] = useState(0);
  const [sort, setSort] = useState({ key: 'created', down: true });
  const limit = 50;
  const [data, error] = usePoll(() => {
    const q = new URLSearchParams({ limit, offset: page * limit, parent: '-' });
    if (status) q.set('status', status);
    if (kind) q.set('kind', kind);
    if (name) q.set('name', name);
    return getJson('/runs?' + q);
  }, 2000, [status, kind, name, page]);
  const key = {
    name: (r) => r.name,
    kind: (r) => r.kind,
    status: (r) => r.status,
    created: (r) => r.created,
    net_pnl: (r) => Number(r.figures?.net_pnl ?? -Infinity),
    return_pct: (r) => Number(r.figures?.return_pct ?? -Infinity),
    max_drawdown_pct: (r) => Number(r.figures?.max_drawdown_pct ?? -Infinity),
    fills: (r) => Number(r.figures?.fills?.total ?? -1),
  };
  const runs = [...(data?.runs || [])].sort((a, b) => {
    const x = key[sort.key](a), y = key[sort.key](b);
    return (x < y ? -1 : x > y ? 1 : 0) * (sort.down ? -1 : 1);
  });
  const th = (k, label, cls = '') =>
    html`<th class="sortable ${cls}" onClick=${() => setSort({ key: k, down: sort.key === k ? !sort.down : true })}>
      ${label}${sort.key === k ? (sort.down ? ' ▾' : ' ▴') : ''}</th>`;
  const pages = data ? Math.max(1, Math.ceil(data.total / limit)) : 1;
  return html`<main>
    <h1>Runs</h1>
    <div class="filters">
      <label>Status <select value=${status} onChange=${(e) => { setStatus(e.target.value); setPage(0); }}>
        ${STATUSES.map((s) => html`<option value=${s}>${s || 'any'}</option>`)}</select></label>
      <label>Kind <select value=${kind} onChange=${(e) => { setKind(e.target.value); setPage(0); }}>
        ${KINDS.map((s) => html`<option value=${s}>${s || 'any'}</option>`)}</select></label>
      <label>Name <input value=${name} placeholder="part of a name"
        onInput=${(e) => { setName(e.target.value); setPage(0); }} /></label>
    </div>
    ${error && html`<p class="error">${error.message}</p>`}
    <div class="scroll"><table class="runs">
      <thead><tr>${th('name', 'Name')}${th('kind', 'Kind')}${th('status', 'Status')}
        <th>Strategy</th><th>Period</th>${th('net_pnl', 'Net PnL (USDT)', 'n')}${th('return_pct', 'Return', 'n')}
        ${th('max_drawdown_pct', 'Max DD', 'n')}${th('fills', 'Fills', 'n')}${th('created', 'Created (UTC)')}<th></th></tr></thead>
      <tbody>${runs.map((r) => html`<tr key=${r.id}>
        <td><a href=${(r.kind === 'sweep' ? '#/sweep/' : '#/run/') + r.id}>${r.name}</a></td><td>${r.kind}</td><td><${Status} run=${r} /></td>
        <td class="small">${r.strategy || ''}</td>
        <td class="small">${r.figures?.period ? time(r.figures.period.first_bar_close).slice(0, 10) + ' → ' +
          time(r.figures.period.last_bar_close).slice(0, 10) : ''}</td>
        <td class="n ${sign(r.figures?.net_pnl)}">${money(r.figures?.net_pnl)}</td>
        <td class="n ${sign(r.figures?.return_pct)}">${pct(r.figures?.return_pct)}</td>
        <td class="n">${pct(r.figures?.max_drawdown_pct)}</td>
        <td class="n">${r.figures?.fills ? count(r.figures.fills.total) : ''}</td>
        <td class="small">${time(r.created)}</td>
        <td>${['backtest', 'backtest_mm_mtf'].includes(r.kind) ? html`<a class="small" href=${'#/new?from=' + r.id}>re-run with changes</a>` : ''}</td></tr>`)}</tbody>
    </table></div>
    ${data && data.runs.length === 0 && html`<p class="muted">No runs yet: <a href="#/new">start one</a>.</p>`}
    <div class="pager">
      <button disabled=${page === 0} onClick=${() => setPage(page - 1)}>Previous</button>
      <span>page ${page + 1} of ${pages} (${data ? count(data.total) : '…'} runs)</span>
      <button disabled=${page + 1 >= pages} onClick=${() => setPage(page + 1)}>Next</button>
    </div>
  </main>`;
}

function Figure({ label, value, cls = '' }) {
  return html`<div class="figure"><span>${label}</span><b class=${cls}>${value}</b></div>`;
}

// The key figures of summary.json, grouped, with units.
function Header({ s }) {
  const quote = 'USDT';
  // Time in each policy level, as the core published it (bos_mm: stage1.*).
  const share = (k) => (s.stage1 && s.stage1[k] !== undefined ? pct(s.stage1[k] * 100, 1) : null);
  return html`<section class="figures">
    <${Figure} label=${'Net PnL (' + quote + ')'} value=${money(s.net_pnl)} cls=${sign(s.net_pnl)} />
    <${Figure} label="Return" value=${pct(s.return_pct)} cls=${sign(s.return_pct)} />
    <${Figure} label="Max drawdown" value=${pct(s.max_drawdown_pct)} />
    <${Figure} label="Sharpe (daily)" value=${num(s.sharpe_daily)} />
    <${Figure} label="Fills maker / taker" value=${count(s.fills?.maker) + ' / ' + count(s.fills?.taker)} />
    <${Figure} label=${'Fees (' + quote + ')'} value=${money(s.fees_total)} />
    <${Figure} label="Days" value=${count(s.days)} />
    ${share('time_in_mm_share') !== null && html`
      <${Figure} label="Time in MM" value=${share('time_in_mm_share')} />
      <${Figure} label="Time Disabled" value=${share('time_disabled_share')} />
      <${Figure} label="Time Defensive" value=${share('time_defensive_share')} />`}
  </section>`;
}

function EquityChart({ id }) {
  const [data, error] = usePoll(async () => {
    const rows = parseCsv(await getText(`/runs/${id}/artifacts/equity.csv`));
    const step = Math.max(1, Math.floor(rows.length / 4000));  // a point per pixel or so
    const xs = [], eq = [], dd = [];
    for (let i = 0; i < rows.length; i += step) {
      xs.push(Number(rows[i].ts_ns.slice(0, -6)) / 1000);
      eq.push(Number(rows[i].equity));
      dd.push(-Number(rows[i].drawdown_pct));
    }
    return { xs, equity: [{ label: 'Equity', values: eq }], drawdown: [{ label: 'Drawdown', values: dd, color: '#dc2626' }] };
  }, 0, [id]);
  if (error) return html`<p class="muted">No equity curve (${error.message}).</p>`;
  if (!data) return html`<p class="muted">Loading the equity curve…</p>`;
  return html`<div>
    <h2>Equity</h2><${LineChart} xs=${data.xs} series=${data.equity} yLabel="Equity (USDT)" />
    <h2>Drawdown</h2><${LineChart} xs=${data.xs} series=${data.drawdown} yLabel="Drawdown (%)" height=${160} fill="rgba(220,38,38,0.15)" />
  </div>`;
}

// fills.csv as a table, 100 rows a page.
function Fills({ id }) {
  const [page, setPage] = useState(0);
  const [rows, error] = usePoll(async () => parseCsv(await getText(`/runs/${id}/artifacts/fills.csv`)), 0, [id]);
  if (error) return html`<p class="muted">${error.message}</p>`;
  if (!rows) return html`<p class="muted">Loading the fills…</p>`;
  const shown = rows.slice(page * 100, page * 100 + 100);
  return html`<section><h2>Fills (${count(rows.length)})</h2>
    <div class="filters"><button disabled=${page === 0} onClick=${() => setPage(page - 1)}>Previous</button>
      <button disabled=${(page + 1) * 100 >= rows.length} onClick=${() => setPage(page + 1)}>Next</button></div>
    <div class="scroll fills-box"><table class="fills"><thead><tr><th>Time (UTC)</th><th>Side</th><th class="n">Price</th>
      <th class="n">Qty</th><th class="n">Value</th><th class="n">Fee</th><th>Liquidity</th><th class="n">Realized PnL</th></tr></thead>
      <tbody>${shown.map((f, i) => html`<tr key=${i}><td class="small">${time(f.time)}</td><td class=${f.side === 'buy' ? 'pos' : 'neg'}>${f.side}</td>
        <td class="n">${f.price}</td><td class="n">${f.qty}</td><td class="n">${money(f.value)}</td>
        <td class="n">${f.fee} ${f.fee_asset}</td><td>${f.maker}</td><td class="n">${money(f.realized_pnl)}</td></tr>`)}</tbody></table></div>
  </section>`;
}

function Events({ id }) {
  const [kind, setKind] = useState('');
  const [offset, setOffset] = useState(0);
  const limit = 100;
  const [data, error] = usePoll(() => {
    const q = new URLSearchParams({ limit, offset });
    if (kind) q.set('kind', kind);
    return getJson(`/runs/${id}/events?` + q);
  }, 0, [id, kind, offset]);
  return html`<section>
    <h2>Events</h2>
    <div class="filters"><label>Kind <select value=${kind} onChange=${(e) => { setKind(e.target.value); setOffset(0); }}>
      ${['', 'fill', 'order', 'update', 'decision'].map((k) => html`<option value=${k}>${k || 'any'}</option>`)}
    </select></label>
    <button disabled=${offset === 0} onClick=${() => setOffset(Math.max(0, offset - limit))}>Previous</button>
    <button disabled=${!data || data.events.length < limit} onClick=${() => setOffset(offset + limit)}>Next</button></div>
    ${error && html`<p class="muted">${error.message}</p>`}
    <div class="scroll events"><table><thead><tr><th>Time (UTC)</th><th>Type</th><th>What</th></tr></thead>
      <tbody>${(data?.events || []).map((e, i) => html`<tr key=${i}><td class="small">${time(e.time)}</td><td>${e.type}</td>
        <td class="small">${Object.entries(e).filter(([k]) => !['type', 'time', 'ts_ns'].includes(k))
          .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ')}</td></tr>`)}</tbody></table></div>
  </section>`;
}

function RunPage({ id }) {
  const [run, error] = useRun(id);
  const finished = run && ['done', 'failed', 'cancelled'].includes(run.status);
  const [summary] = usePoll(() => (finished && run.status === 'done' ? getJson(`/runs/${id}/metrics`) : null), 0, [id, finished]);
  const [artifacts] = usePoll(() => (finished ? getJson(`/runs/${id}/artifacts`) : null), 0, [id, finished]);
  const [note, setNote] = useState('');
  const cancel = useCallback(async () => {
    try { await postJson(`/runs/${id}/cancel`); setNote('Cancel sent.'); } catch (e) { setNote(e.message); }
  }, [id]);
  if (error && !run) return html`<main><p class="error">${error.message}</p></main>`;
  if (!run) return html`<main><p class="muted">Loading…</p></main>`;
  if (run.kind === 'sweep') return html`<${SweepPage} id=${id} />`;
  const names = (artifacts?.artifacts || []).map((a) => a.name);
  return html`<main>
    <h1>${run.name} <${Status} run=${run} /></h1>
    <p class="muted">${run.kind} · id ${run.id} · created ${time(run.created)}${run.finished ? ' · finished ' + time(run.finished) : ''}
      ${run.parent_id ? html` · <a href=${'#/run/' + run.parent_id}>its sweep</a>` : ''}</p>
    ${run.error && html`<pre class="error">${run.error}</pre>`}
    ${!finished && html`<p><button onClick=${cancel}>Cancel</button> ${note}</p>`}
    ${summary && html`<${Header} s=${summary} />`}
    ${summary?.models && html`<details class="models"><summary>Fill model and its biases</summary>
      <p>${summary.models.fill_model}</p><p class="muted">${summary.models.biases}</p><p>${summary.models.fees}</p></details>`}
    ${names.includes('equity.csv') && html`<${EquityChart} id=${id} />`}
    ${names.length > 0 && html`<section><h2>Files</h2><ul class="files">${artifacts.artifacts.map((a) =>
      html`<li><a href=${`/runs/${id}/artifacts/${encodeURIComponent(a.name)}`} download=${a.name}>${a.name}</a> <span class="muted">${count(a.size)} bytes</span></li>`)}</ul></section>`}
    ${names.includes('report.html') && html`<section><h2>Report</h2>
      <p class="muted small">The run's report.html (<a href=${`/runs/${id}/artifacts/report.html`} target="_blank" rel="noopener">open it alone</a>): candles, markers, state, inventory, equity, daily PnL.</p>
      <iframe class="report" sandbox="allow-scripts" title="report" src=${`/runs/${id}/artifacts/report.html`}></iframe></section>`}
    ${names.includes('fills.csv') && html`<${Fills} id=${id} />`}
    ${names.includes('events.jsonl') && html`<${Events} id=${id} />`}
  </main>`;
}

function App() {
  const { parts, query } = useRoute();
  let page;
  if (parts[0] === 'run' && parts[1]) page = html`<${RunPage} id=${parts[1]} />`;
  else if (parts[0] === 'sweep' && parts[1]) page = html`<${SweepPage} id=${parts[1]} />`;
  else if (parts[0] === 'compare') page = html`<${ComparePage} ids=${(query.get('ids') || '').split(',').filter(Boolean)} />`;
  else if (parts[0] === 'live') page = html`<${LivePage} />`;
  else if (parts[0] === 'new') page = html`<${NewRunPage} from=${query.get('from') || ''} />`;
  else page = html`<${RunsPage} query=${query} />`;
  return html`<${Nav} at=${'#/' + (parts[0] || 'runs')} />${page}`;
}

render(html`<${App} />`, document.getElementById('app'));
