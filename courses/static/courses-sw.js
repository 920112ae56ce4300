/* Cầu Nối — lessons without data. Served at /courses/sw.js, so its scope is /courses/ (the
   site's /sw.js, scope /, is for push notices). Pages of /courses/ are fetched from the network
   first and, when there is none, from the caches that offline.js filled for each course the
   learner opened ("caunoi-course-<slug>"). Nothing is cached here: offline.js decides what a
   course keeps, within its size budget, and removes it on request. */
"use strict";

const PREFIX = "caunoi-course-";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function notSaved() {
  const body =
    "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>Offline</title><p>Không có mạng, và trang này chưa được lưu trên điện thoại.</p>" +
    "<p lang=en>You are offline, and this page was not saved on this phone.</p>" +
    "<p><a href='/courses'>Khóa học · Courses</a></p>";
  return new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function fromCaches(request) {
  const names = (await caches.keys()).filter((name) => name.startsWith(PREFIX));
  for (const name of names) {
    // ignoreVary: the site's pages vary on Cookie and Accept-Encoding, which a page kept on
    // this learner's phone for reading offline must not depend on
    const found = await (await caches.open(name)).match(request, { ignoreVary: true });
    if (found) return found;
  }
  return request.mode === "navigate" ? notSaved() : Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(fetch(request).catch(() => fromCaches(request)));
});
