// Inspection, credit and disclosure pages: forms that record for good (the draw, a finding...)
// ask to confirm first (confirm.js).
import "./confirm.js";

// The field page: fill the coordinates from the phone's position, when it allows it.
for (const button of document.querySelectorAll("button[data-locate]")) {
  if (!navigator.geolocation) { button.hidden = true; continue; }
  button.addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition((position) => {
      const form = button.closest("form");
      form.elements.latitude.value = position.coords.latitude.toFixed(6);
      form.elements.longitude.value = position.coords.longitude.toFixed(6);
    });
  });
}
