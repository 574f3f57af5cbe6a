// History query page: one line per point and pollutant over the whole query (ECharts from
// /static/vendor), in the table's units and decimals; values flagged other than N are drawn
// as marked symbols. The table, the pager and the exports are plain links of the page.
import { data, fetchJSON } from "./common.js";

function option(body, texts) {
  const units = [...new Set(body.series.map((s) => s.unit).filter(Boolean))];
  return {
    animation: false,
    grid: { left: 56, right: 20, top: 46, bottom: 52 },
    legend: { top: 0, type: "scroll", textStyle: { fontSize: 11 } },
    tooltip: {
      trigger: "axis",
      valueFormatter: (value) => (value === null || value === undefined ? "—" : String(value)),
    },
    title: body.series.length ? undefined : {
      text: texts.no_data, left: "center", top: "middle", textStyle: { color: "#8a94a0", fontSize: 13 },
    },
    dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 6 }],
    xAxis: { type: "time" },
    yAxis: { type: "value", name: units.length === 1 ? units[0] : "", nameTextStyle: { align: "left" } },
    series: body.series.map((s) => ({
      name: s.name,
      type: "line",
      showSymbol: false,
      sampling: "lttb",
      lineStyle: { width: 1.4 },
      data: s.data.map(([time, value, flag]) =>
        flag && flag !== "N"
          ? { value: [time, value], symbol: "triangle", symbolSize: 7, itemStyle: { color: "#d93025" } }
          : [time, value]),
    })),
  };
}

async function main() {
  const element = document.getElementById("query-chart");
  const page = data();
  if (!element || !page.series) return;
  if (!window.echarts) {
    document.querySelector(".chart-missing")?.removeAttribute("hidden");
    return;
  }
  const texts = page.chart_texts || {};
  const chart = window.echarts.init(element, null, { renderer: "canvas" });
  window.addEventListener("resize", () => chart.resize());
  chart.showLoading();
  try {
    const body = await fetchJSON(page.series);
    chart.setOption(option(body, texts), true);
    if (body.capped) {
      const note = document.querySelector(".chart-capped");
      note.textContent = texts.capped;
      note.removeAttribute("hidden");
    }
    element.dataset.values = String(body.series.reduce((n, s) => n + s.data.length, 0));
  } finally {
    chart.hideLoading();
  }
}

if (document.readyState === "loading") {
  window.addEventListener("DOMContentLoaded", main);
} else {
  main();
}
