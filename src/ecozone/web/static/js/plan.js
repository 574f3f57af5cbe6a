// Plan matrix: measures × units or measures × districts, from the plan package's JSON
// (/api/v1/plan/matrix?by=unit|district); off-track and overdue cells stand out.
import { fetchJSON, tr } from "./common.js";

const STATUSES = ["not_started", "on_track", "at_risk", "off_track", "done", "none"];

function matrixTable(body) {
  const table = document.createElement("table");
  table.className = "matrix";
  table.dataset.by = body.by;
  const head = table.createTHead().insertRow();
  const corner = document.createElement("th");
  corner.scope = "col";
  corner.textContent = tr("plan.measure");
  head.append(corner);
  body.columns.forEach((column) => {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = column;
    head.append(th);
  });
  const tbody = table.createTBody();
  body.rows.forEach((row) => {
    const tr_ = tbody.insertRow();
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = `${row.number}. ${row.title}`;
    tr_.append(th);
    body.columns.forEach((column) => {
      const cell = row.cells[column] || { status: "none" };
      const status = STATUSES.includes(cell.status) ? cell.status : "none";
      const td = tr_.insertCell();
      td.className = `plan-${status}${cell.overdue ? " overdue" : ""}`;
      const label = tr(`plan.status.${status}`);
      td.textContent = status === "none" ? "" : tr(`plan.short.${status}`);
      const details = [label, cell.period, cell.reported_at, cell.overdue ? tr("plan.overdue") : null];
      td.title = `${column} · ${details.filter(Boolean).join(" · ")}`;
      td.setAttribute("aria-label", td.title);
    });
  });
  return table;
}

async function show(container, by) {
  try {
    const body = await fetchJSON(`${container.dataset.endpoint}?by=${by}`);
    container.replaceChildren(matrixTable(body));
  } catch (error) {
    const p = document.createElement("p");
    p.className = "empty";
    p.textContent = tr("plan.unavailable");
    container.replaceChildren(p);
  }
}

function main() {
  const container = document.getElementById("plan-matrix");
  const tabs = [...document.querySelectorAll("[data-by]")].filter((el) => el.tagName === "BUTTON");
  tabs.forEach((tab) => tab.addEventListener("click", () => {
    tabs.forEach((other) => other.setAttribute("aria-selected", String(other === tab)));
    show(container, tab.dataset.by);
  }));
  show(container, "unit");
}

main();
