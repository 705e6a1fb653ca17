/**
 * Teams' Adaptive Card chart elements (Chart.Donut, Chart.VerticalBar, Chart.HorizontalBar.Stacked),
 * built as plain objects with the property names the Teams renderer reads.
 *
 * Templates do not contain the charts themselves: the `adaptivecards` SDK, older clients and the card
 * test do not know these element types. A template holds a placeholder (a Container with a text
 * summary and an id such as `chart-funnel`); `withCharts` puts the chart in its place with the
 * placeholder as the chart's `fallback`, so a client without charts shows the summary instead.
 *
 * The Teams renderer refuses a whole card when a bar chart has no data or more than four entries
 * (bars, or rows of a stacked chart), so the builders here return nothing for empty data and the
 * callers split longer lists (`chunk`).
 */
import { type CardJson, MAX_CARD_BYTES } from './render';

/** Colour names the chart renderer knows (a subset: the ones the dashboards use). */
export type ChartColor =
  | 'good'
  | 'warning'
  | 'attention'
  | 'neutral'
  | 'categoricalBlue'
  | 'categoricalLightBlue'
  | 'categoricalTeal'
  | 'categoricalPurple'
  | 'categoricalMarigold';

/** Most entries a bar chart may have before the renderer rejects the card. */
export const MAX_BAR_ENTRIES = 4;

export interface Slice {
  legend: string;
  value: number;
  color?: ChartColor;
}

export type ChartElement = Record<string, unknown> & { type: `Chart.${string}` };

/** A donut of the non-zero slices; undefined when every slice is 0 (an empty ring says nothing). */
export function donutChart(title: string, slices: readonly Slice[]): ChartElement | undefined {
  const data = slices.filter((s) => s.value > 0).map((s) => ({ ...s }));
  if (data.length === 0) return undefined;
  return { type: 'Chart.Donut', title, data };
}

export interface Bar {
  x: string;
  y: number;
  color?: ChartColor;
}

/** Vertical bars, at most MAX_BAR_ENTRIES; undefined without bars. */
export function verticalBarChart(
  title: string,
  bars: readonly Bar[],
  axes: { x?: string; y?: string } = {},
): ChartElement | undefined {
  if (bars.length === 0) return undefined;
  if (bars.length > MAX_BAR_ENTRIES)
    throw new RangeError(`a vertical bar chart takes at most ${MAX_BAR_ENTRIES} bars`);
  return {
    type: 'Chart.VerticalBar',
    title,
    ...(axes.x ? { xAxisTitle: axes.x } : {}),
    ...(axes.y ? { yAxisTitle: axes.y } : {}),
    showBarValues: true,
    data: bars.map((b) => ({ ...b })),
  };
}

export interface StackedRow {
  title: string;
  data: readonly Slice[];
}

/** Rows of stacked segments, at most MAX_BAR_ENTRIES rows; zero segments are left out. */
export function stackedBarChart(title: string, rows: readonly StackedRow[]): ChartElement | undefined {
  if (rows.length === 0) return undefined;
  if (rows.length > MAX_BAR_ENTRIES)
    throw new RangeError(`a stacked bar chart takes at most ${MAX_BAR_ENTRIES} rows`);
  return {
    type: 'Chart.HorizontalBar.Stacked',
    title,
    data: rows.map((r) => ({
      title: r.title,
      data: r.data.filter((s) => s.value > 0).map((s) => ({ ...s })),
    })),
  };
}

/** Splits a list into runs of at most `size` (for charts that take only a few rows). */
export function chunk<T>(items: readonly T[], size: number = MAX_BAR_ENTRIES): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Replaces each placeholder element whose id is a key of `charts` by that chart, with the placeholder
 * (without its id) as the chart's fallback. Placeholders without a chart stay as they are, so the
 * summary still shows. Checks the size budget again, since charts add to the card.
 */
export function withCharts(
  card: CardJson,
  charts: Readonly<Record<string, ChartElement | undefined>>,
): CardJson {
  const swap = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(swap);
    if (!node || typeof node !== 'object') return node;
    const element = node as Record<string, unknown>;
    const id = typeof element.id === 'string' ? element.id : undefined;
    const chart = id !== undefined ? charts[id] : undefined;
    if (chart) {
      const { id: _id, ...placeholder } = element;
      return { ...chart, id, fallback: placeholder };
    }
    return Object.fromEntries(Object.entries(element).map(([k, v]) => [k, swap(v)]));
  };
  const out = swap(card) as CardJson;
  const bytes = Buffer.byteLength(JSON.stringify(out), 'utf8');
  if (bytes > MAX_CARD_BYTES)
    throw new Error(`card is ${bytes} bytes with its charts, over the ${MAX_CARD_BYTES} allowed`);
  return out;
}
