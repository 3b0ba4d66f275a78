// The field home: who is signed in, today's deployments with check-in/out, the data and sign-out.
import { get, put } from "./db.js";
import { forgetDevice } from "./device.js";
import { bindExportButtons, unsentRecords } from "./export.js";
import { enqueue, flush, onChange, records } from "./outbox.js";
import { forgetCachedReference, isOfficeRole, openEvents } from "./reference.js";
import { el, notice, option, when } from "./ui.js";

const ROLE_LABELS = { tagana: "Tagana", operator: "Operator", admin: "Admin" };
let installPrompt = null;

export async function init(app) {
  renderAccount(app);
  app.onUpdate(() => {
    renderAccount(app);
    renderEventChoice(app);
    renderDeployments(app);
    renderReference(app);
    renderLogout(app);
  });
  onChange(() => {
    renderDeployments(app);
    renderLogout(app);
  });
  document.querySelector("[data-refresh]").addEventListener("click", async () => {
    notice("Memperbarui data…");
    await app.sync();
    notice(app.reference ? `Data diperbarui: ${app.reference.label || ""}` : "");
  });
  document.querySelector("[data-event-select]").addEventListener("change", async (event) => {
    await put("settings", event.target.value, "event_id");
    await app.sync();
  });
  bindInstall();
  bindExportButtons(document.querySelector("[data-logout-panel]"));
  document.querySelector("[data-logout-panel]").addEventListener("exported", () => renderLogout(app));
  document.querySelector("[data-logout]").addEventListener("click", () => logOut(app));
}

function renderAccount(app) {
  const text = document.querySelector("[data-account-text]");
  const login = document.querySelector("[data-login]");
  const device = app.device;
  if (device) {
    const role = ROLE_LABELS[device.user.role] || device.user.role;
    text.textContent = `Masuk sebagai ${device.user.name || device.user.username} (${role}).`;
    if (device.problem) {
      text.textContent += ` ${device.problem}`;
    }
  } else if (app.session && app.session.user && !app.session.user.records_field_work) {
    text.textContent = "Peran akun ini tidak mencatat kegiatan lapangan.";
  } else {
    text.textContent = "Belum masuk di ponsel ini. Masuk sekali saat ada sinyal.";
  }
  login.hidden = Boolean(device && !device.problem);
}

function deploymentCard(app, deployment, queued) {
  const mine = queued.filter((r) => r.payload.deployment_id === deployment.id);
  const checkedIn = deployment.checked_in_at || mine.some((r) => r.kind === "check_in");
  const checkedOut = deployment.checked_out_at || mine.some((r) => r.kind === "check_out");
  const period = `${when(deployment.starts_at)}${deployment.ends_at ? ` – ${when(deployment.ends_at)}` : ""}`;
  const state = checkedOut ? "Sudah check-out" : checkedIn ? "Sedang bertugas" : "Belum check-in";
  const card = el(
    "article",
    { class: "deployment", dataset: { deployment: deployment.id } },
    el("strong", { text: deployment.event_name || "Penugasan" }),
    el("span", { class: "muted", text: `${deployment.area_name || deployment.area_code || ""} · ${period}` }),
    el("span", { class: "state", text: state }),
  );
  const user = app.device && app.device.user;
  const act = (kind, label) =>
    el("button", { type: "button", class: "button wide primary", text: label, dataset: { kind } });
  const actions = el("div", { class: "row" });
  if (!checkedIn) {
    actions.append(act("check_in", "Check-in"));
  } else if (!checkedOut) {
    actions.append(act("check_out", "Check-out"));
  }
  actions.addEventListener("click", async (event) => {
    const kind = event.target.dataset.kind;
    if (!kind || !user) {
      return;
    }
    const label = kind === "check_in" ? "Check-in" : "Check-out";
    try {
      await enqueue(kind, { deployment_id: deployment.id }, `${label}: ${deployment.event_name || ""}`, user);
    } catch (failure) {
      notice(`${label} tidak tersimpan di ponsel: ${failure.message}`, "error");
      return;
    }
    notice(`${label} tersimpan di ponsel; dikirim saat ada sinyal.`);
    flush();
  });
  const reported = mine.some((r) => r.kind === "task_report");
  const report = reportForm(deployment, user, () => renderDeployments(app));
  report.hidden = !checkedIn || reported;
  card.append(actions, report);
  return card;
}

