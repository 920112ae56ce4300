/* Cầu Nối — keep an opened course on the phone for reading without data.
   Registers /courses/sw.js (scope /courses/), then saves the course's pages and their CSS and
   scripts, listed by /courses/<slug>/offline.json, in the cache "caunoi-course-<slug>", up to the
   manifest's byte limit. A course removed by the learner is not saved again until they ask. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !("caches" in window)) return;
  navigator.serviceWorker.register("/courses/sw.js", { scope: "/courses/" }).catch(() => {});

  const box = document.querySelector("[data-offline-manifest]");
  if (!box) return;
  const cacheName = box.dataset.offlineCache;
  const skipKey = "caunoi-offline-skip-" + cacheName;

  function show(state) {
    box.hidden = false;
    for (const part of box.querySelectorAll("[data-state]")) part.hidden = part.dataset.state !== state;
  }

  async function save() {
    show("saving");
    try {
      const manifest = await (await fetch(box.dataset.offlineManifest, { credentials: "same-origin" })).json();
      const fresh = await caches.open(cacheName);
      let total = 0;
      let complete = true;
      for (const url of manifest.urls) {
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) continue;
        const size = (await response.clone().arrayBuffer()).byteLength;
        if (total + size > manifest.limit) {
          complete = false;
          break;
        }
        total += size;
        await fresh.put(url, response);
      }
      localStorage.removeItem(skipKey);
      show(complete ? "saved" : "partly");
    } catch (error) {
      // offline or the server is busy: say what the phone already holds
      show((await caches.has(cacheName)) ? "saved" : "removed");
    }
  }

  async function remove() {
    await caches.delete(cacheName);
    localStorage.setItem(skipKey, "1");
    show("removed");
  }

  for (const button of box.querySelectorAll("[data-action=save]")) button.addEventListener("click", save);
  for (const button of box.querySelectorAll("[data-action=remove]")) button.addEventListener("click", remove);

  if (localStorage.getItem(skipKey)) show("removed");
  else if (navigator.onLine) save();
  else caches.has(cacheName).then((kept) => show(kept ? "saved" : "removed"));
})();
