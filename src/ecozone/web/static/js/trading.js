// The ledger pages: every action (offer, accept, approve, allocate, surrender...) asks to
// confirm first, since a posted entry is never changed; the market page draws monthly
// volume (bars) and the volume-weighted mean price (line) with ECharts from /static/vendor.
import "./confirm.js";
import { data } from "./common.js";

function drawMarket() {
  const element = document.getElementById("market-chart");
  const chart = data().market_chart;
  if (!element || !chart) return;
  const echarts = window.echarts;
  if (!echarts) {
    document.querySelector(".chart-missing")?.removeAttribute("hidden");
    return;
  }
  const view = echarts.init(element, null, { renderer: "canvas" });
  view.setOption({
    animation: false,
    grid: { left: 64, right: 64, top: 36, bottom: 36 },
    legend: { top: 0, right: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: chart.periods },
    yAxis: [
      { type: "value", name: chart.unit },
      { type: "value", name: "¥", position: "right" },
    ],
    series: [
      { name: chart.volume_label, type: "bar", data: chart.volume, color: "#1f7ae0" },
      { name: chart.price_label, type: "line", yAxisIndex: 1, data: chart.mean_price, color: "#e8710a" },
    ],
    aria: { enabled: true },
  });
  window.addEventListener("resize", () => view.resize());
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawMarket);
} else {
  drawMarket();
}
