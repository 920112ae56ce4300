// Cầu Nối: the profile's "Notifications on this phone" switch. It registers the push service
// worker (/sw.js, scope "/"), asks the browser for a push subscription with the site's VAPID
// public key and hands it to the site; switched off, it tells the site to forget it. Without
// JavaScript or push support the switch stays hidden and the page says why.
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    return;
  }
  var toggle = box.querySelector("[data-push-toggle]");
  var status = box.querySelector("[data-push-status]");
  var unsupported = document.querySelector("[data-push-unsupported]");
  box.hidden = false;
  if (unsupported) unsupported.hidden = true;

  function say(name) {
    status.textContent = box.getAttribute("data-text-" + name) || "";
  }

  // The VAPID key arrives base64url; the browser wants its bytes.
  function keyBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function registration() {
    return navigator.serviceWorker.register(box.getAttribute("data-worker"), { scope: "/" });
  }

  function tell(method, body) {
    return fetch(box.getAttribute("data-url"), {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.getAttribute("data-csrf") },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) throw new Error("the site answered " + response.status);
    });
  }

  function turnOn() {
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error("denied");
      return registration();
    }).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (existing) {
        return existing || reg.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(box.getAttribute("data-key"))
        });
      });
    }).then(function (subscription) {
      return tell("POST", subscription.toJSON());
    });
  }

  function turnOff() {
    return registration().then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) return null;
      return tell("DELETE", { endpoint: subscription.endpoint }).then(function () {
        return subscription.unsubscribe();
      });
    });
  }

  registration().then(function (reg) {
    return reg.pushManager.getSubscription();
  }).then(function (subscription) {
    toggle.checked = Boolean(subscription) && Notification.permission === "granted";
  }).catch(function () {
    toggle.checked = false;
  });

  toggle.addEventListener("change", function () {
    var on = toggle.checked;
    toggle.disabled = true;
    (on ? turnOn() : turnOff()).then(function () {
      say(on ? "on" : "off");
    }).catch(function (error) {
      toggle.checked = !on;
      say(error && error.message === "denied" ? "denied" : "failed");
    }).then(function () {
      toggle.disabled = false;
    });
  });
})();
