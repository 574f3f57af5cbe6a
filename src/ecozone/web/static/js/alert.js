// Alert page: the evidence chart (ECharts from /static/vendor; the alert's span shaded, the
// permit limit as a dashed line) and a confirmation dialog before every step is sent.
import { data } from "./common.js";

function drawEvidence() {
  const element = document.getElementById("evidence");
  const evidence = data().evidence;
  if (!element || !evidence) return;
  const echarts = window.echarts;
  if (!echarts) {
    document.querySelector(".chart-missing")?.removeAttribute("hidden");
    return;
  }
  const colors = ["#1f7ae0", "#e8710a", "#0b3d6e"];
  const series = evidence.series.map((s, i) => ({
    name: s.name, type: "line", data: s.points, showSymbol: s.points.length < 60,
    lineStyle: { width: 1.6 }, color: colors[i % colors.length],
  }));
  if (series.length) {
    series[0].markArea = {
      silent: true, itemStyle: { color: "rgba(217, 48, 37, 0.08)" },
      data: [[{ xAxis: evidence.span[0] }, { xAxis: evidence.span[1] }]],
    };
    if (evidence.limit !== null && evidence.limit !== undefined) {
      series[0].markLine = {
        symbol: "none", silent: true,
        data: [{ yAxis: evidence.limit, name: evidence.limit_label,
          label: { formatter: evidence.limit_label, position: "insideEndTop", color: "#b3261e" },
          lineStyle: { color: "#d93025", type: "dashed", width: 1.5 } }],
      };
    }
  }
  const limit = evidence.limit || 0;
  // the axis reaches over the data and the alert's span, so the shaded span always shows
  const times = evidence.series.flatMap((s) => s.points.map(([t]) => Date.parse(t)));
  const span = evidence.span.map((t) => Date.parse(t));
  const chart = echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    grid: { left: 56, right: 24, top: 36, bottom: 36 },
    legend: { top: 0, right: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "time", min: Math.min(...times, ...span), max: Math.max(...times, ...span) },
    yAxis: {
      type: "value", name: evidence.unit,
      max: (extent) => (limit > extent.max ? Math.ceil(limit * 1.15) : null),
    },
    series,
    aria: { enabled: true },
  });
  element.dataset.points = String(evidence.series.reduce((n, s) => n + s.points.length, 0));
  element.dataset.limit = evidence.limit ?? "";
  window.addEventListener("resize", () => chart.resize());
}

function confirmSteps() {
  const dialog = document.getElementById("confirm-step");
  if (!dialog || typeof dialog.showModal !== "function") return;
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.confirmed === "1") return;
      event.preventDefault();
      dialog.querySelector("[data-message]").textContent = form.dataset.confirm;
      dialog.returnValue = "";
      dialog.onclose = () => {
        if (dialog.returnValue === "ok") {
          form.dataset.confirmed = "1";
          form.requestSubmit();
        }
      };
      dialog.showModal();
    });
  });
}

drawEvidence();
confirmSteps();
