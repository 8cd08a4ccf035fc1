import type { ToolId } from './options.ts';

/** One bar: a tool's time on a workload relative to the reference tool. */
export interface RatioBar {
  workload: string;
  tool: ToolId;
  label: string;
  ratio: number;
}

const COLORS: Record<ToolId, string> = {
  distsync: '#2b6cb0',
  'rsync-ssh': '#c05621',
  'rsync-local': '#718096',
  syncthing: '#2f855a',
};

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Hand-written horizontal bar chart on a log scale centred on 1× (the
 * reference tool): bars right of the line are slower, left are faster.
 * A log axis keeps 0.1× and 50× readable on one chart.
 */
export function ratioChartSvg(bars: readonly RatioBar[], reference: string): string {
  const width = 820;
  const labelWidth = 250;
  const plotWidth = width - labelWidth - 70;
  const rowHeight = 18;
  const top = 50;
  const finite = bars.filter((b) => Number.isFinite(b.ratio) && b.ratio > 0);
  const lo = Math.min(0.1, ...finite.map((b) => b.ratio));
  const hi = Math.max(10, ...finite.map((b) => b.ratio));
  const minExp = Math.floor(Math.log10(lo));
  const maxExp = Math.ceil(Math.log10(hi));
  const x = (ratio: number): number => labelWidth + ((Math.log10(ratio) - minExp) / (maxExp - minExp)) * plotWidth;

  const parts: string[] = [];
  let y = top;
  let previousWorkload = '';
  for (const bar of finite) {
    if (bar.workload !== previousWorkload) {
      y += previousWorkload === '' ? 0 : 8;
      parts.push(`<text x="8" y="${y + 13}" font-weight="bold">${esc(bar.workload)}</text>`);
      y += rowHeight;
      previousWorkload = bar.workload;
    }
    const x0 = x(1);
    const x1 = x(bar.ratio);
    const left = Math.min(x0, x1);
    const barWidth = Math.max(1, Math.abs(x1 - x0));
    parts.push(`<text x="24" y="${y + 13}">${esc(bar.label)}</text>`);
    parts.push(`<rect x="${left.toFixed(1)}" y="${y + 3}" width="${barWidth.toFixed(1)}" height="${rowHeight - 6}" fill="${COLORS[bar.tool]}"/>`);
    const textX = bar.ratio >= 1 ? x1 + 4 : x1 - 4;
    const anchor = bar.ratio >= 1 ? 'start' : 'end';
    parts.push(`<text x="${textX.toFixed(1)}" y="${y + 13}" text-anchor="${anchor}">${bar.ratio.toFixed(2)}×</text>`);
    y += rowHeight;
  }
  const height = y + 30;
  const axis: string[] = [];
  for (let e = minExp; e <= maxExp; e++) {
    const ratio = 10 ** e;
    const ax = x(ratio).toFixed(1);
    axis.push(`<line x1="${ax}" y1="${top - 6}" x2="${ax}" y2="${y}" stroke="${e === 0 ? '#000' : '#ddd'}"/>`);
    axis.push(`<text x="${ax}" y="${y + 16}" text-anchor="middle">${ratio >= 1 ? ratio.toFixed(0) : ratio.toString()}×</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="20" font-size="15" font-weight="bold">Time to verified sync, relative to ${esc(reference)} (log scale)</text>`,
    `<text x="8" y="38" fill="#555">right of the 1× line = slower than ${esc(reference)}, left = faster</text>`,
    ...axis,
    ...parts,
    `</svg>`,
    '',
  ].join('\n');
}
