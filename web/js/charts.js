// Time-series charts (vendored uPlot, global `uPlot`), fed per-bucket aggregates from
// metricsTimeseries: the browser never receives raw runs for them, however many there are.
import * as fmt from "./format.js";

const TIMESERIES = `query($agent: String, $since: DateTime!, $bucket: Int!) {
  metricsTimeseries(agent: $agent, since: $since, bucketSeconds: $bucket) {
    start count errorCount latencyP50Ms latencyP95Ms latencyP99Ms costUsd } }`;
const HEIGHT = 180;

const CHARTS = [
  { testid: "chart-latency", points: true, series: [
    { label: "p50", stroke: "#2563eb", value: (u, v) => fmt.ms(v), pick: (b) => b.latencyP50Ms },
    { label: "p95", stroke: "#d97706", value: (u, v) => fmt.ms(v), pick: (b) => b.latencyP95Ms },
    { label: "p99", stroke: "#dc2626", value: (u, v) => fmt.ms(v), pick: (b) => b.latencyP99Ms },
  ], axis: (v) => fmt.ms(v) },
  { testid: "chart-throughput", series: [
    { label: "runs", stroke: "#0f766e", fill: "rgba(15,118,110,.12)", pick: (b) => b.count },
    { label: "errors", stroke: "#dc2626", fill: "rgba(220,38,38,.15)", pick: (b) => b.errorCount },
  ], axis: (v) => fmt.int(v) },
  { testid: "chart-cost", series: [
    { label: "cost", stroke: "#7c3aed", fill: "rgba(124,58,237,.12)", value: (u, v) => fmt.usd(v),
      pick: (b) => b.costUsd ?? 0 },
  ], axis: (v) => fmt.usd(v) },
];

function build(spec, width) {
  const target = document.querySelector(`[data-testid="${spec.testid}"]`);
  const opts = {
    width, height: HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max, 1e-9) * 1.1] } },
    axes: [{}, { values: (u, values) => values.map(spec.axis), size: 64 }],
    // Latency has gaps (buckets without runs): points keep a lone bucket visible.
    series: [{}, ...spec.series.map(({ pick, ...s }) => ({
      width: 2, spanGaps: false, ...(spec.points ? { points: { show: true, size: 5 } } : {}), ...s,
    }))],
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
    for (const c of charts) c.plot.setData([xs, ...c.spec.series.map((s) => buckets.map(s.pick))]);
  };
}
