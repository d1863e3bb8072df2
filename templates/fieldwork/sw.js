/* 龙胜儿童关爱 · 离线外勤 service worker (rendered by fieldwork.views.ServiceWorkerView).
 * Keeps the app shell and the static files in a versioned cache; never caches a child's data:
 * the caseload is fetched as JSON and kept encrypted in IndexedDB by the page. */
const CACHE = "longsheng-fieldwork-{{ version }}";
const SHELL = "{{ shell|escapejs }}";
const STATIC_PREFIX = "{{ static_prefix|escapejs }}";
const PRECACHE = {{ precache|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then(async (cache) => {
      await cache.addAll(PRECACHE);
      // The shell needs the signed-in session; a failure here is retried on the next visit.
      try {
        const response = await fetch(SHELL, {credentials: "same-origin", redirect: "manual"});
        if (response.ok) await cache.put(SHELL, response);
      } catch (e) { /* offline while installing: the page caches it on its next visit */ }
    }).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(
      keys.filter((key) => key.startsWith("longsheng-fieldwork-") && key !== CACHE)
        .map((key) => caches.delete(key))
    )).then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  // The page asks for a fresh copy of the shell after it loaded it from the network.
  if (event.data && event.data.type === "cache-shell") {
    event.waitUntil(
      fetch(SHELL, {credentials: "same-origin", redirect: "manual"}).then((response) => {
        if (response.ok) return caches.open(CACHE).then((cache) => cache.put(SHELL, response));
        return undefined;
      }).catch(() => undefined)
    );
  }
});

async function shellFromNetwork(request) {
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic" && !response.redirected) {
      const cache = await caches.open(CACHE);
      await cache.put(SHELL, response.clone());
    }
    return response;
  } catch (e) {
    const cached = await caches.match(SHELL);
    return cached || Response.error();
  }
}

async function staticFile(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

async function page(request) {
  try {
    return await fetch(request);
  } catch (e) {
    // No network: every page of the portal falls back to the offline app.
    const cached = await caches.match(SHELL);
    return cached || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === SHELL) {
    event.respondWith(shellFromNetwork(request));
  } else if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(staticFile(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request));
  }
  // Everything else (the caseload JSON, uploads, the manifest) goes to the network only.
});
