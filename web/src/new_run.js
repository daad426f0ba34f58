// The New run page (#/new, #/new?from=ID): a backtest or a sweep of the chosen strategy (shipped
// or pasted), market, window, fill model, fees and latency, with core parameters from the core's
// catalog (GET /catalog: type, unit, default, range) checked as they are typed — nothing is sent
// while a value is wrong — and the same run as an `mmhost backtest` command line.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson, postJson } from './api.js';
import { count } from './format.js';
import { usePoll } from './common.js';

// Why `text` is not a value of parameter `p`, or '' when it is.
export function checkValue(p, text) {
  const t = String(text).trim();
  if (t === '') return 'a value is needed';
  if (p.type === 'choice') {
    const choices = p.unit.split('|');
    return choices.includes(t) ? '' : `one of ${choices.join(', ')}`;
  }
  const n = Number(t);
  if (!Number.isFinite(n)) return 'a number';
  if (p.type === 'integer' && !Number.isInteger(n)) return 'a whole number';
  if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) return `in [${p.min}, ${p.max}]`;
  return '';
}

// The form's fields from a run's request: its structured fields, or its cli_args' flags.
function formFrom(spec) {
  const out = {};
  const flags = { '--symbol': 'symbol', '--htf-interval': 'htf_interval', '--ltf-interval': 'ltf_interval',
    '--start': 'start', '--end': 'end', '--fill-model': 'fill_model', '--fees': 'fees', '--latency-ms': 'latency_ms',
    '--cache': 'data' };
  const args = spec.cli_args || [];
  for (let i = 0; i + 1 < args.length; i += 2) if (flags[args[i]]) out[flags[args[i]]] = args[i + 1];
  for (const k of ['name', 'strategy', 'data', 'symbol', 'htf_interval', 'ltf_interval', 'start', 'end', 'fill_model', 'fees', 'latency_ms'])
    if (spec[k] !== undefined && spec[k] !== null) out[k] = String(spec[k]);
  if (spec.kind === 'backtest_mm_mtf' && !out.strategy) out.strategy = 'strategies/eth_bos_mm.lua';
  return out;
}

const FLAGS = [['symbol', '--symbol'], ['htf_interval', '--htf-interval'], ['ltf_interval', '--ltf-interval'],
  ['start', '--start'], ['end', '--end'], ['data', '--cache'], ['fill_model', '--fill-model'], ['fees', '--fees'],
  ['latency_ms', '--latency-ms']];

