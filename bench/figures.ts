// The arithmetic and formatting every bench report shares: medians, per-request figures, and
// 'n/a' (never Infinity or NaN in a table) where a cell gave no figure.

/** The median of `values`, ignoring NaN (a cell with no figure); NaN when none is left. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** `value` with `digits` decimals, or 'n/a' where a cell gave no figure (NaN). */
export const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** A ratio as `1.23x`, or 'n/a'. */
export const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a');

/** CPU (or any count) per completed request; NaN, not Infinity, for a cell that completed none. */
export const perRequest = (micros: number, completed: number) => (completed > 0 ? micros / completed : NaN);

/** The value at quantile `q` (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
