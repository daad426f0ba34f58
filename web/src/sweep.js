// The Sweep page (#/sweep/ID): its children's results, sortable; a parameter or figure against
// a figure; the Pareto front of two chosen objectives; a click on a point opens its run; runs
// ticked in the table open side by side in Compare.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson, postJson } from './api.js';
import { money, pct, count, num } from './format.js';
import { scatterPlot, axisTitle } from './scatter.js';
import { usePoll, useRun, Status } from './common.js';

const FIGURES = ['net_pnl', 'return_pct', 'max_drawdown_pct', 'sharpe_daily', 'fees_total', 'fills.total'];
const figure = (r, k) => {
  const f = r.figures || {};
  const v = k === 'fills.total' ? f.fills?.total : f[k];
  return v === undefined || v === null ? NaN : Number(v);
};
const param = (r, k) => Number(r.params?.[k]);
const valueOf = (r, key) => (key.startsWith('params.') ? param(r, key.slice(7)) : figure(r, key));
const label = (key) => (key.startsWith('params.') ? key.slice(7) : axisTitle(key));

// Indices of runs no other run beats on both objectives ({key, max}).
export function paretoFront(runs, a, b) {
  const v = runs.map((r) => [valueOf(r, a.key) * (a.max ? 1 : -1), valueOf(r, b.key) * (b.max ? 1 : -1)]);
  return runs.filter((_, i) =>
    Number.isFinite(v[i][0]) && Number.isFinite(v[i][1]) &&
    !v.some((w, j) => j !== i && w[0] >= v[i][0] && w[1] >= v[i][1] && (w[0] > v[i][0] || w[1] > v[i][1])));
}

