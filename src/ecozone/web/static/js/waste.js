// Waste pages: the flow chart generator → receiver as an ECharts Sankey (from /static/vendor),
// and a confirmation before a ledger record, which cannot be changed once made.
import "./confirm.js";
import { data } from "./common.js";

function drawSankey(element, sankey) {
  if (!sankey.links.length) {
    document.querySelector(".flows-none")?.removeAttribute("hidden");
    element.setAttribute("hidden", "");
    return;
  }
  if (!window.echarts) {
    document.querySelector(".chart-missing")?.removeAttribute("hidden");
    return;
  }
  const chart = window.echarts.init(element, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "item", valueFormatter: (value) => `${value} t` },
    series: [{
      type: "sankey", data: sankey.nodes, links: sankey.links, left: 10, right: 160,
      emphasis: { focus: "adjacency" }, lineStyle: { color: "gradient", curveness: 0.5 },
      label: { fontSize: 12 },
    }],
  });
  element.dataset.drawn = String(sankey.links.length);
  window.addEventListener("resize", () => chart.resize());
}

const target = document.getElementById("waste-sankey");
if (target) {
  const start = () => drawSankey(target, data().sankey || { nodes: [], links: [] });
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
}
