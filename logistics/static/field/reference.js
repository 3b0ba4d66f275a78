// The downloaded reference data (the user's area and event) and the searches over it.
import { get, put } from "./db.js";
import { credentialProblem, errorMessage, markProblem } from "./device.js";

const REFERENCE_URL = "/api/v1/field/reference";
let cached = null;
let cachedHouseholds = null;

// The small part (deployments, shelters, stock, items): every screen reads it at start.
export async function loadReference() {
  if (!cached) {
    cached = (await get("reference", "data")) || null;
  }
  return cached;
}

// The families are kept apart: only the hand-out form reads them, so the other screens open
// without loading thousands of households.
export async function loadHouseholds() {
  if (!cachedHouseholds) {
    cachedHouseholds = (await get("reference", "households")) || [];
  }
  return cachedHouseholds;
}

export function forgetCachedReference() {
  cached = null;
  cachedHouseholds = null;
}

export async function storeReference(body, userId, eventId = null) {
  const { households = [], ...rest } = body;
  const data = { ...rest, household_count: households.length, event_id: eventId, user_id: userId };
  await put("reference", households, "households");
  await put("reference", data, "data");
  cached = data;
  cachedHouseholds = households;
  return data;
}

// Fetches only when the server's version moved on (`since`); answers the copy in use.
export async function refreshReference(device, eventId) {
  let current = await loadReference();
  if (current && current.user_id !== device.user.id) {
    current = null; // another user's copy: never built on
  }
  const url = new URL(REFERENCE_URL, location.origin);
  const sameEvent = current && String(current.event_id || "") === String(eventId || "");
  if (current && current.version && sameEvent) {
    url.searchParams.set("since", current.version);
  }
  if (eventId) {
    url.searchParams.set("event_id", eventId);
  }
  const response = await fetch(url, { headers: { Authorization: `Bearer ${device.token}` } });
  if (response.status === 401) {
    const problem = await credentialProblem(response);
    await markProblem(device, problem);
    throw new Error(problem.message);
  }
  if (!response.ok) {
    throw new Error(await errorMessage(response));
  }
  const body = await response.json();
  if (body.unchanged && current) {
    return current;
  }
  return storeReference(body, device.user.id, eventId || null);
}

// Office roles pick the event the phone carries; the open events come with the session.
export async function openEvents() {
  try {
    const response = await fetch("/api/v1/events?status=aktif&limit=100", {
      credentials: "same-origin",
    });
    if (response.ok) {
      const body = await response.json();
      const events = body.items.map((e) => ({ id: e.id, code: e.code, name: e.title }));
      await put("settings", events, "events");
      return events;
    }
  } catch (error) {
    // Without signal the list kept from the last time serves.
  }
  return (await get("settings", "events")) || [];
}

export function isOfficeRole(device) {
  return Boolean(device) && ["admin", "operator"].includes(device.user.role);
}

function fold(text) {
  return (text || "")
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "");
}

const indexes = new WeakMap();

// One lower-cased text per household, built once per downloaded copy.
function householdIndex(households) {
  let index = indexes.get(households);
  if (!index) {
    index = households.map((household) => {
      const members = (household.members || []).map((m) => `${m.name} ${m.nik_masked || ""}`);
      const text = [household.head_name, household.address, household.kk_masked, ...members];
      return { household, text: fold(text.join(" ")) };
    });
    indexes.set(households, index);
  }
  return index;
}

// Households whose head, members, address or masked numbers hold every word of the query.
export function searchHouseholds(households, query, limit = 20) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!households || !words.length || words.join("").length < 3) {
    return [];
  }
  const found = [];
  for (const entry of householdIndex(households)) {
    if (words.every((word) => entry.text.includes(word))) {
      found.push(entry.household);
      if (found.length >= limit) {
        break;
      }
    }
  }
  return found;
}

// The stock the phone may still hand out: the downloaded figure less what waits in the outbox.
export function availableStock(reference, warehouseId, queued) {
  const warehouse = (reference.warehouses || []).find((w) => String(w.id) === String(warehouseId));
  const available = new Map();
  for (const line of (warehouse && warehouse.stock) || []) {
    available.set(String(line.item_id), Number(line.available));
  }
  for (const record of queued) {
    const payload = record.payload || {};
    if (record.kind !== "hand_out" || String(payload.warehouse_id) !== String(warehouseId)) {
      continue;
    }
    for (const line of payload.lines || []) {
      const key = String(line.item_id);
      if (available.has(key)) {
        available.set(key, available.get(key) - Number(line.quantity));
      }
    }
  }
  return available;
}
