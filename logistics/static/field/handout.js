// The hand-out form: find a family in the phone's copy, pick items from the posko's stock, queue it.
import { correct, enqueue, find, flush, isUnsent, localDate, records } from "./outbox.js";
import { availableStock, loadHouseholds, searchHouseholds } from "./reference.js";
import { el, notice, number, option, parseAmount, showError } from "./ui.js";

let chosen = null;
let editing = null;
let households = [];

export async function init(app) {
  const form = document.querySelector("[data-handout-form]");
  if (!app.reference) {
    showError(form, "Data keluarga dan stok belum ada di ponsel. Buka aplikasi sekali saat ada sinyal.");
  }
  households = await loadHouseholds();
  fillChoices(app, form);
  app.onUpdate(async () => {
    households = await loadHouseholds();
    fillChoices(app, form);
  });
  form.q.addEventListener("input", () => renderResults(app, form));
  form.warehouse_id.addEventListener("change", () => fillItems(app, form));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(app, form);
  });
  const wanted = new URLSearchParams(location.search).get("ubah");
  if (wanted) {
    editing = await find(wanted);
    if (editing) {
      loadRecord(app, form, editing);
    }
  }
}

function fillChoices(app, form) {
  const data = app.reference;
  if (!data) {
    return;
  }
  const events = data.events || [];
  const current = form.event_id.value || String(((data.deployments || [])[0] || {}).event_id || "");
  form.event_id.replaceChildren(
    ...events.map((e) => option(e.id, `${e.code || ""} ${e.name}`.trim(), String(e.id) === current)),
  );
  const warehouse = form.warehouse_id.value;
  form.warehouse_id.replaceChildren(
    option("", "— tanpa barang —"),
    ...(data.warehouses || []).map((w) => option(w.id, w.name, String(w.id) === warehouse)),
  );
  if (!warehouse && (data.warehouses || []).length === 1) {
    form.warehouse_id.value = String(data.warehouses[0].id);
  }
  fillItems(app, form);
}

async function fillItems(app, form) {
  const data = app.reference;
  const warehouseId = form.warehouse_id.value;
  const queued = (await records()).filter((r) => isUnsent(r) && (!editing || r.client_id !== editing.client_id));
  const available = warehouseId ? availableStock(data, warehouseId, queued) : new Map();
  const items = new Map((data.items || []).map((item) => [String(item.id), item]));
  form.querySelectorAll(".line-row select").forEach((select) => {
    const current = select.value;
    const choices = [...available.entries()].map(([id, amount]) => {
      const item = items.get(id) || { name: `Barang ${id}`, unit: "" };
      return option(id, `${item.name} (stok ${number(amount)} ${item.unit})`, id === current);
    });
    select.replaceChildren(option("", "— barang —"), ...choices);
  });
  form.available = available;
}

function renderResults(app, form) {
  const list = document.querySelector("[data-results]");
  const info = document.querySelector("[data-search-info]");
  const found = searchHouseholds(households, form.q.value);
  info.textContent = form.q.value.trim().length < 3 ? "" : `${found.length} keluarga ditemukan`;
  list.replaceChildren(
    ...found.map((household) => {
      const button = el("button", { type: "button", class: "button", text: "Pilih keluarga ini" });
      button.addEventListener("click", () => choose(form, household));
      return el(
        "li",
        { class: "candidate" },
        el("strong", { text: `Keluarga ${household.head_name}` }),
        el("span", {
          class: "muted",
          text: `KK ${household.kk_masked || "tanpa nomor"} · ${(household.members || []).length} jiwa · ${household.address || ""}`,
        }),
        button,
      );
    }),
  );
}

function choose(form, household) {
  chosen = household;
  const box = document.querySelector("[data-recipient-box]");
  const change = el("button", { type: "button", class: "button", text: "Ganti penerima" });
  change.addEventListener("click", () => {
    chosen = null;
    box.hidden = true;
    document.querySelector("[data-search-box]").hidden = false;
  });
  const members = (household.members || []).map((m) =>
    el("li", { text: `${m.name} · NIK ${m.nik_masked || "-"}` }),
  );
  box.replaceChildren(
    el("strong", { text: `Keluarga ${household.head_name}` }),
    el("span", { class: "muted", text: `KK ${household.kk_masked || "tanpa nomor"} · ${members.length} jiwa` }),
    el("ul", { class: "plain" }, ...members),
    change,
  );
  box.hidden = false;
  document.querySelector("[data-search-box]").hidden = true;
  if (!form.receiver_name.value && household.head_name) {
    form.receiver_name.value = household.head_name;
  }
}