export function NewRunPage({ from }) {
  const [catalog] = usePoll(() => getJson('/catalog'), 0, []);
  const [form, setForm] = useState({
    name: 'eth mtf', strategy: 'strategies/eth_bos_mm.lua', data: '', symbol: 'ETHUSDT', htf_interval: '5',
    ltf_interval: '1', start: '2025-06-01', end: '2025-07-01', fill_model: 'candle', fees: '', latency_ms: '',
  });
  const [kind, setKind] = useState('backtest');
  const [pasted, setPasted] = useState(null);  // a pasted script instead of a shipped one
  const [rows, setRows] = useState([]);  // [{name, value}]
  const [result, setResult] = useState(null);
  useEffect(() => {
    if (!from) return;
    getJson('/runs/' + from).then((run) => {
      setForm((f) => ({ ...f, ...formFrom(run.spec || {}), name: run.name + ' (changed)' }));
      setRows(Object.entries(run.spec?.params || {}).map(([name, value]) => ({ name, value: String(value) })));
    }).catch(() => {});
  }, [from]);
  const params = catalog?.core?.params || [];
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const values = (r) => (kind === 'sweep' ? String(r.value).split(',').map((v) => v.trim()) : [String(r.value).trim()]);
  const rowError = (r) => {
    const p = byName[r.name];
    if (!p) return 'choose a parameter';
    for (const v of values(r)) {
      const e = checkValue(p, v);
      if (e) return `${r.name}: ${v === '' ? e : `'${v}' is not ${e}`}`;
    }
    return '';
  };
  const errors = rows.map(rowError);
  const runs = kind === 'sweep' ? rows.reduce((n, r) => n * values(r).length, 1) : 1;
  const bad = errors.some((e) => e) || (kind === 'sweep' && rows.length === 0);
  const body = () => {
    const b = { kind };
    for (const [k, v] of Object.entries(form)) if (v !== '') b[k] = v;
    if (pasted !== null) {
      delete b.strategy;
      b.strategy_text = pasted;
    }
    if (kind === 'sweep') b.grid = Object.fromEntries(rows.map((r) => [r.name, values(r)]));
    else if (rows.length) b.params = Object.fromEntries(rows.map((r) => [r.name, values(r)[0]]));
    return b;
  };
  const command = () => {
    const b = body();
    const sets = rows.map((r) => `--set ${r.name}=${values(r)[0]}`);  // a sweep: its first set
    const line = ['mmhost backtest', b.strategy || 'SCRIPT.lua', ...FLAGS.filter(([k]) => b[k]).map(([k, f]) => `${f} ${b[k]}`), ...sets].join(' ');
    return kind === 'sweep' ? `${line}\n# … and the other ${count(runs - 1)} sets of the grid (${count(runs)} runs)` : line;
  };
  const submit = async (e) => {
    e.preventDefault();
    if (bad) return;
    try {
      const run = await postJson('/runs', body());
      location.hash = (kind === 'sweep' ? '#/sweep/' : '#/run/') + run.id;
    } catch (err) {
      setResult({ error: err.message, field: err.field });
    }
  };
  const field = (k, label, hint = '') => html`<label class=${result?.field === k ? 'bad' : ''}>${label}
    <input name=${k} value=${form[k]} placeholder=${hint} onInput=${set(k)} /></label>`;
  return html`<main>
    <h1>New run</h1>
    <form class="grid" onSubmit=${submit}>
      <label>Kind <select name="kind" value=${kind} onChange=${(e) => setKind(e.target.value)}>
        <option value="backtest">one backtest</option><option value="sweep">a sweep (a grid of parameter values)</option></select></label>
      ${field('name', 'Name')}
      <label>Strategy <select name="strategy" value=${pasted !== null ? '' : form.strategy}
        onChange=${(e) => { if (e.target.value === '') setPasted(''); else { setPasted(null); setForm({ ...form, strategy: e.target.value }); } }}>
        ${(catalog?.strategies || [form.strategy]).map((s) => html`<option value=${s}>${s}</option>`)}
        <option value="">paste a script…</option></select></label>
      <label>Data <select name="data" value=${form.data} onChange=${set('data')}>
        <option value="">by symbol and interval</option>
        ${(catalog?.data || []).map((d) => html`<option value=${d.path}>${d.name}</option>`)}</select></label>
      ${field('symbol', 'Symbol')} ${field('htf_interval', 'Structure interval (min)')}
      ${field('ltf_interval', 'Execution interval (min)')} ${field('start', 'Start (UTC day)')}
      ${field('end', 'End (UTC day, exclusive)')}
      <label>Fill model <select name="fill_model" value=${form.fill_model} onChange=${set('fill_model')}>
        ${['candle', 'trades', 'book'].map((m) => html`<option>${m}</option>`)}</select></label>
      ${field('fees', 'Fees MAKER,TAKER', '0.001,0.001')} ${field('latency_ms', 'Latency (ms)', '0')}
    </form>
    ${pasted !== null && html`<label class="script">Strategy script (Lua)
      <textarea name="strategy_text" rows="10" value=${pasted} onInput=${(e) => setPasted(e.target.value)}></textarea></label>`}
    <h2>Core parameters</h2>
    <p class="muted">${kind === 'sweep' ? 'Comma-separated values: every combination runs.' : 'Over the strategy\'s own values.'}
      ${catalog && !catalog.core ? ' (The server could not read the core\'s catalog.)' : ''}</p>
    <div class="params">${rows.map((r, i) => {
      const p = byName[r.name];
      return html`<div class="param-row ${errors[i] ? 'bad' : ''}">
        <select class="param-name" value=${r.name} onChange=${(e) => setRows(rows.map((x, j) => (j === i ? { name: e.target.value, value: byName[e.target.value]?.default ?? '' } : x)))}>
          <option value="">parameter…</option>
          ${params.map((q) => html`<option value=${q.name}>${q.name}</option>`)}</select>
        <input class="param-value" value=${r.value} onInput=${(e) => setRows(rows.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
        <button type="button" onClick=${() => setRows(rows.filter((_, j) => j !== i))}>Remove</button>
        <span class="muted small">${p ? `${p.unit}; default ${p.default}${p.min !== undefined ? `; range [${p.min}, ${p.max}]` : ''} — ${p.meaning}` : ''}</span>
        ${errors[i] && html`<span class="error small param-error">${errors[i]}</span>`}
      </div>`;
    })}</div>
    <p><button type="button" class="add-param" onClick=${() => setRows([...rows, { name: '', value: '' }])}>Add a parameter</button></p>
    <p><button type="submit" class="start" disabled=${bad} onClick=${submit}>${kind === 'sweep' ? `Start ${count(runs)} runs` : 'Start'}</button></p>
    ${result?.error && html`<p class="error">${result.field ? result.field + ': ' : ''}${result.error}</p>`}
    <p class="muted">The same on the command line:</p><pre class="command">${command()}</pre>
  </main>`;
}
