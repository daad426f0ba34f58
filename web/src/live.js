// The Live page (#/live): paper, live and paced-replay runs (GET /sessions/stream, each second
// they change) with their state, equity, PnL, inventory, open orders and data time, and the halt /
// reduce / resume buttons, which send the same control command as `mmhost halt RUN_DIR` (token
// required).
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { postJson } from './api.js';
import { money, count, time, sign } from './format.js';

function Session({ s }) {
  const st = s.status;
  const [note, setNote] = useState('');
  const send = async (command) => {
    try {
      const a = await postJson(`/sessions/${encodeURIComponent(s.name)}/${command}`);
      setNote(`${command}: ${a.changed ? 'now' : 'already'} ${a.state}`);
    } catch (e) {
      setNote(`${command}: ${e.message}`);
    }
  };
  const q = st.quote_asset || '';
  return html`<section class="session" data-name=${s.name}>
    <h2>${s.name} <span class="status state-${st.state}">${st.state}</span>
      ${st.data_stale ? html`<span class="status failed">data stale</span>` : ''}</h2>
    <div class="figures">
      <div class="figure"><span>Equity (${q})</span><b>${money(st.equity)}</b></div>
      <div class="figure"><span>Net PnL (${q})</span><b class=${sign(st.net_pnl)}>${money(st.net_pnl)}</b></div>
      ${st.pnl_today !== undefined && html`<div class="figure"><span>PnL today (${q})</span><b class=${sign(st.pnl_today)}>${money(st.pnl_today)}</b></div>`}
      <div class="figure"><span>Inventory</span><b class="small">${st.base} ${st.base_asset} + ${money(st.quote)} ${q}</b></div>
      <div class="figure"><span>Open orders</span><b>${count(st.open_orders)}${st.cancels_pending ? ` (${st.cancels_pending} cancelling)` : ''}</b></div>
      <div class="figure"><span>Last market data (UTC)</span><b class="small">${time(st.last_data_time)}</b></div>
      <div class="figure"><span>Data age</span><b>${st.data_age_s === null || st.data_age_s === undefined ? '—' : `${st.data_age_s} s`}</b></div>
      <div class="figure"><span>Decision latency p99</span><b>${st.decision_p99_s ? `${(st.decision_p99_s * 1000).toFixed(2)} ms` : '—'}</b></div>
    </div>
    <p class="buttons">
      <button class="halt" onClick=${() => send('halt')}>Halt</button>
      <button class="reduce" onClick=${() => send('reduce')}>Reduce</button>
      <button class="resume" onClick=${() => send('resume')}>Resume</button>
      <span class="muted note">${note}</span>
    </p>
    <p class="muted small">${s.dir}${st.metrics ? html` · <a href=${st.metrics}>metrics</a>` : ''}</p>
  </section>`;
}

// The sessions as GET /sessions/stream sends them (server-sent events, each second they change).
function useSessions() {
  const [state, setState] = useState({ data: null, error: null });
  useEffect(() => {
    const source = new EventSource('/sessions/stream');
    source.addEventListener('sessions', (e) => setState({ data: JSON.parse(e.data), error: null }));
    source.onerror = () => setState((s) => ({ ...s, error: new Error('the server is not answering; retrying') }));
    return () => source.close();
  }, []);
  return [state.data, state.error];
}

export function LivePage() {
  const [data, error] = useSessions();
  return html`<main>
    <h1>Live sessions</h1>
    <p class="muted">Paper, live and paced runs under the server's session directories (<code>--sessions</code>, default runs/), refreshed every second. Halt cancels every order and stops trading; reduce only lets orders that shrink inventory through; resume trades again.</p>
    ${error && html`<p class="error">${error.message}</p>`}
    ${data && data.sessions.length === 0 && html`<p class="muted">No session is running.</p>`}
    ${(data?.sessions || []).map((s) => html`<${Session} key=${s.name} s=${s} />`)}
  </main>`;
}
