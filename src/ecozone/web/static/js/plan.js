// Plan matrix: measures × units or measures × districts, from the plan package's JSON
// (/api/v1/plan/matrix?by=unit|district); off-track and overdue cells stand out.
import { fetchJSON, tr } from "./common.js";

const STATUSES = ["not_started", "on_track", "at_risk", "off_track", "done", "none"];

// A cell's words are the legend's words (plan.status.*, plan.overdue, plan.not_involved):
// the status reported, else 逾期未报 when a report is owed, else 未报告.
function cellText(cell, status) {
  if (!cell.responsible) return tr("plan.not_involved");
  if (status !== "none") return tr(`plan.status.${status}`);
  return cell.overdue ? tr("plan.overdue") : tr("plan.status.none");
}

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
    tr_.dataset.measure = row.number;
    const th = document.createElement("th");
    th.scope = "row";
    const title = document.createElement("a");
    title.href = `/plan/measures/${row.number}`;
    title.textContent = `${row.number}. ${row.title}`;
    th.append(title);
    tr_.append(th);
    body.columns.forEach((column) => {
      const cell = row.cells[column] || { status: "none", responsible: false };
      const status = STATUSES.includes(cell.status) ? cell.status : "none";
      const td = tr_.insertCell();
      td.dataset.column = column;
      const text = cellText(cell, status);
      td.title = `${column} · ${[text, cell.period, cell.reported_at].filter(Boolean).join(" · ")}`;
      if (!cell.responsible) {
        td.className = "plan-not_involved";
        td.setAttribute("aria-label", td.title);
        return;
      }
      td.className = `plan-${status}${cell.overdue ? " overdue" : ""}`;
      const link = document.createElement("a");
      link.href = `/plan/measures/${row.number}`;
      link.textContent = text;
      link.setAttribute("aria-label", td.title);
      td.append(link);
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
