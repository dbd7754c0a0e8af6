// Charts drawn with uPlot (vendored under uplot/): time series (x in Unix seconds shown in UTC) and
// bars of named counts. One chart per slot element, kept across refreshes (a new answer only
// replaces its data), with a legend that shows the values of the point or bar under the pointer.
"use strict";

const Charts = (() => {
  const COLORS = ["#1f4e99", "#1a7f37", "#cf222e", "#9a6700", "#8250df", "#bf3989", "#57606a"];
  const HEIGHT = 220;

  const utc = (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC");
  const width = (slot) => Math.max(280, slot.clientWidth);
  const number = (value) => (value === null || value === undefined ? "–" : value.toLocaleString("en-US"));

  const fromZero = () => ({ range: (chart, min, max) => [0, max > 0 ? max * 1.1 : 1] });

  /**
   * Draws `data` in `slot` with `options` (series, scales, axes), or only replaces the data of the
   * chart there when its `signature` (what the options depend on) is the same.
   */
  function draw(slot, signature, data, options) {
    if (slot.chart && slot.chart.signature === signature) {
      slot.chart.setData(data);
      return;
    }
    if (slot.chart) slot.chart.destroy();
    const common = { width: width(slot), height: HEIGHT, cursor: { drag: { x: false, y: false } } };
    slot.chart = new uPlot({ ...common, ...options }, data, slot);
    slot.chart.signature = signature;
  }

  /**
   * Draws in `slot`, or updates there, a line chart of `series` (`{label, values}`) over `xs`
   * (Unix seconds), the hovered x shown as `xLabel(x)` and the y axis labelled `unit`.
   */
  function line(slot, { xs, xLabel, series, unit }) {
    draw(slot, series.map((one) => one.label).join("|"), [xs, ...series.map((one) => one.values)], {
      tzDate: utc,
      scales: { y: fromZero() },
      series: [
        { label: "at", value: (chart, x) => (x === null ? "–" : xLabel(x)) },
        ...series.map((one, index) => ({
          label: one.label,
          stroke: COLORS[index % COLORS.length],
          width: 2,
          value: (chart, y) => number(y),
        })),
      ],
      axes: [{}, { label: unit, size: 64 }],
    });
  }

  /**
   * Draws in `slot`, or updates there, a bar chart of `values` named by `labels` (one bar each, in
   * their order), the series called `label` and the y axis labelled `unit`. Names too long for
   * their bar's width are slanted, with room below and to the right for them.
   */
  function bars(slot, { labels, values, label, unit }) {
    const xs = labels.map((_, index) => index);
    const longest = Math.max(0, ...labels.map((name) => String(name).length));
    const slant = longest * 7 > width(slot) / Math.max(1, labels.length) ? Math.min(160, longest * 5 + 20) : 0;
    const names = { splits: () => xs, values: (chart, splits) => splits.map((x) => labels[x]), grid: { show: false } };
    draw(slot, `bars|${label}|${labels.join("|")}`, [xs, values], {
      height: HEIGHT + slant,
      padding: [null, slant ? longest * 6 : null, null, null],
      scales: { x: { time: false, range: () => [-0.5, labels.length - 0.5] }, y: fromZero() },
      series: [
        { label: "of", value: (chart, x) => (x === null ? "–" : labels[x]) },
        {
          label,
          stroke: COLORS[0],
          fill: `${COLORS[0]}b3`,
          paths: uPlot.paths.bars({ size: [0.6, 80] }),
          points: { show: false },
          value: (chart, y) => number(y),
        },
      ],
      axes: [slant ? { ...names, rotate: -35, size: slant } : names, { label: unit, size: 64 }],
    });
  }

  /** Releases the charts under `root` before it is emptied. */
  function destroyIn(root) {
    for (const slot of root.querySelectorAll(".chart")) if (slot.chart) slot.chart.destroy();
  }

  window.addEventListener("resize", () => {
    for (const slot of document.querySelectorAll(".chart")) {
      if (slot.chart) slot.chart.setSize({ width: width(slot), height: slot.chart.height });
    }
  });

  return { line, bars, destroyIn };
})();
