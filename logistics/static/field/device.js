// The phone's credential: a device token issued at sign-in, kept with the user it belongs to.
import { get, put, remove } from "./db.js";

const SESSION_URL = "/lapangan/app/sesi";
const DEVICES_URL = "/api/v1/field/devices";

export function currentDevice() {
  return get("device", "current");
}

// The signed-in session as the server sees it, or null without signal.
export async function probeSession() {
  try {
    const response = await fetch(SESSION_URL, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) {
      return null;
    }
    return await response.json();
  } catch (error) {
    return null;
  }
}

export async function errorMessage(response) {
  try {
    const body = await response.json();
    return body.message || `Server menjawab ${response.status}.`;
  } catch (error) {
    return `Server menjawab ${response.status}.`;
  }
}

async function register(session) {
  const response = await fetch(DEVICES_URL, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": session.csrf_token },
    body: JSON.stringify({ name: navigator.userAgent.slice(0, 120) }),
  });
  if (!response.ok) {
    throw new Error(await errorMessage(response));
  }
  const body = await response.json();
  const device = {
    device_id: body.device_id,
    token: body.token,
    expires_at: body.expires_at,
    user: body.user,
    problem: null,
    problem_code: null,
  };
  await put("device", device, "current");
  // Keep the outbox through the browser's clean-ups of a full phone; asked only once signed in.
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persist().catch(() => undefined);
  }
  return device;
}

function expired(device) {
  return Boolean(device.expires_at) && new Date(device.expires_at) <= new Date();
}

// A revoked phone may be a lost one: its browser session is ended too, so only someone who
// types the password again gets a new credential on it.
async function endSession(session) {
  const body = new URLSearchParams({ csrf_token: session.csrf_token });
  await fetch("/keluar", { method: "POST", body, credentials: "same-origin", redirect: "manual" });
}

// The device credential for whoever is signed in; a new one when the user changed, the old one
// expired or was refused. Without signal the stored credential stays in use.
export async function ensureDevice() {
  let device = await currentDevice();
  const session = await probeSession();
  const user = session && session.user;
  if (user && device && device.problem_code === "device_revoked" && device.user.id === user.id) {
    await endSession(session);
    device.problem_code = "signed_out";
    await put("device", device, "current");
    return { device, session: null };
  }
  if (user && user.records_field_work) {
    const changed = !device || device.user.id !== user.id;
    if (changed || expired(device) || device.problem) {
      if (changed) {
        // The copy of the reference data was cut to the previous user's area and event.
        await remove("reference", "data");
        await remove("reference", "households");
        await remove("settings", "event_id");
      }
      device = await register(session);
    }
  }
  return { device, session };
}

// Why the server refused the credential (a 401), in words for the volunteer.
export async function credentialProblem(response) {
  let code = "";
  try {
    const body = await response.json();
    code = body.code || body.error || "";
  } catch (error) {
    code = "";
  }
  const messages = {
    device_revoked: "Perangkat ini dicabut oleh admin. Masuk lagi dengan sinyal untuk mengirim.",
    device_expired: "Izin perangkat sudah habis masa berlakunya. Masuk lagi dengan sinyal untuk mengirim.",
  };
  return {
    code,
    message: messages[code] || "Perangkat belum dikenali server. Masuk lagi dengan sinyal untuk mengirim.",
  };
}

export async function markProblem(device, problem) {
  const stored = await currentDevice();
  if (stored && stored.device_id === device.device_id) {
    stored.problem = problem.message;
    stored.problem_code = problem.code;
    await put("device", stored, "current");
  }
}

// Sign-out wipes the credential and the downloaded data; unsent records stay (the caller has
// made sure they were sent or exported first).
export async function forgetDevice() {
  await remove("device", "current");
  await remove("reference", "data");
  await remove("reference", "households");
  await remove("settings", "event_id");
  await remove("settings", "events");
}
