// The zoning maps: the layers in force drawn as vectors on a plain background (no tiles),
// switchable in Leaflet's layer control, with risk sources and resources as points; the
// check page adds the point checked. Leaflet is a classic script from /static/vendor.
import "./confirm.js";
import { data } from "./common.js";

const STYLES = {
  red_line: { color: "#c62828", weight: 2, fillColor: "#ef9a9a", fillOpacity: 0.45 },
  control_unit: { color: "#1565c0", weight: 1.2, fillColor: "#bbdefb", fillOpacity: 0.25 },
  park: { color: "#6a1b9a", weight: 1.5, dashArray: "5 4", fill: false },
  shoreline: { color: "#0288d1", weight: 3 },
};
const ORDER = ["control_unit", "park", "red_line", "shoreline"];

function label(feature) {
  const p = feature.properties;
  return `${p.name}（${p.key}）`;
}

async function draw(element) {
  const L = window.L;
  const page = data();
  if (!L || !page.map_src) return;
  const map = L.map(element, { zoomSnap: 0.25, minZoom: 5, maxZoom: 18 });
  map.attributionControl.setPrefix(false);
  const answer = await (await fetch(page.map_src)).json();
  const overlays = {};
  const bounds = L.latLngBounds([]);
  for (const kind of ORDER) {
    const layer = L.geoJSON(answer.layers[kind], {
      style: () => STYLES[kind],
      onEachFeature: (feature, shape) => shape.bindTooltip(label(feature)),
    }).addTo(map);
    if (layer.getLayers().length) bounds.extend(layer.getBounds());
    overlays[answer.names[kind]] = layer;
  }
  const POINT_COLOURS = { risk_source: "#e65100", resource: "#2e7d32", soil_site: "#6d4c41" };
  for (const kind of ["risk_source", "resource", "soil_site"]) {
    const points = answer.points.features.filter((f) => f.properties.layer === kind);
    const layer = L.geoJSON({ type: "FeatureCollection", features: points }, {
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
        radius: 6, weight: 2, color: "#fff",
        fillColor: POINT_COLOURS[kind], fillOpacity: 0.95,
      }).bindTooltip(feature.properties.name),
    }).addTo(map);
    if (points.length) bounds.extend(layer.getBounds());
    overlays[answer.names[kind]] = layer;
  }
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  if (page.point) bounds.extend(page.point);
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
  else map.setView([29.66, 106.8], 11);
  if (page.point) {
    // A permanent tooltip needs the map's view, so the point comes after it is set.
    L.circleMarker(page.point, { radius: 8, color: "#000", weight: 2, fillColor: "#ffeb3b", fillOpacity: 1 })
      .addTo(map)
      .bindTooltip(`${page.point[1]}, ${page.point[0]} ${page.point_label || ""}`, { permanent: true });
  }
  // On the check page a click on the map fills in the point to check.
  const lon = document.querySelector('form[action="/zoning/check"] input[name="lon"]');
  const lat = document.querySelector('form[action="/zoning/check"] input[name="lat"]');
  if (lon && lat) {
    map.on("click", (event) => {
      lon.value = event.latlng.lng.toFixed(6);
      lat.value = event.latlng.lat.toFixed(6);
    });
  }
  element.dataset.ready = "1";
}

const element = document.getElementById("zoning-map");
if (element) window.addEventListener("load", () => draw(element));
