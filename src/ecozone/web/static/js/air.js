// Air pages: the stations on the zone map coloured by their AQI level (HJ 633 Annex A
// colours, sent by the server), and a station's hourly and daily AQI charts (ECharts) from
// the JSON the page carries. Leaflet and ECharts are classic scripts from /static/vendor.
import { fetchJSON } from "./common.js";

const NO_AQI = "#b8c0c8";

function tooltipFor(s) {
  const box = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = `${s.code} ${s.name}`;
  const lines = [s.district || "", s.aqi === null ? "AQI —" : `AQI ${s.aqi} · ${s.category}`];
  if (s.primary) lines.push(s.primary);
  if (s.hour) lines.push(s.hour);
  box.append(title, ...lines.map((line) => {
    const div = document.createElement("div");
    div.textContent = line;
    return div;
  }));
  return box;
}

async function drawMap(element) {
  const L = window.L;
  if (!L) {
    document.querySelector(".map-missing")?.removeAttribute("hidden");
    return;
  }
  const map = L.map(element, { zoomSnap: 0.25, minZoom: 8, maxZoom: 16 });
  map.attributionControl.setPrefix(false);
  const geojson = await (await fetch(element.dataset.geojson)).json();
  const outlines = L.geoJSON(geojson, {
    style: () => ({ color: "#7c9cc0", weight: 1.2, dashArray: "4 3", fillColor: "#eef3f8", fillOpacity: 0.6 }),
  }).addTo(map);
  map.fitBounds(outlines.getBounds(), { padding: [8, 8] });
  const { stations } = await fetchJSON(element.dataset.endpoint);
  stations.forEach((s) => {
    const marker = L.circleMarker([s.lat, s.lon], {
      radius: 11, color: "#33475b", weight: 1.5, fillColor: s.colour || NO_AQI, fillOpacity: 0.95,
      className: `air-marker aqi-${s.level ?? "none"}`,
    });
    marker.bindTooltip(tooltipFor(s), { direction: "top", offset: [0, -8] });
    marker.on("click", () => { window.location.href = s.href; });
    marker.addTo(map);
  });
  element.dataset.stations = String(stations.length);
}

function chartOption(series, kind) {
  const hourly = kind === "hourly";
  const bars = series.aqi.map((value, i) => ({ value: [series.times[i], value], itemStyle: { color: series.colours[i] || NO_AQI } }));
  const lines = Object.entries(series.iaqi)
    .filter(([, values]) => values.some((v) => v !== null))
    .map(([name, values]) => ({
      name: `IAQI ${name}`, type: "line", showSymbol: false, connectNulls: false,
      data: values.map((v, i) => [series.times[i], v]), lineStyle: { width: 1.2 },
    }));
  return {
    animation: false,
    grid: { left: 48, right: 18, top: 36, bottom: 50 },
    legend: { top: 0, right: 0, type: "scroll", textStyle: { fontSize: 11 } },
    tooltip: { trigger: "axis" },
    dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 6 }],
    xAxis: { type: "time" },
    yAxis: { type: "value", name: "AQI", min: 0 },
    series: [{ name: "AQI", type: "bar", data: bars, barMaxWidth: hourly ? 8 : 18 }, ...(hourly ? lines : [])],
    aria: { enabled: true },
  };
}

function drawCharts(source) {
  const echarts = window.echarts;
  if (!echarts) {
    document.querySelector(".chart-missing")?.removeAttribute("hidden");
    return;
  }
  const charts = JSON.parse(source.textContent);
  document.querySelectorAll("[data-air-chart]").forEach((element) => {
    const kind = element.dataset.airChart;
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(chartOption(charts[kind], kind));
    element.dataset.points = String(charts[kind].aqi.filter((v) => v !== null).length);
    window.addEventListener("resize", () => chart.resize());
  });
}

function main() {
  const mapElement = document.getElementById("air-map");
  if (mapElement) drawMap(mapElement);
  const charts = document.getElementById("air-charts");
  if (charts) drawCharts(charts);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
else main();
