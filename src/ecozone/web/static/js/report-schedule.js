// The statistical reports page: generating keeps a period's report for good and unsubscribing
// stops the notices, so those forms ask to confirm first.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
