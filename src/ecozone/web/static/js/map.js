// The zone map: schematic district outlines (shipped GeoJSON, no tiles) and the points
// coloured by live state. Leaflet is a classic script from /static/vendor (window.L).
import { tr } from "./common.js";

const STATE_COLOURS = {
  normal: "#2e9d5b",
  exceeding: "#d93025",
  offline: "#8a94a0",
  fault: "#e69b00",
};

function tooltipFor(p) {
  const box = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = `${p.code} ${p.name}`;
  const lines = [
    p.enterprise,
    `${p.district} · ${p.kind_label}`,
    `${p.state_label}${p.latest_time ? ` · ${tr("col.latest_time")} ${p.latest_time}` : ""}`,
  ];
  if (p.approximate) lines.push(tr("map.approximate"));
  box.append(title, ...lines.map((line) => {
    const div = document.createElement("div");
    div.textContent = line;
    return div;
  }));
  return box;
}

function markerFor(L, p) {
  const options = { title: `${p.code} ${p.name}`, riseOnHover: true, keyboard: true };
  let marker;
  if (p.kind === "ambient_air") {
    const icon = L.divIcon({ className: `point-marker station-icon state-${p.state}`, iconSize: [14, 14] });
    marker = L.marker([p.lat, p.lon], { ...options, icon });
  } else {
    marker = L.circleMarker([p.lat, p.lon], {
      radius: p.state === "exceeding" ? 9 : 7,
      color: "#ffffff",
      weight: 2,
      fillColor: STATE_COLOURS[p.state] || "#555",
      fillOpacity: 0.95,
      className: `point-marker state-${p.state}`,
    });
  }
  marker.bindTooltip(tooltipFor(p), { direction: "top", offset: [0, -6] });
  marker.on("click", () => {
    window.location.href = p.href;
  });
  marker.on("keypress", (event) => {
    if (event.originalEvent.key === "Enter") window.location.href = p.href;
  });
  return marker;
}

// A district supervisor's map opens on their district (`focus`, its name in the GeoJSON).
export async function createMap(element, focus = null) {
  const L = window.L;
  if (!L) {
    document.querySelector(".map-missing")?.removeAttribute("hidden");
    return null;
  }
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: true, minZoom: 8, maxZoom: 16 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(tr("map.schematic"));
  const geojson = await (await fetch(element.dataset.geojson)).json();
  const outlines = L.geoJSON(geojson, {
    style: () => ({ color: "#7c9cc0", weight: 1.2, dashArray: "4 3", fillColor: "#dbe8f5", fillOpacity: 0.55 }),
    onEachFeature: (feature, layer) => {
      const name = document.documentElement.lang === "en" ? feature.properties.name_en : feature.properties.name;
      layer.bindTooltip(name, { permanent: true, direction: "center", className: "district-label" });
    },
  }).addTo(map);
  const own = focus ? outlines.getLayers().find((l) => l.feature.properties.name === focus) : null;
  map.fitBounds((own ?? outlines).getBounds(), { padding: [8, 8] });
  element.dataset.focus = own ? focus : "";
  const points = L.layerGroup().addTo(map);
  return {
    map,
    update(data) {
      points.clearLayers();
      data.points.forEach((p) => points.addLayer(markerFor(L, p)));
    },
  };
}
