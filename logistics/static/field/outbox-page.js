// The outbox list: every record on the phone with its state, the server's reason and what to do.
import { bindExportButtons } from "./export.js";
import { KIND_LABELS, STATE_LABELS, discard, needsAction, onChange, records, resend, syncProblem } from "./outbox.js";
import { el, notice, when } from "./ui.js";

const EDIT_PAGES = { hand_out: "/lapangan/app/penyaluran", head_count: "/lapangan/app/pengungsi" };

export async function init(app) {
  onChange(() => render(app));
  app.onUpdate(() => render(app));
  bindExportButtons();
  document.addEventListener("exported", (event) => notice(`${event.detail} data disimpan ke berkas.`));
  const button = document.querySelector("[data-send-now]");
  button.addEventListener("click", async () => {
    button.disabled = true;
    notice("Mengirim…");
    await app.sync();
    button.disabled = false;
    notice(syncProblem() || "Pengiriman selesai.", syncProblem() ? "warning" : "info");
  });
  await render(app);
}

function actions(record) {
  const box = el("div", { class: "row" });
  if (!needsAction(record)) {
    return box;
  }
  if (EDIT_PAGES[record.kind]) {
    box.append(
      el("a", {
        class: "button primary",
        href: `${EDIT_PAGES[record.kind]}?ubah=${encodeURIComponent(record.client_id)}`,
        text: "Perbaiki",
      }),
    );
  } else {
    const again = el("button", { type: "button", class: "button primary", text: "Kirim ulang" });
    again.addEventListener("click", () => resend(record.client_id));
    box.append(again);
  }
  const drop = el("button", { type: "button", class: "button danger", text: "Buang" });
  drop.addEventListener("click", () => {
    if (window.confirm(`Buang data ini dari ponsel? ${record.summary || ""}`)) {
      discard(record.client_id);
    }
  });
  box.append(drop);
  return box;
}

function item(record, userId) {
  const other = userId !== null && record.user_id !== userId && record.state !== "terkirim";
  const reason = record.message
    ? `${record.message}${record.field ? ` (kolom: ${record.field})` : ""}`
    : null;
  return el(
    "li",
    { class: "record", dataset: { clientId: record.client_id, state: record.state, kind: record.kind } },
    el(
      "div",
      { class: "record-head" },
      el("strong", { text: KIND_LABELS[record.kind] || record.kind }),
      el("span", { class: `badge state-${record.state}`, text: STATE_LABELS[record.state] || record.state }),
    ),
    el("span", { text: record.summary || "" }),
    el("span", { class: "muted", text: `Dibuat ${when(record.made_at)} oleh ${record.user_name}` }),
    reason ? el("p", { class: "reason", text: reason }) : null,
    other
      ? el("p", {
          class: "warning",
          text: `Milik ${record.user_name}: tidak dikirim dengan akun ini. Dikirim setelah ${record.user_name} masuk lagi di ponsel ini.`,
        })
      : null,
    actions(record),
  );
}

async function render(app) {
  const list = document.querySelector("[data-records]");
  const all = await records();
  const userId = app.device ? app.device.user.id : null;
  list.replaceChildren(...all.map((record) => item(record, userId)));
  if (!all.length) {
    list.append(el("li", { class: "muted", text: "Belum ada data di ponsel ini." }));
  }
  const info = document.querySelector("[data-sync-info]");
  info.textContent = syncProblem() || "";
}
