// Saving the unsent records as a file, for a phone that will not see signal again.
import { put } from "./db.js";
import { KIND_LABELS, STATE_LABELS, isUnsent, needsAction, records } from "./outbox.js";

const COLUMNS = [
  ["client_id", (r) => r.client_id],
  ["jenis", (r) => KIND_LABELS[r.kind] || r.kind],
  ["dibuat_di_ponsel", (r) => r.made_at],
  ["user_id", (r) => r.user_id],
  ["pengguna", (r) => r.user_name],
  ["status", (r) => STATE_LABELS[r.state] || r.state],
  ["pesan_server", (r) => r.message || ""],
  ["ringkasan", (r) => r.summary || ""],
  ["data", (r) => JSON.stringify(r.payload)],
];

function csvCell(value) {
  const text = String(value ?? "");
  return /[",\n\r;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export async function unsentRecords() {
  return (await records()).filter((r) => isUnsent(r) || needsAction(r));
}

export function toCsv(rows) {
  const lines = [COLUMNS.map(([name]) => name).join(",")];
  for (const row of rows) {
    lines.push(COLUMNS.map(([, read]) => csvCell(read(row))).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

export function toJson(rows) {
  const body = rows.map((r) => ({
    client_id: r.client_id,
    kind: r.kind,
    made_at: r.made_at,
    user_id: r.user_id,
    user_name: r.user_name,
    state: r.state,
    message: r.message,
    payload: r.payload,
  }));
  return JSON.stringify({ exported_at: new Date().toISOString(), records: body }, null, 2);
}

export async function exportUnsent(format) {
  const rows = await unsentRecords();
  const text = format === "csv" ? toCsv(rows) : toJson(rows);
  const type = format === "csv" ? "text/csv" : "application/json";
  const blob = new Blob([format === "csv" ? "\ufeff" + text : text], { type });
  const link = document.createElement("a");
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "");
  link.href = URL.createObjectURL(blob);
  link.download = `posko-belum-terkirim-${stamp}.${format}`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  // Which records the volunteer holds a copy of: sign-out may go ahead for exactly these.
  await put("settings", rows.map((r) => r.client_id), "exported");
  return rows.length;
}

export function bindExportButtons(root = document) {
  root.querySelectorAll("[data-export]").forEach((button) => {
    button.addEventListener("click", async () => {
      const count = await exportUnsent(button.dataset.export);
      button.dispatchEvent(new CustomEvent("exported", { bubbles: true, detail: count }));
    });
  });
}
