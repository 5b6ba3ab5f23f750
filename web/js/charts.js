// Time-series charts (vendored uPlot, global `uPlot`), fed per-bucket aggregates from
// metricsTimeseries: the browser never receives raw runs for them, however many there are.
// Latency is drawn as lines broken only at buckets without runs (null), with a dot for a bucket
// that has no neighbour to join; p50 is widest and drawn first, p99 thinnest and last, so equal
// percentiles stay visible as nested lines. The legend shows the latest bucket's values unless
// the pointer is on the chart.
import * as fmt from "./format.js";

const TIMESERIES = `query($agent: String, $since: DateTime!, $bucket: Int!) {
  metricsTimeseries(agent: $agent, since: $since, bucketSeconds: $bucket) {
    start count errorCount latencyP50Ms latencyP95Ms latencyP99Ms costUsd } }`;
const HEIGHT = 180;

const CHARTS = [
  { testid: "chart-latency", points: true, series: [
    { label: "p50", stroke: "#2563eb", width: 5, value: (u, v) => fmt.ms(v), pick: (b) => b.latencyP50Ms },
    { label: "p95", stroke: "#d97706", width: 3, value: (u, v) => fmt.ms(v), pick: (b) => b.latencyP95Ms },
    { label: "p99", stroke: "#dc2626", width: 1.5, value: (u, v) => fmt.ms(v), pick: (b) => b.latencyP99Ms },
  ], axis: (v) => fmt.ms(v) },
  { testid: "chart-throughput", series: [
    { label: "runs", stroke: "#0f766e", fill: "rgba(15,118,110,.12)", pick: (b) => b.count },
    { label: "errors", stroke: "#dc2626", fill: "rgba(220,38,38,.15)", pick: (b) => b.errorCount },
  ], axis: (v) => fmt.int(v) },
  { testid: "chart-cost", series: [
    { label: "cost", stroke: "#7c3aed", fill: "rgba(124,58,237,.12)", value: (u, v) => fmt.usd(v),
      pick: (b) => (b.count === 0 ? 0 : b.costUsd) },  // all unpriced: a gap, never $0
  ], axis: (v) => fmt.usd(v) },
];

/** Indexes of values with no non-null neighbour: a line cannot show them, a dot can. */
function isolated(u, seriesIdx) {
  const ys = u.data[seriesIdx];
  const out = [];
  for (let i = 0; i < ys.length; i++) {
    if (ys[i] != null && ys[i - 1] == null && ys[i + 1] == null) out.push(i);
  }
  return out;
}

/** The last bucket with a value in any series (what the legend shows at rest). */
function latestIndex(u) {
  for (let i = u.data[0].length - 1; i >= 0; i--) {
    if (u.data.slice(1).some((ys) => ys[i] != null)) return i;
  }
  return null;
}

function build(spec, width) {
  const target = document.querySelector(`[data-testid="${spec.testid}"]`);
  let resting = false;  // guards the legend hook against its own setLegend call
  const opts = {
    width, height: HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max ?? 0, 1e-9) * 1.1] } },
    axes: [{}, { values: (u, values) => values.map(spec.axis), size: 64 }],
    // Null (a bucket without runs) breaks the line; never joined across it.
    series: [{}, ...spec.series.map(({ pick, ...s }) => ({
      width: 2, spanGaps: false,
      ...(spec.points ? { points: { show: true, size: 7, filter: isolated } } : {}), ...s,
    }))],
    hooks: {
      setLegend: [(u) => {
        if (resting || u.cursor.idx != null) return;
        const idx = latestIndex(u);
        if (idx == null) return;
        resting = true;
        u.setLegend({ idx });
        resting = false;
      }],
    },
  };
  return { spec, target, plot: new uPlot(opts, [[], ...spec.series.map(() => [])], target) };
}

export function createCharts() {
  const charts = CHARTS.map((spec) => {
    const holder = document.querySelector(`[data-testid="${spec.testid}"]`);
    return build(spec, Math.max(240, holder.clientWidth));
  });
  const resize = new ResizeObserver(() => {
    for (const c of charts) c.plot.setSize({ width: Math.max(240, c.target.clientWidth), height: HEIGHT });
  });
  for (const c of charts) resize.observe(c.target);

  return async function refresh(gql, filters) {
    const data = await gql(TIMESERIES, {
      agent: filters.agent, since: filters.since(), bucket: filters.bucketSeconds(),
    });
    const buckets = data.metricsTimeseries;
    const xs = buckets.map((b) => Date.parse(b.start) / 1000);
    for (const c of charts) {
      c.plot.setData([xs, ...c.spec.series.map((s) => buckets.map(s.pick))]);
      if (c.plot.cursor.idx == null) c.plot.setLegend({ idx: latestIndex(c.plot) });
      // For tests and curious readers: what was drawn.
      c.target.dataset.buckets = String(xs.length);
      c.target.dataset.gaps = String(buckets.filter((b) => b.count === 0).length);
    }
  };
}
