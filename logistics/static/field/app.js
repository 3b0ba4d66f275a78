// The field app's start on every screen: the service worker, the status strip and the page itself.
import { get, put } from "./db.js";
import { currentDevice, ensureDevice } from "./device.js";
import * as count from "./count.js";
import * as handout from "./handout.js";
import * as home from "./home.js";
import {
  flush,
  isUnsent,
  needsAction,
  onChange,
  records,
  recoverInterrupted,
  syncProblem,
} from "./outbox.js";
import * as outboxPage from "./outbox-page.js";
import { isOfficeRole, loadReference, openEvents, refreshReference } from "./reference.js";
import { notice } from "./ui.js";

// How often an open app retries its outbox, on top of reconnects, start-up and "Kirim sekarang"
// (Background Sync alone would leave iOS and Firefox phones waiting).
const FLUSH_EVERY_MS = 30_000;
const PAGES = { home, handout, count, outbox: outboxPage };

const app = {
  device: null,
  session: null,
  reference: null,
  updates: new Set(),
  onUpdate(listener) {
    this.updates.add(listener);
  },
  announce() {
    this.updates.forEach((listener) => listener(this));
  },
  // The event an office role works on: its choice, or the only open event.
  async eventId() {
    let chosen = await get("settings", "event_id");
    if (!chosen && isOfficeRole(this.device)) {
      const events = await openEvents();
      if (events.length === 1) {
        chosen = String(events[0].id);
        await put("settings", chosen, "event_id");
      }
    }
    return chosen;
  },
  // Signs the device in if the browser has a session, refreshes the data, sends the outbox.
  async sync({ quiet = false } = {}) {
    try {
      const { device, session } = await ensureDevice();
      this.device = device;
      this.session = session;
    } catch (error) {
      notice(`Perangkat belum bisa didaftarkan: ${error.message}`, "error");
    }
    if (this.device && !this.device.problem) {
      try {
        const eventId = await this.eventId();
        if (eventId || !isOfficeRole(this.device)) {
          this.reference = await refreshReference(this.device, eventId);
        }
      } catch (error) {
        if (!quiet) {
          notice(`Data belum bisa diperbarui: ${error.message}`, "warning");
        }
      }
    }
    await flush();
    this.device = await currentDevice();
    this.announce();
  },
};

async function renderPending() {
  const all = await records();
  const waiting = all.filter(isUnsent).length;
  const toFix = all.filter(needsAction).length;
  let text = waiting || toFix ? `${waiting} menunggu dikirim` : "Semua data terkirim";
  if (toFix) {
    text += ` · ${toFix} perlu diperbaiki`;
  }
  document.querySelectorAll("[data-pending]").forEach((node) => {
    node.textContent = text;
    node.dataset.waiting = String(waiting);
    node.title = syncProblem() || "";
  });
  document.querySelectorAll("[data-outbox-count]").forEach((node) => {
    node.textContent = waiting + toFix ? `(${waiting + toFix})` : "";
  });
}

function renderLabel() {
  const node = document.querySelector("[data-reference-label]");
  if (node) {
    node.textContent = app.reference ? app.reference.label || "" : "Data belum diunduh";
  }
}

function renderNet() {
  const node = document.querySelector("[data-net]");
  node.textContent = navigator.onLine ? "Online" : "Offline";
  node.dataset.online = String(navigator.onLine);
}

function registerWorker() {
  if (!("serviceWorker" in navigator)) {
    return;
  }
  navigator.serviceWorker
    .register(document.body.dataset.worker, { scope: "/" })
    .catch((error) => console.warn("service worker not registered", error));
}

async function start() {
  registerWorker();
  renderNet();
  window.addEventListener("online", () => {
    renderNet();
    app.sync({ quiet: true });
  });
  window.addEventListener("offline", renderNet);
  onChange(renderPending);
  // What the phone holds is shown first, so the app opens at once without signal.
  app.device = await currentDevice();
  app.reference = await loadReference();
  await recoverInterrupted();
  app.onUpdate(renderLabel);
  app.onUpdate(renderPending);
  const page = PAGES[document.body.dataset.page];
  if (page) {
    await page.init(app);
  }
  app.announce();
  document.body.dataset.ready = "1";
  await app.sync({ quiet: true });
  document.body.dataset.synced = String(Number(document.body.dataset.synced || 0) + 1);
  setInterval(() => flush(), FLUSH_EVERY_MS);
}

start();
