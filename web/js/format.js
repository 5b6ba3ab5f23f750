// Number and time formatting for cards, tables and charts; null/undefined shows as "—".
// A number and its unit are joined by a no-break space, so a unit never wraps onto a line alone.
const DASH = "—";
const NBSP = "\u00a0";

export function ms(value) {
  if (value == null) return DASH;
  return value < 1000 ? `${Math.round(value)}${NBSP}ms` : `${(value / 1000).toFixed(2)}${NBSP}s`;
}

/**
 * A money total with its unpriced count (never a silent $0): all unpriced -> "unpriced (n)",
 * partly priced -> "$x + n unpriced", otherwise the amount.
 */
export function cost(value, unpriced = 0) {
  if (unpriced > 0 && value == null) return `unpriced (${int(unpriced)})`;
  if (unpriced > 0) return `${usd(value)} + ${int(unpriced)} unpriced`;
  return usd(value);
}

export function usd(value) {
  if (value == null) return DASH;
  if (value === 0) return "$0";
  const abs = Math.abs(value);
  const options = abs >= 0.01
    ? { minimumFractionDigits: abs >= 100 ? 0 : 2, maximumFractionDigits: abs >= 100 ? 0 : abs >= 1 ? 2 : 4 }
    : { maximumSignificantDigits: 2 };  // tiny per-run costs: $0.000037, not $0.0000
  return `$${value.toLocaleString("en-US", options)}`;
}

export function int(value) {
  return value == null ? DASH : Math.round(value).toLocaleString("en-US");
}

export function pct(fraction) {
  return fraction == null ? DASH : `${(fraction * 100).toFixed(1)}${NBSP}%`;
}

/** Local time; the date too when asked or when it is not today. */
export function time(iso, withDate = false) {
  if (!iso) return DASH;
  const date = new Date(iso);
  const today = date.toDateString() === new Date().toDateString();
  return withDate || !today ? date.toLocaleString() : date.toLocaleTimeString();
}
