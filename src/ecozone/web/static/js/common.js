// Shared helpers of the page scripts: the page's JSON, translations, fetching, table redraws.
// Tables arrive as {columns, rows} with display text already formatted by the server,
// so the scripts only place text into cells (textContent, never innerHTML).

const pageData = JSON.parse(document.getElementById("page-data")?.textContent || "{}");

export function data() {
  return pageData;
}

export function tr(key, params = {}) {
  const text = (pageData.texts || {})[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

export async function fetchJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return response.json();
}

function cell(row, column) {
  const td = document.createElement("td");
  td.dataset.key = column.key;
  const text = row[column.key] ?? "—";
  const href = (row._href || {})[column.key];
  if (href) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    td.append(a);
  } else {
    td.textContent = text;
  }
  return td;
}

/** Replace the body of `table` with the rows of a table JSON. */
export function renderRows(table, json) {
  const tbody = table.tBodies[0] || table.createTBody();
  const rows = json.rows.map((row) => {
    const tr_ = document.createElement("tr");
    if (row._class) tr_.className = row._class;
    json.columns.forEach((column) => tr_.append(cell(row, column)));
    return tr_;
  });
  if (rows.length === 0) {
    const empty = tbody.querySelector("tr.empty");
    const keep = empty ? empty.cloneNode(true) : null;
    tbody.replaceChildren(...(keep ? [keep] : []));
    if (!keep) {
      const tr_ = document.createElement("tr");
      tr_.className = "empty";
      const td = document.createElement("td");
      td.colSpan = json.columns.length;
      td.textContent = tr("table.empty");
      tr_.append(td);
      tbody.append(tr_);
    }
  } else {
    tbody.replaceChildren(...rows);
  }
}

export function stamp(element, ok) {
  if (!element) return;
  const now = new Date();
  const time = now.toLocaleTimeString(pageData.lang === "en" ? "en-GB" : "zh-CN", { hour12: false });
  element.textContent = ok ? tr("live.updated", { time }) : tr("live.failed");
  element.classList.toggle("failed", !ok);
}

/** Call `task` now and every `ms` milliseconds, skipping ticks while the tab is hidden. */
export function every(ms, task) {
  const run = () => {
    if (!document.hidden) task();
  };
  window.setInterval(run, ms);
}
