// The outbox: records made on the phone, kept until the server has answered for each of them.
import { byClientId, getAll, isQuotaError, put, putMany, remove } from "./db.js";
import { credentialProblem, currentDevice, errorMessage, markProblem } from "./device.js";

const SYNC_URL = "/api/v1/field/sync";
const STATUS_URL = "/api/v1/field/status";
const BATCH = 100;

export const STATE_LABELS = {
  menunggu: "Menunggu",
  mengirim: "Mengirim",
  terkirim: "Terkirim",
  ditolak: "Ditolak",
  konflik: "Konflik",
};
export const KIND_LABELS = {
  hand_out: "Penyaluran",
  head_count: "Hitung pengungsi",
  check_in: "Check-in",
  check_out: "Check-out",
  task_report: "Laporan tugas",
};
const UNSENT = new Set(["menunggu", "mengirim"]);
const channel = "BroadcastChannel" in self ? new BroadcastChannel("posko-field") : null;
const listeners = new Set();

export function onChange(listener) {
  listeners.add(listener);
}

function changed() {
  for (const listener of listeners) {
    listener();
  }
  if (channel) {
    channel.postMessage("outbox");
  }
}
if (channel) {
  channel.onmessage = () => listeners.forEach((listener) => listener());
}

// Device time with its offset (the server keeps it beside the time the record arrived).
export function localIso(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

export function localDate(date = new Date()) {
  return localIso(date).slice(0, 10);
}

export function records() {
  return getAll("outbox");
}

// A page closed or left while it was sending leaves its records "mengirim" with nobody sending
// them: they wait again. Sending one twice is harmless, the server keeps a client_id once.
export async function recoverInterrupted() {
  if (flushing) {
    return;
  }
  const stuck = (await records()).filter((r) => r.state === "mengirim");
  if (!stuck.length) {
    return;
  }
  for (const record of stuck) {
    record.state = "menunggu";
  }
  await putMany(stuck);
  changed();
}

export function isUnsent(record) {
  return UNSENT.has(record.state);
}

export function needsAction(record) {
  return record.state === "ditolak" || record.state === "konflik";
}

export async function enqueue(kind, payload, summary, user) {
  const record = {
    client_id: crypto.randomUUID(),
    kind,
    made_at: localIso(),
    user_id: user.id,
    user_name: user.name || user.username,
    payload,
    summary,
    state: "menunggu",
    message: null,
    field: null,
    server_id: null,
    attempts: 0,
    replaces: [],
  };
  await keep(record);
  return record;
}

async function keep(record) {
  try {
    await put("outbox", record);
  } catch (error) {
    if (isQuotaError(error)) {
      throw new Error("penyimpanan ponsel penuh. Hapus foto atau aplikasi lain, lalu simpan lagi.");
    }
    throw error;
  }
  changed();
}

// A refused or conflicting record, corrected: it goes out again under a new client_id, because
// the server keeps the first content of an id and would call the new one a conflict.
export async function correct(clientId, payload, summary) {
  const record = await byClientId(clientId);
  if (!record) {
    throw new Error("Data ini tidak ada lagi di ponsel.");
  }
  record.replaces = [...(record.replaces || []), record.client_id];
  record.client_id = crypto.randomUUID();
  record.payload = payload;
  record.summary = summary;
  record.made_at = localIso();
  record.state = "menunggu";
  record.message = null;
  record.field = null;
  await keep(record);
  return record;
}

export async function resend(clientId) {
  const record = await byClientId(clientId);
  return correct(clientId, record.payload, record.summary);
}

export async function discard(clientId) {
  const record = await byClientId(clientId);
  if (record) {
    await remove("outbox", record.seq);
    changed();
  }
}

export function find(clientId) {
  return byClientId(clientId);
}

function authorised(device) {
  return {
    "Content-Type": "application/json",
    Authorization: `Bearer ${device.token}`,
  };
}

let flushing = null;
let lastProblem = null;
// A send that failed (no signal, a busy server) is tried again soon, then less often.
const RETRY_FIRST_MS = 5_000;
const RETRY_MAX_MS = 60_000;
let retryDelay = 0;
let retryTimer = null;

function scheduleRetry(failed) {
  clearTimeout(retryTimer);
  if (!failed) {
    retryDelay = 0;
    return;
  }
  retryDelay = Math.min(retryDelay ? retryDelay * 2 : RETRY_FIRST_MS, RETRY_MAX_MS);
  retryTimer = setTimeout(() => flush(), retryDelay);
}

export function syncProblem() {
  return lastProblem;
}

// Sends this user's waiting records in the order they were made; other users' stay put.
export function flush() {
  if (!flushing) {
    flushing = sendAll().finally(() => {
      flushing = null;
    });
  }
  return flushing;
}

async function sendAll() {
  const device = await currentDevice();
  if (!device || device.problem) {
    lastProblem = device ? device.problem : "Belum masuk: data menunggu sampai Anda masuk.";
    return { sent: 0 };
  }
  const waiting = (await records()).filter((r) => isUnsent(r) && r.user_id === device.user.id);
  let sent = 0;
  lastProblem = null;
  for (let start = 0; start < waiting.length; start += BATCH) {
    const batch = waiting.slice(start, start + BATCH);
    const outcome = await sendBatch(device, batch);
    if (!outcome.ok) {
      lastProblem = outcome.problem;
      // A refused credential waits for a new sign-in; anything else is retried by itself.
      scheduleRetry(!outcome.credential);
      return { sent };
    }
    sent += batch.length;
  }
  scheduleRetry(false);
  await checkReviews(device);
  return { sent };
}

async function sendBatch(device, batch) {
  for (const record of batch) {
    record.state = "mengirim";
    record.attempts += 1;
  }
  await putMany(batch);
  changed();
  const body = {
    records: batch.map((r) => ({
      client_id: r.client_id,
      kind: r.kind,
      made_at: r.made_at,
      user_id: r.user_id,
      payload: r.payload,
    })),
  };
  let response;
  try {
    response = await fetch(SYNC_URL, {
      method: "POST",
      headers: authorised(device),
      body: JSON.stringify(body),
    });
  } catch (error) {
    return requeue(batch, "Tidak ada sinyal: dikirim lagi nanti.");
  }
  if (response.status === 401) {
    const problem = await credentialProblem(response);
    await markProblem(device, problem);
    return { ...(await requeue(batch, problem.message)), credential: true };
  }
  if (!response.ok) {
    return requeue(batch, `Pengiriman gagal: ${await errorMessage(response)}`);
  }
  const answer = await response.json();
  await applyResults(batch, answer.results || []);
  return { ok: true };
}

async function requeue(batch, problem) {
  for (const record of batch) {
    record.state = "menunggu";
  }
  await putMany(batch);
  changed();
  return { ok: false, problem };
}

async function applyResults(batch, results) {
  const answers = new Map(results.map((result) => [result.client_id, result]));
  for (const record of batch) {
    const result = answers.get(record.client_id);
    if (!result) {
      // Not answered (a cut-off reply): it stays queued and goes again.
      record.state = "menunggu";
      continue;
    }
    record.message = result.message || null;
    record.field = result.field || null;
    if (result.status === "stored" || result.status === "duplicate") {
      record.state = "terkirim";
      record.server_id = result.id;
      record.sent_at = localIso();
    } else if (result.status === "conflict") {
      record.state = "konflik";
    } else {
      record.state = "ditolak";
    }
  }
  await putMany(batch);
  changed();
}

// The office's review of refused and conflicting records comes back through /status.
async function checkReviews(device) {
  const open = (await records()).filter((r) => needsAction(r) && r.user_id === device.user.id);
  if (!open.length) {
    return;
  }
  let response;
  try {
    response = await fetch(STATUS_URL, {
      method: "POST",
      headers: authorised(device),
      body: JSON.stringify({ client_ids: open.map((r) => r.client_id) }),
    });
  } catch (error) {
    return;
  }
  if (!response.ok) {
    return;
  }
  const answers = new Map(((await response.json()).results || []).map((r) => [r.client_id, r]));
  const updated = [];
  for (const record of open) {
    const answer = answers.get(record.client_id);
    if (answer && answer.status === "accepted") {
      record.state = "terkirim";
      record.server_id = answer.id;
      record.message = answer.message ? `Diterima kantor: ${answer.message}` : "Diterima kantor.";
      updated.push(record);
    } else if (answer && answer.status === "rejected") {
      record.message = answer.message ? `Ditolak kantor: ${answer.message}` : "Ditolak kantor.";
      updated.push(record);
    }
  }
  if (updated.length) {
    await putMany(updated);
    changed();
  }
}