function readLines(form) {
  const lines = [];
  const rows = form.querySelectorAll(".line-row");
  for (const row of rows) {
    const itemId = row.querySelector("select").value;
    const raw = row.querySelector("input").value;
    if (!itemId && !raw.trim()) {
      continue;
    }
    const quantity = parseAmount(raw);
    if (!itemId) {
      return { error: "Pilih barangnya untuk setiap jumlah yang diisi." };
    }
    if (!(quantity > 0)) {
      return { error: `Jumlah "${raw}" tidak sah: isi angka lebih dari 0, mis. 5 atau 2,5.` };
    }
    const left = form.available.get(itemId);
    if (left !== undefined && quantity > left) {
      return { error: `Jumlah ${number(quantity)} melebihi stok di data ponsel (${number(left)}). Perbarui data bila gudang sudah diisi.` };
    }
    lines.push({ item_id: Number(itemId), quantity });
  }
  return { lines };
}

function summaryOf(app, household, lines) {
  const items = new Map((app.reference.items || []).map((item) => [item.id, item]));
  const goods = lines.map((l) => `${number(l.quantity)} ${(items.get(l.item_id) || {}).unit || ""} ${(items.get(l.item_id) || {}).name || ""}`.replace(/\s+/g, " "));
  return `Keluarga ${household.head_name}${goods.length ? `: ${goods.join(", ")}` : ""}`;
}

async function save(app, form) {
  showError(form, "");
  if (!app.device) {
    showError(form, "Masuk dulu saat ada sinyal, agar penyaluran tercatat atas nama Anda.");
    return;
  }
  if (!chosen) {
    showError(form, "Pilih keluarga penerima dulu (cari nama kepala keluarga atau anggota).");
    return;
  }
  const { lines, error } = readLines(form);
  if (error) {
    showError(form, error);
    return;
  }
  const serviceNote = form.service_note.value.trim();
  if (!lines.length && !serviceNote) {
    showError(form, "Isi barang yang diserahkan, atau catatan layanan bila tanpa barang.");
    return;
  }
  const payload = {
    event_id: Number(form.event_id.value),
    component: form.component.value,
    household_id: chosen.id,
    warehouse_id: lines.length ? Number(form.warehouse_id.value) : null,
    lines,
    receiver_name: form.receiver_name.value.trim(),
    service_note: serviceNote,
    distributed_on: editing ? editing.payload.distributed_on : localDate(),
  };
  const summary = summaryOf(app, chosen, lines);
  try {
    if (editing) {
      await correct(editing.client_id, payload, summary);
      location.assign("/lapangan/app/kotak-keluar");
      return;
    }
    await enqueue("hand_out", payload, summary, app.device.user);
  } catch (failure) {
    showError(form, `Tidak tersimpan di ponsel: ${failure.message}`);
    return;
  }
  notice(`Tersimpan di ponsel: ${summary}. Menunggu dikirim.`);
  reset(app, form);
  flush();
}

function reset(app, form) {
  chosen = null;
  form.q.value = "";
  form.receiver_name.value = "";
  form.service_note.value = "";
  form.querySelectorAll(".line-row input").forEach((input) => {
    input.value = "";
  });
  form.querySelectorAll(".line-row select").forEach((select) => {
    select.value = "";
  });
  document.querySelector("[data-recipient-box]").hidden = true;
  document.querySelector("[data-search-box]").hidden = false;
  document.querySelector("[data-results]").replaceChildren();
  fillItems(app, form);
}

function loadRecord(app, form, record) {
  const payload = record.payload;
  const banner = document.querySelector("[data-editing]");
  banner.textContent = `Memperbaiki data yang ${record.state}: ${record.message || ""}`;
  banner.hidden = false;
  const household = households.find((h) => h.id === payload.household_id);
  if (household) {
    choose(form, household);
  }
  form.event_id.value = String(payload.event_id);
  form.component.value = payload.component;
  form.warehouse_id.value = payload.warehouse_id ? String(payload.warehouse_id) : "";
  form.receiver_name.value = payload.receiver_name || "";
  form.service_note.value = payload.service_note || "";
  fillItems(app, form).then(() => {
    const rows = form.querySelectorAll(".line-row");
    (payload.lines || []).forEach((line, index) => {
      if (rows[index]) {
        rows[index].querySelector("select").value = String(line.item_id);
        rows[index].querySelector("input").value = String(line.quantity).replace(".", ",");
      }
    });
  });
}
