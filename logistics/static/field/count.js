// The shelter head count: one day's figures for a shelter in the user's area, queued on the phone.
import { correct, enqueue, find, flush, localDate } from "./outbox.js";
import { notice, number, option, parseCount, showError, when } from "./ui.js";

const GROUPS = ["balita", "anak", "lansia", "ibu_hamil", "ibu_menyusui", "disabilitas", "laki_laki", "perempuan"];
let editing = null;

export async function init(app) {
  const form = document.querySelector("[data-count-form]");
  if (!app.reference) {
    showError(form, "Data pengungsian belum ada di ponsel. Buka aplikasi sekali saat ada sinyal.");
  }
  form.counted_on.value = localDate();
  fillShelters(app, form);
  app.onUpdate(() => fillShelters(app, form));
  form.shelter_id.addEventListener("change", () => showLast(app, form));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(app, form);
  });
  const wanted = new URLSearchParams(location.search).get("ubah");
  if (wanted) {
    editing = await find(wanted);
    if (editing) {
      loadRecord(form, editing);
    }
  }
}

function fillShelters(app, form) {
  const shelters = (app.reference && app.reference.shelters) || [];
  const current = form.shelter_id.value;
  form.shelter_id.replaceChildren(
    option("", "— pilih tempat —"),
    ...shelters.map((s) => option(s.id, s.name, String(s.id) === current)),
  );
  if (!current && shelters.length === 1) {
    form.shelter_id.value = String(shelters[0].id);
  }
  showLast(app, form);
}

function showLast(app, form) {
  const node = document.querySelector("[data-last-count]");
  const shelters = (app.reference && app.reference.shelters) || [];
  const shelter = shelters.find((s) => String(s.id) === form.shelter_id.value);
  if (!shelter) {
    node.textContent = "";
    return;
  }
  const last = shelter.last_count;
  const capacity = shelter.capacity ? `Kapasitas ${number(shelter.capacity)} jiwa. ` : "";
  let text = "Belum ada hitungan.";
  if (last && typeof last === "object") {
    text = `Hitungan terakhir: ${number(last.persons)} jiwa (${last.counted_on || when(last.recorded_at)}).`;
  } else if (last !== null && last !== undefined) {
    text = `Hitungan terakhir: ${number(last)} jiwa.`;
  }
  node.textContent = capacity + text;
}

function readFigures(form) {
  const figures = {};
  for (const name of ["persons", "households", ...GROUPS]) {
    const value = parseCount(form[name].value);
    if (Number.isNaN(value)) {
      return { error: `"${form[name].value}" bukan bilangan bulat: isi angka tanpa titik atau koma.`, field: name };
    }
    if (value !== null) {
      figures[name] = value;
    }
  }
  if (figures.persons === undefined) {
    return { error: "Isi jumlah jiwa yang ada di tempat pengungsian.", field: "persons" };
  }
  return { figures };
}

async function save(app, form) {
  showError(form, "");
  if (!app.device) {
    showError(form, "Masuk dulu saat ada sinyal, agar hitungan tercatat atas nama Anda.");
    return;
  }
  if (!form.shelter_id.value) {
    showError(form, "Pilih tempat pengungsian.");
    return;
  }
  if (!form.counted_on.value) {
    showError(form, "Isi tanggal hitung.");
    return;
  }
  const { figures, error, field } = readFigures(form);
  if (error) {
    showError(form, error);
    form[field].focus();
    return;
  }
  const payload = {
    shelter_id: Number(form.shelter_id.value),
    counted_on: form.counted_on.value,
    ...figures,
    note: form.note.value.trim(),
  };
  const name = form.shelter_id.selectedOptions[0].textContent;
  const summary = `${name}: ${number(figures.persons)} jiwa (${payload.counted_on})`;
  try {
    if (editing) {
      await correct(editing.client_id, payload, summary);
      location.assign("/lapangan/app/kotak-keluar");
      return;
    }
    await enqueue("head_count", payload, summary, app.device.user);
  } catch (failure) {
    showError(form, `Tidak tersimpan di ponsel: ${failure.message}`);
    return;
  }
  notice(`Tersimpan di ponsel: ${summary}. Menunggu dikirim.`);
  for (const key of ["persons", "households", "note", ...GROUPS]) {
    form[key].value = "";
  }
  flush();
}

function loadRecord(form, record) {
  const banner = document.querySelector("[data-editing]");
  banner.textContent = `Memperbaiki data yang ${record.state}: ${record.message || ""}`;
  banner.hidden = false;
  const payload = record.payload;
  form.shelter_id.value = String(payload.shelter_id);
  form.counted_on.value = payload.counted_on || localDate();
  for (const key of ["persons", "households", ...GROUPS]) {
    form[key].value = payload[key] ?? "";
  }
  form.note.value = payload.note || "";
}
