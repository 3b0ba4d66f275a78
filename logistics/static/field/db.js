// The phone's own database (IndexedDB): the outbox, the device credential and the reference data.
const NAME = "posko-field";

// One step per schema version, applied in order. A new release appends a step and never edits an
// old one, so an app update finds the records queued under the previous version where they were.
const UPGRADES = [
  (db) => {
    const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
    outbox.createIndex("client_id", "client_id", { unique: true });
    db.createObjectStore("device");
    db.createObjectStore("reference");
    db.createObjectStore("settings");
  },
];
export const DB_VERSION = UPGRADES.length;

let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, DB_VERSION);
      request.onupgradeneeded = (event) => {
        for (let step = event.oldVersion; step < DB_VERSION; step += 1) {
          UPGRADES[step](request.result, request.transaction);
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        // A newer app version in another tab needs the database: step aside and reload into it.
        db.onversionchange = () => {
          db.close();
          location.reload();
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
    tx.onerror = () => reject(tx.error);
  });
}

function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export async function get(store, key) {
  const db = await openDb();
  return result(db.transaction(store).objectStore(store).get(key));
}

export async function getAll(store) {
  const db = await openDb();
  return result(db.transaction(store).objectStore(store).getAll());
}

export async function put(store, value, key) {
  const db = await openDb();
  const tx = db.transaction(store, "readwrite");
  const request = tx.objectStore(store).put(value, key);
  const stored = result(request);
  await finished(tx);
  return stored;
}

export async function remove(store, key) {
  const db = await openDb();
  const tx = db.transaction(store, "readwrite");
  tx.objectStore(store).delete(key);
  await finished(tx);
}

export async function byClientId(clientId) {
  const db = await openDb();
  return result(db.transaction("outbox").objectStore("outbox").index("client_id").get(clientId));
}

// Several outbox records changed together, or none (a send's answers land all at once).
export async function putMany(records) {
  const db = await openDb();
  const tx = db.transaction("outbox", "readwrite");
  const store = tx.objectStore("outbox");
  for (const record of records) {
    store.put(record);
  }
  await finished(tx);
}

export function isQuotaError(error) {
  return Boolean(error) && (error.name === "QuotaExceededError" || error.code === 22);
}
