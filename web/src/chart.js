// x/y charts on uPlot: numeric axes on both sides (time or linear), titles with units.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';

const palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

// series: [{label, values}] over shared xs; `time` says xs are UNIX seconds.
export function LineChart({ xs, series, yLabel, time = true, height = 260, fill = null }) {
  const box = useRef(null);
  useEffect(() => {
    if (!box.current || xs.length === 0) return undefined;
    const width = box.current.clientWidth || 600;
    const opts = {
      // Market times are UTC, whatever the browser's zone.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      width,
      height,
      scales: { x: { time } },
      axes: [{}, { label: yLabel, size: 70 }],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color || palette[i % palette.length],
          width: 1.5,
          spanGaps: true,
          fill: fill && i === 0 ? fill : undefined,
        })),
      ],
    };
    const plot = new uPlot(opts, [xs, ...series.map((s) => s.values)], box.current);
    const resize = () => plot.setSize({ width: box.current.clientWidth, height });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [xs, series, yLabel, time, height]);
  return html`<div class="chart" ref=${box}></div>`;
}
