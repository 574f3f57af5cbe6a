// Point page: real-time and minute charts (ECharts, window.echarts from /static/vendor) of
// the chosen pollutant, with the permit limits in force drawn as dashed lines.
import { data, fetchJSON, tr } from "./common.js";

const charts = new Map();

function option(series, kindLabel) {
  const measured = series.data.map(([time, value]) => [time, value]);
  const converted = series.data.map(([time, , zs]) => [time, zs]);
  const main = series.converted ? 1 : 0;
  const limitLines = series.limits.map((limit) => ({
    yAxis: limit.value,
    name: limit.label,
    label: { formatter: limit.label, position: "insideEndTop", color: "#b3261e" },
    lineStyle: { color: "#d93025", type: "dashed", width: 1.5 },
  }));
  const highestLimit = Math.max(0, ...series.limits.map((l) => l.value));
  const lines = [
    { name: tr("chart.measured"), type: "line", data: measured, showSymbol: false, sampling: "lttb",
      lineStyle: { width: 1.4 }, color: "#1f7ae0" },
  ];
  if (series.converted) {
    lines.push({ name: tr("chart.converted"), type: "line", data: converted, showSymbol: false,
      sampling: "lttb", lineStyle: { width: 1.4 }, color: "#0b3d6e" });
  }
  if (limitLines.length) {
    lines[main].markLine = { symbol: "none", silent: true, data: limitLines };
  }
  return {
    animation: false,
    grid: { left: 52, right: 20, top: 34, bottom: 48 },
    legend: { top: 0, right: 0, textStyle: { fontSize: 11 } },
    tooltip: { trigger: "axis" },
    title: series.data.length ? undefined : {
      text: tr("chart.no_data"), left: "center", top: "middle", textStyle: { color: "#8a94a0", fontSize: 13 },
    },
    dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 6 }],
    xAxis: { type: "time" },
    yAxis: {
      type: "value",
      name: `${series.name} ${series.unit}`.trim(),
      nameTextStyle: { align: "left" },
      max: (extent) => (highestLimit > extent.max ? Math.ceil(highestLimit * 1.1) : null),
    },
    series: lines,
    aria: { enabled: true, label: { description: `${kindLabel}: ${series.name}` } },
  };
}

async function draw(element, pollutant, hours) {
  const echarts = window.echarts;
  if (!echarts) {
    document.querySelector(".chart-missing")?.removeAttribute("hidden");
    return;
  }
  const chart = charts.get(element) || echarts.init(element, null, { renderer: "canvas" });
  charts.set(element, chart);
  const url = `${element.dataset.endpoint}?${new URLSearchParams({ kind: element.dataset.kind, pollutant, hours })}`;
  chart.showLoading();
  try {
    const series = await fetchJSON(url);
    chart.setOption(option(series, element.getAttribute("aria-label")), true);
    element.dataset.points = String(series.data.length);
  } finally {
    chart.hideLoading();
  }
}

function main() {
  const pollutantSelect = document.querySelector("[data-chart-pollutant]");
  const hoursSelect = document.querySelector("[data-chart-hours]");
  const elements = [...document.querySelectorAll(".chart[data-kind]")];
  if (!pollutantSelect || elements.length === 0) return;
  const redraw = () => elements.forEach((el) => draw(el, pollutantSelect.value || data().default_pollutant, hoursSelect.value));
  pollutantSelect.addEventListener("change", redraw);
  hoursSelect.addEventListener("change", redraw);
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
  redraw();
}

if (document.readyState === "loading") {
  window.addEventListener("DOMContentLoaded", main);
} else {
  main();
}
