// The public API of `mmhost serve` (docs/serve.md), as the UI uses it. POST calls carry the
// token the user pasted (kept in this browser's localStorage, never sent anywhere else).
export const token = {
  get: () => localStorage.getItem('mmhost.token') || '',
  set: (t) => localStorage.setItem('mmhost.token', t.trim()),
};

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.field = e.field || '';
  }
}

export async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

export async function getText(path) {
  const res = await fetch(path);
  if (!res.ok) throw new ApiError(res.status, null);
  return res.text();
}

export async function postJson(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.get()}` },
    body: body === undefined ? '' : JSON.stringify(body),
  });
  const reply = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, reply);
  return reply;
}

// A CSV artifact as rows of objects (header names as keys; numbers stay text until asked).
export function parseCsv(text) {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length === 0) return [];
  const head = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    const row = {};
    head.forEach((h, i) => (row[h] = cells[i]));
    return row;
  });
}
