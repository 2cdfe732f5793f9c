// A grouped bar chart as plain SVG: a few rectangles and labels need no chart library.

export interface BarSeries {
  readonly name: string;
  readonly color: string;
  /** One value per group; NaN draws no bar. */
  readonly values: readonly number[];
}

export interface BarPanel {
  readonly title: string;
  readonly groups: readonly string[];
  readonly series: readonly BarSeries[];
  /** Formats a value for the label over its bar. */
  readonly format: (value: number) => string;
}

const WIDTH = 820;
const PANEL_HEIGHT = 300;
const PLOT = { left: 50, right: 20, top: 40, bottom: 60 };

/** Stacks the panels vertically in one SVG document with one legend at the bottom. */
export function barChartSvg(panels: readonly BarPanel[]): string {
  const series = panels[0]?.series ?? [];
  const legendRows = Math.ceil(series.length / 3);
  const height = panels.length * PANEL_HEIGHT + legendRows * 22 + 16;
  const body = panels
    .map((panel, i) => `<g transform="translate(0 ${i * PANEL_HEIGHT})">${panelSvg(panel)}</g>`)
    .join('\n');
  const legend = series
    .map((item, i) => {
      const x = 60 + (i % 3) * 250;
      const y = panels.length * PANEL_HEIGHT + 8 + Math.floor(i / 3) * 22;
      return `<rect x="${x}" y="${y}" width="12" height="12" fill="${item.color}"/><text x="${x + 18}" y="${y + 11}">${escapeXml(item.name)}</text>`;
    })
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    body,
    legend,
    `</svg>`,
    '',
  ].join('\n');
}

function panelSvg(panel: BarPanel): string {
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = PANEL_HEIGHT - PLOT.top - PLOT.bottom;
  // Headroom over the tallest bar for its label.
  const max = 1.1 * Math.max(1e-9, ...panel.series.flatMap((item) => item.values.filter(Number.isFinite)));
  const groupWidth = plotWidth / panel.groups.length;
  const barWidth = (groupWidth * 0.8) / Math.max(1, panel.series.length);
  const baseline = PLOT.top + plotHeight;
  const parts = [
    `<text x="${PLOT.left}" y="24" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<line x1="${PLOT.left}" y1="${baseline}" x2="${WIDTH - PLOT.right}" y2="${baseline}" stroke="#333"/>`,
  ];
  panel.groups.forEach((group, g) => {
    const groupX = PLOT.left + g * groupWidth + groupWidth * 0.1;
    parts.push(
      `<text x="${groupX + groupWidth * 0.4}" y="${baseline + 20}" text-anchor="middle">${escapeXml(group)}</text>`,
    );
    panel.series.forEach((item, s) => {
      const value = item.values[g] ?? NaN;
      if (!Number.isFinite(value)) return;
      const barHeight = (value / max) * plotHeight;
      const x = groupX + s * barWidth;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${(baseline - barHeight).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${item.color}"><title>${escapeXml(`${item.name}, ${group}: ${panel.format(value)}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${(x + barWidth / 2 - 1).toFixed(1)}" y="${(baseline - barHeight - 4).toFixed(1)}" text-anchor="middle" font-size="10">${escapeXml(panel.format(value))}</text>`,
      );
    });
  });
  return parts.join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
