// Cầu Nối's push service worker, served at /sw.js with scope "/". Push only: it answers no
// fetch, so pages always come from the network (the courses' offline worker has its own scope).
// A push carries {"title", "body", "url"}, encrypted for this browser; a tap opens the url.
"use strict";

self.addEventListener("push", function (event) {
  var notice = {};
  try {
    notice = event.data ? event.data.json() : {};
  } catch (error) {
    notice = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(notice.title || "Cầu Nối", {
      body: notice.body || "",
      icon: "/static/favicon.svg",
      data: { url: notice.url || "/" }
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (windows[i].url === url && "focus" in windows[i]) return windows[i].focus();
      }
      return self.clients.openWindow(url);
    })
  );
});
