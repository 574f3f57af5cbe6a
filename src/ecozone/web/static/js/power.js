// Power pages: a facility's power over the day with its operating states as coloured bands
// and the off / low-load thresholds as dashed lines (ECharts from /static/vendor), and a
// confirmation before a form that replaces what is stored.
import "./confirm.js";
import { data } from "./common.js";

const STATE_COLOURS = {
  off: "rgba(217, 48, 37, 0.13)",
  idle: "rgba(242, 153, 0, 0.16)",
  running: "rgba(30, 142, 62, 0.08)",
  abnormal: "rgba(95, 99, 104, 0.18)",
};

function drawFacility(element, power) {
  const echarts = window.echarts;
  if (!echarts) {
    document.querySelector(".chart-missing")?.removeAttribute("hidden");
    return;
  }
  const chart = echarts.init(element, null, { renderer: "canvas" });
  const bands = power.runs.map((run) => [
    { xAxis: run.start, name: power.labels[run.state], itemStyle: { color: STATE_COLOURS[run.state] } },
    { xAxis: run.end },
  ]);
  const t = power.thresholds;
  chart.setOption({
    animation: false,
    grid: { left: 52, right: 20, top: 30, bottom: 48 },
    tooltip: { trigger: "axis" },
    dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 6 }],
    xAxis: { type: "time" },
    yAxis: { type: "value", name: "kW", min: 0 },
    series: [{
      name: "kW", type: "line", data: power.series, showSymbol: false, sampling: "lttb",
      connectNulls: false, lineStyle: { width: 1.3 }, color: "#1f7ae0",
      markArea: { silent: true, label: { show: false }, data: bands },
      markLine: {
        symbol: "none", silent: true,
        lineStyle: { type: "dashed", width: 1.2 },
        data: [
          { yAxis: t.off_kw, name: power.labels.off, lineStyle: { color: "#d93025" },
            label: { formatter: `${power.labels.off} ${t.off_kw.toFixed(1)}`, position: "insideEndTop" } },
          { yAxis: t.low_kw, name: power.labels.idle, lineStyle: { color: "#f29900" },
            label: { formatter: `${power.labels.idle} ${t.low_kw.toFixed(1)}`, position: "insideEndTop" } },
        ],
      },
    }],
  });
  window.addEventListener("resize", () => chart.resize());
  element.dataset.drawn = String(power.series.length);
}

const chartElement = document.getElementById("power-chart");
if (chartElement && data().power) {
  window.addEventListener("load", () => drawFacility(chartElement, data().power));
}
