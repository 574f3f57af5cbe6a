// The campaign page: the draw is final, so its form asks to confirm first.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

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