function reportForm(deployment, user, saved) {
  const report = el(
    "details",
    { class: "more" },
    el("summary", { text: "Laporan tugas (menutup penugasan)" }),
    el("label", { class: "stack" }, "Kegiatan yang dilakukan", el("textarea", { rows: "3", maxlength: "2000", name: "note" })),
    el("label", { class: "stack" }, "Jiwa dilayani", el("input", { inputmode: "numeric", name: "people_served", autocomplete: "off" })),
    el("label", { class: "stack" }, "Kendala", el("input", { name: "problems", maxlength: "500", autocomplete: "off" })),
    el("button", { type: "button", class: "button wide", text: "Simpan laporan" }),
  );
  report.querySelector("button").addEventListener("click", async () => {
    const note = report.querySelector("[name=note]").value.trim();
    const served = report.querySelector("[name=people_served]").value.trim();
    if (!note || !user) {
      notice(user ? "Tulis kegiatan yang dilakukan dulu." : "Masuk dulu agar laporan tercatat atas nama Anda.", "error");
      return;
    }
    if (served && !/^\d+$/.test(served)) {
      notice(`Jiwa dilayani "${served}" harus bilangan bulat.`, "error");
      return;
    }
    const payload = { deployment_id: deployment.id, note, people_served: served ? Number(served) : 0 };
    const problems = report.querySelector("[name=problems]").value.trim();
    if (problems) {
      payload.problems = problems;
    }
    try {
      await enqueue("task_report", payload, `Laporan tugas: ${note.slice(0, 60)}`, user);
    } catch (failure) {
      notice(`Laporan tidak tersimpan di ponsel: ${failure.message}`, "error");
      return;
    }
    report.querySelectorAll("textarea, input").forEach((field) => {
      field.value = "";
    });
    report.querySelector("button").blur();
    saved();
    notice("Laporan tugas tersimpan di ponsel; dikirim saat ada sinyal.");
    flush();
  });
  return report;
}

async function renderDeployments(app) {
  const box = document.querySelector("[data-deployments]");
  const deployments = (app.reference && app.reference.deployments) || [];
  const fields = [...box.querySelectorAll("textarea, input")];
  if (fields.some((field) => field.value || field === document.activeElement)) {
    return; // a report being written is not redrawn away; saving it redraws
  }
  if (!deployments.length) {
    box.replaceChildren(el("p", { class: "muted", text: "Belum ada data penugasan di ponsel ini." }));
    return;
  }
  const userId = app.device && app.device.user.id;
  const queued = (await records()).filter(
    (r) => r.user_id === userId && ["check_in", "check_out", "task_report"].includes(r.kind) && r.state !== "ditolak",
  );
  box.replaceChildren(...deployments.map((d) => deploymentCard(app, d, queued)));
}

async function renderEventChoice(app) {
  const label = document.querySelector("[data-event-choice]");
  label.hidden = !isOfficeRole(app.device);
  if (label.hidden) {
    return;
  }
  const events = navigator.onLine ? await openEvents() : (await get("settings", "events")) || [];
  const chosen = String((await get("settings", "event_id")) || "");
  const select = label.querySelector("select");
  select.replaceChildren(
    option("", "— pilih kejadian —"),
    ...events.map((e) => option(e.id, `${e.code || ""} ${e.name}`.trim(), String(e.id) === chosen)),
  );
}

function renderReference(app) {
  const node = document.querySelector("[data-reference-summary]");
  const data = app.reference;
  if (!data) {
    node.textContent = "Belum diunduh. Buka aplikasi sekali saat ada sinyal.";
    return;
  }
  const size = (key) => (data[key] || []).length;
  node.textContent =
    `${data.household_count || 0} keluarga · ${size("shelters")} pengungsian · ` +
    `${size("warehouses")} gudang · ${data.label || ""}`;
}

async function renderLogout(app) {
  const panel = document.querySelector("[data-logout-panel]");
  panel.hidden = !app.device;
  const unsent = await unsentRecords();
  const exported = new Set((await get("settings", "exported")) || []);
  const uncovered = unsent.filter((r) => !exported.has(r.client_id));
  const warning = panel.querySelector("[data-logout-warning]");
  warning.hidden = !uncovered.length;
  warning.textContent =
    `${unsent.length} data belum terkirim. Kirim dulu saat ada sinyal, atau simpan salinannya ` +
    "(JSON atau CSV) sebelum keluar: data yang belum terkirim tidak boleh hilang.";
  panel.querySelector("[data-logout-exports]").hidden = !unsent.length;
  panel.querySelector("[data-logout]").disabled = uncovered.length > 0;
}

async function logOut(app) {
  const unsent = await unsentRecords();
  const exported = new Set((await get("settings", "exported")) || []);
  if (unsent.some((r) => !exported.has(r.client_id))) {
    renderLogout(app);
    return;
  }
  await forgetDevice();
  forgetCachedReference();
  app.device = null;
  app.reference = null;
  const token = app.session && app.session.csrf_token;
  if (!token || !navigator.onLine) {
    notice("Data ponsel dihapus. Sesi di server berakhir sendiri; masuk lagi saat ada sinyal.");
    app.announce();
    return;
  }
  const form = el("form", { method: "post", action: "/keluar" });
  form.append(el("input", { type: "hidden", name: "csrf_token", value: token }));
  document.body.append(form);
  form.submit();
}

function bindInstall() {
  const button = document.querySelector("[data-install]");
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    installPrompt = event;
    button.hidden = false;
  });
  button.addEventListener("click", async () => {
    if (!installPrompt) {
      return;
    }
    installPrompt.prompt();
    await installPrompt.userChoice;
    installPrompt = null;
    button.hidden = true;
  });
}
