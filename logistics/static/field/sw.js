// The field app's service worker (served from /lapangan/app/sw.js with RELEASE, SHELL and ASSETS
// defined above this line). It keeps the app's pages, scripts and styles for use without signal;
// the office pages stay online-only and get a short offline page instead of a browser error.
// Records live in IndexedDB, which the worker never touches: an update never empties the outbox.
const PREFIX = "posko-field-";
const CACHE = PREFIX + RELEASE;
const OFFLINE_PAGE = SHELL[SHELL.length - 1];
const APP_ROOT = SHELL[0];
const KEPT = new Set([...SHELL, ...ASSETS]);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll([...KEPT].map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n))),
      )
      .then(() => self.clients.claim()),
  );
});

// The kept copy at once (the app must open in a second without signal), refreshed behind it.
async function fromCacheFirst(event, key) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(key);
  const fresh = fetch(event.request)
    .then((response) => {
      if (response.ok && response.type === "basic") {
        cache.put(key, response.clone());
      }
      return response;
    })
    .catch(() => null);
  if (kept) {
    event.waitUntil(fresh);
    return kept;
  }
  return (await fresh) || (await cache.match(OFFLINE_PAGE)) || Response.error();
}

async function onlineOnly(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const kept = await caches.match(OFFLINE_PAGE);
    return kept || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (KEPT.has(url.pathname)) {
    event.respondWith(fromCacheFirst(event, url.pathname));
  } else if (request.mode === "navigate" && url.pathname.startsWith(APP_ROOT)) {
    // An app page with a query (?ubah=...) is the same shell.
    const shell = SHELL.find((path) => path === url.pathname) || APP_ROOT;
    event.respondWith(fromCacheFirst(event, shell));
  } else if (request.mode === "navigate") {
    event.respondWith(onlineOnly(request));
  }
});
