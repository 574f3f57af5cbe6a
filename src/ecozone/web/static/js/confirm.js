// Forms marked data-confirm record something for good (a stage, a ledger entry, a draw...):
// each asks its question before it submits. Page scripts import this module; a module is
// evaluated once however many scripts of a page import it, so no form asks twice.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
