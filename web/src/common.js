// Hooks and small parts the pages share.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';

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

