// Time-series charts drawn with uPlot (vendored under uplot/): one chart per slot element, kept
// across refreshes (a new answer only replaces its data), x in Unix seconds shown in UTC, and a
// legend that shows the values of the point under the pointer.
"use strict";

const Charts = (() => {
  const COLORS = ["#1f4e99", "#1a7f37", "#cf222e", "#9a6700", "#8250df", "#bf3989", "#57606a"];
  const HEIGHT = 220;

  const utc = (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC");
  const width = (slot) => Math.max(280, slot.clientWidth);
  const number = (value) => (value === null || value === undefined ? "–" : value.toLocaleString("en-US"));

  /**
   * Draws in `slot`, or updates there, a line chart of `series` (`{label, values}`) over `xs`
   * (Unix seconds), the hovered x shown as `xLabel(x)` and the y axis labelled `unit`.
   */
  function line(slot, { xs, xLabel, series, unit }) {
    const data = [xs, ...series.map((one) => one.values)];
    const signature = series.map((one) => one.label).join("|");
    if (slot.chart && slot.chart.signature === signature) {
      slot.chart.setData(data);
      return;
    }
    if (slot.chart) slot.chart.destroy();
    const options = {
      width: width(slot),
      height: HEIGHT,
      tzDate: utc,
      scales: { y: { range: (chart, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
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
      cursor: { drag: { x: false, y: false } },
    };
    slot.chart = new uPlot(options, data, slot);
    slot.chart.signature = signature;
  }

  /** Releases the charts under `root` before it is emptied. */
  function destroyIn(root) {
    for (const slot of root.querySelectorAll(".chart")) if (slot.chart) slot.chart.destroy();
  }

  window.addEventListener("resize", () => {
    for (const slot of document.querySelectorAll(".chart")) {
      if (slot.chart) slot.chart.setSize({ width: width(slot), height: HEIGHT });
    }
  });

  return { line, destroyIn };
})();
