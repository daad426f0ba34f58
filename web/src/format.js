// Figures as a trader reads them: money to cents with thousands separators, percentages to two
// decimals, counts grouped, times in UTC.
const group = (s) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export function money(v, digits = 2) {
  if (v === undefined || v === null || v === '') return '—';
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  const [i, f] = Math.abs(n).toFixed(digits).split('.');
  return (n < 0 ? '−' : '') + group(i) + (f ? '.' + f : '');
}

export function pct(v, digits = 2) {
  if (v === undefined || v === null || v === '') return '—';
  const n = Number(v);
  return Number.isFinite(n) ? (n < 0 ? '−' : '') + Math.abs(n).toFixed(digits) + ' %' : '—';
}

export function count(v) {
  if (v === undefined || v === null) return '—';
  return group(String(Math.round(Number(v))));
}

export function num(v, digits = 2) {
  if (v === undefined || v === null || v === '') return '—';
  const n = Number(v);
  return Number.isFinite(n) ? (n < 0 ? '−' : '') + Math.abs(n).toFixed(digits) : '—';
}

export function time(iso) {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

export const sign = (v) => (Number(v) > 0 ? 'pos' : Number(v) < 0 ? 'neg' : '');
