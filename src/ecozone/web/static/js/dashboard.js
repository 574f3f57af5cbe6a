// Dashboard and public page: draw the map, then refresh the map and every live panel
// from their JSON endpoints every 10 s without reloading the page.
import { data, every, fetchJSON, renderRows, stamp } from "./common.js";
import { createMap } from "./map.js";

const REFRESH_MS = data().refresh_ms || 10000;

function setKpi(name, value) {
  document.querySelectorAll(`[data-kpi="${name}"]`).forEach((el) => {
    el.textContent = value;
  });
}

function showCounts(mapData) {
  let total = 0;
  Object.entries(mapData.counts).forEach(([state, n]) => {
    total += n;
    setKpi(state, n);
    document.querySelectorAll(`[data-count="${state}"]`).forEach((el) => {
      el.textContent = n;
    });
  });
  setKpi("points", total);
}

async function refreshPanel(panel) {
  try {
    const json = await fetchJSON(panel.dataset.live);
    renderRows(panel.querySelector("table.data"), json);
    if (panel.dataset.kpiCount) setKpi(panel.dataset.kpiCount, json.count);
    if (panel.dataset.kpiSummary) setKpi(panel.dataset.kpiSummary, json.summary === "—" ? "—" : `${json.summary}%`);
    stamp(panel.querySelector("[data-updated]"), true);
  } catch (error) {
    stamp(panel.querySelector("[data-updated]"), false);
  }
}

async function main() {
  const element = document.getElementById("map");
  const first = data().map;
  const view = element ? await createMap(element, first?.focus_district) : null;
  if (view && first) view.update(first);
  const stampMap = document.querySelector("[data-map-updated]");
  stamp(stampMap, true);
  const panels = [...document.querySelectorAll("[data-live]")];
  panels.forEach((panel) => stamp(panel.querySelector("[data-updated]"), true));
  every(REFRESH_MS, async () => {
    if (element) {
      try {
        const mapData = await fetchJSON(element.dataset.endpoint);
        if (view) view.update(mapData);
        showCounts(mapData);
        stamp(stampMap, true);
      } catch (error) {
        stamp(stampMap, false);
      }
    }
    panels.forEach(refreshPanel);
  });
}

if (document.readyState === "loading") {
  window.addEventListener("DOMContentLoaded", main);
} else {
  main();
}
