// Hooks and small parts the pages share.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.js';

// Polls `load` every `ms` while `active`; returns [data, error].
export function usePoll(load, ms, deps) {
  const [state, setState] = useState({ data: null, error: null });
  useEffect(() => {
    let stop = false;
    let timer = 0;
    const tick = async () => {
      try {
        const data = await load();
        if (!stop) setState({ data, error: null });
      } catch (error) {
        if (!stop) setState((s) => ({ data: s.data, error }));
      }
      if (!stop && ms > 0) timer = setTimeout(tick, ms);
    };
    tick();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, deps);
  return [state.data, state.error];
}

export function Status({ run }) {
  const p = run.status === 'running' ? ` ${Math.round((run.progress || 0) * 100)} %` : '';
  return html`<span class="status ${run.status}">${run.status}${p}</span>`;
}


const FINISHED = ['done', 'failed', 'cancelled'];

// A run as GET /runs/ID gives it, kept up to date by its server-sent events (GET
// /runs/ID/stream) until it is finished; returns [run, error].
export function useRun(id) {
  const [state, setState] = useState({ run: null, error: null });
  useEffect(() => {
    let source = null;
    let stop = false;
    getJson('/runs/' + id)
      .then((run) => {
        if (stop) return;
        setState({ run, error: null });
        if (FINISHED.includes(run.status)) return;
        source = new EventSource(`/runs/${id}/stream`);
        source.addEventListener('run', (e) => {
          const update = JSON.parse(e.data);
          setState((s) => ({ run: { ...s.run, ...update }, error: null }));
          if (FINISHED.includes(update.status)) source.close();
        });
      })
      .catch((error) => {
        if (!stop) setState({ run: null, error });
      });
    return () => {
      stop = true;
      if (source) source.close();
    };
  }, [id]);
  return [state.run, state.error];
}
