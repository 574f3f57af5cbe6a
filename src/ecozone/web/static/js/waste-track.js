// The manifest's carrier leg on a Leaflet map (no tiles, a plain background): the declared
// route in blue, the vehicle's track in grey, the stretches of a deviation in red and each
// long stop as an orange dot, the consignor and receiver as black rings. The page's JSON
// (`leg`) carries the route, the track and the findings with their first and last point.
import { data } from "./common.js";

const STYLE = {
  route: { color: "#1565c0", weight: 4, opacity: 0.8 },
  track: { color: "#616161", weight: 2, opacity: 0.9 },
  deviation: { color: "#c62828", weight: 5, opacity: 0.95 },
  stop: { radius: 9, color: "#fff", weight: 2, fillColor: "#ef6c00", fillOpacity: 0.95 },
  end: { radius: 6, color: "#000", weight: 2, fillColor: "#fff", fillOpacity: 1 },
};

function draw(element) {
  const L = window.L;
  const page = data();
  const leg = page.leg;
  const texts = page.leg_texts || {};
  if (!L || !leg) return;
  const map = L.map(element, { zoomSnap: 0.25, maxZoom: 19 });
  map.attributionControl.setPrefix(false);
  const bounds = L.latLngBounds([]);
  const latlngs = (points) => points.map((p) => [p.lat ?? p[1], p.lon ?? p[0]]);
  let drawn = 0;
  if (leg.route) {
    const line = L.polyline(latlngs(leg.route), STYLE.route).addTo(map);
    line.bindTooltip(texts["waste.route_declared"] || "route");
    bounds.extend(line.getBounds());
  }
  if (leg.track.length) {
    const line = L.polyline(latlngs(leg.track), STYLE.track).addTo(map);
    line.bindTooltip(texts["waste.track"] || "track");
    bounds.extend(line.getBounds());
  }
  for (const end of leg.ends || []) {
    L.circleMarker([end[1], end[0]], STYLE.end).addTo(map);
  }
  for (const f of leg.findings) {
    const label = `${texts[`waste.finding.${f.kind}`] || f.kind} ${f.start.replace("T", " ")}–${f.end.slice(11)}`
      + (f.max_distance_m != null ? ` · ${Math.round(f.max_distance_m)} m` : ` · ${f.minutes} min`);
    if (f.kind === "deviation") {
      // the stretch off the route, from the point before it to the point after it
      const from = Math.max(0, f.first - 1);
      const to = Math.min(leg.track.length, f.last + 2);
      L.polyline(latlngs(leg.track.slice(from, to)), STYLE.deviation)
        .addTo(map).bindTooltip(label);
    } else {
      L.circleMarker([f.lat, f.lon], STYLE.stop).addTo(map).bindTooltip(label);
    }
    drawn += 1;
  }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16] });
  else map.setView([29.66, 106.8], 11);
  element.dataset.findings = String(drawn);
  element.dataset.ready = "1";
}

const element = document.getElementById("waste-track-map");
if (element) {
  if (document.readyState === "complete") draw(element);
  else window.addEventListener("load", () => draw(element));
}