function Plot({ make, deps }) {
  const box = useRef(null);
  useEffect(() => {
    if (!box.current) return undefined;
    box.current.textContent = '';
    const plot = make(box.current);
    const resize = () => plot.setSize({ width: box.current.clientWidth, height: 360 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, deps);
  return html`<div class="chart scatter" ref=${box}></div>`;
}

async function allChildren(id) {
  const runs = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await getJson(`/runs?parent=${id}&limit=1000&offset=${offset}`);
    runs.push(...page.runs);
    if (runs.length >= page.total || page.runs.length === 0) return runs;
  }
}

export function SweepPage({ id }) {
  const [sweep, error] = useRun(id);
  const running = sweep && !['done', 'failed', 'cancelled'].includes(sweep.status);
  const [children] = usePoll(() => allChildren(id), running ? 3000 : 0, [id, running]);
  const [x, setX] = useState('');
  const [y, setY] = useState('net_pnl');
  const [objA, setObjA] = useState({ key: 'net_pnl', max: true });
  const [objB, setObjB] = useState({ key: 'max_drawdown_pct', max: false });
  const [sort, setSort] = useState({ key: 'net_pnl', down: true });
  const [ticked, setTicked] = useState([]);
  const [note, setNote] = useState('');
  if (error && !sweep) return html`<main><p class="error">${error.message}</p></main>`;
  if (!sweep) return html`<main><p class="muted">Loading…</p></main>`;
  const runs = children || [];
  const params = [...new Set(runs.flatMap((r) => Object.keys(r.params || {})))].sort();
  const xKey = x || (params.length ? 'params.' + params[0] : 'net_pnl');
  const done = runs.filter((r) => r.status === 'done');
  const front = paretoFront(done, objA, objB);
  const open = (p) => (location.hash = '#/run/' + p.ref);
  const point = (r, xk, yk) => ({
    x: valueOf(r, xk), y: valueOf(r, yk), ref: r.id,
    label: r.name.replace(/^[^:]*: /, ''),
    detail: Object.entries(r.params || {}).map(([k, v]) => `${k} = ${v}`),
  });
  const keys = [...params.map((p) => 'params.' + p), ...FIGURES];
  const sorted = [...runs].sort((a, b) => {
    const u = valueOf(a, sort.key), v = valueOf(b, sort.key);
    const bad = (n) => !Number.isFinite(n);
    if (bad(u) || bad(v)) return bad(u) - bad(v);
    return (u - v) * (sort.down ? -1 : 1);
  });
  const frontIds = new Set(front.map((r) => r.id));
  const select = (value, set, options) => html`<select value=${value} onChange=${(e) => set(e.target.value)}>
    ${options.map((k) => html`<option value=${k}>${label(k)}</option>`)}</select>`;
  const objective = (o, set, name) => html`<label>${name} ${select(o.key, (k) => set({ ...o, key: k }), FIGURES)}
    <select value=${o.max ? 'max' : 'min'} onChange=${(e) => set({ ...o, max: e.target.value === 'max' })}>
      <option value="max">more is better</option><option value="min">less is better</option></select></label>`;
  const cancel = async () => {
    try { await postJson(`/runs/${id}/cancel`); setNote('Cancel sent.'); } catch (e) { setNote(e.message); }
  };
  const th = (k) => html`<th class="sortable n" onClick=${() => setSort({ key: k, down: sort.key === k ? !sort.down : true })}>
    ${label(k)}${sort.key === k ? (sort.down ? ' ▾' : ' ▴') : ''}</th>`;
  const show = (k, r) => {
    const v = valueOf(r, k);
    if (k.startsWith('params.')) return r.params?.[k.slice(7)] ?? '';
    if (k.endsWith('_pct')) return pct(v);
    if (k === 'fills.total') return count(v);
    if (k === 'sharpe_daily') return num(v);
    return money(v);
  };
  return html`<main>
    <h1>${sweep.name} <${Status} run=${sweep} /></h1>
    <p class="muted">sweep · ${count(sweep.children?.runs ?? runs.length)} runs: ${count(sweep.children?.done ?? done.length)} done,
      ${count(sweep.children?.failed ?? 0)} failed, ${count(sweep.children?.cancelled ?? 0)} cancelled</p>
    ${running && html`<div class="progress"><div style=${`width:${Math.round((sweep.progress || 0) * 100)}%`}></div></div>
      <p><button onClick=${cancel}>Cancel the sweep</button> ${note}</p>`}
    <h2>Parameter against figure</h2>
    <div class="filters"><label>x ${select(xKey, setX, keys)}</label><label>y ${select(y, setY, FIGURES)}</label></div>
    <${Plot} deps=${[done, xKey, y]} make=${(el) => scatterPlot(el, {
      xLabel: label(xKey), yLabel: label(y), onPick: open,
      layers: [{ label: 'run', color: '#2563eb', points: done.map((r) => point(r, xKey, y)) }] })} />
    <h2>Pareto front</h2>
    <div class="filters">${objective(objA, setObjA, 'x')} ${objective(objB, setObjB, 'y')}</div>
    <${Plot} deps=${[done, objA, objB]} make=${(el) => scatterPlot(el, {
      xLabel: label(objA.key), yLabel: label(objB.key), onPick: open,
      layers: [
        { label: 'every run', color: '#9ca3af', points: done.filter((r) => !frontIds.has(r.id)).map((r) => point(r, objA.key, objB.key)) },
        { label: 'Pareto front', color: '#dc2626', line: true, points: front.map((r) => point(r, objA.key, objB.key)) },
      ] })} />
    <h2>Runs</h2>
    <p><button disabled=${ticked.length < 2 || ticked.length > 4}
      onClick=${() => (location.hash = '#/compare?ids=' + ticked.join(','))}>Compare ${ticked.length} ticked (2 to 4)</button></p>
    <div class="scroll"><table class="sweep-runs"><thead><tr><th></th><th>Run</th><th>Status</th>${keys.map(th)}</tr></thead>
      <tbody>${sorted.map((r) => html`<tr key=${r.id} class=${frontIds.has(r.id) ? 'front' : ''}>
        <td><input type="checkbox" checked=${ticked.includes(r.id)}
          onChange=${(e) => setTicked(e.target.checked ? [...ticked, r.id] : ticked.filter((t) => t !== r.id))} /></td>
        <td><a href=${'#/run/' + r.id}>${r.name.replace(/^[^:]*: /, '')}</a></td><td><${Status} run=${r} /></td>
        ${keys.map((k) => html`<td class="n">${show(k, r)}</td>`)}</tr>`)}</tbody></table></div>
  </main>`;
}
