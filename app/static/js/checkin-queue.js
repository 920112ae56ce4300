/* The check-in pages' offline queue (the poster's check-in page and the coordinator's badge
   scanner). When the phone has no network, a scan is kept on the phone with a nonce made here
   and the time it happened, "N waiting to send" is shown, and the scans are sent to
   /check-in/sync when the network returns (or the next time a check-in page opens). With the
   network, the form posts as it does without JavaScript. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-checkin-queue]");
  var status = document.getElementById("checkin-queue-status");
  var result = document.getElementById("checkin-queue-result");
  if (!status || !window.fetch || !window.localStorage || !window.JSON) return;
  var data = status.dataset;
  var KEY = "checkin-queue:" + data.user;
  var sending = false;

  function queue() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }

  function write(scans) {
    try { localStorage.setItem(KEY, JSON.stringify(scans)); } catch (e) { /* storage full */ }
  }

  function show() {
    var count = queue().length;
    status.hidden = count === 0;
    status.textContent = data.textWaiting.replace("%(num)s", count);
  }

  function newNonce() {
    var bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  if (form) form.addEventListener("submit", function (event) {
    if (navigator.onLine) return;
    event.preventDefault();
    var code = form.elements.code;
    var token = code ? code.value.trim() : form.dataset.token;
    if (!token) return;
    var waiting = queue();
    waiting.push({
      token: token,
      nonce: newNonce(),
      scanned_at: new Date().toISOString(),
      service_point: data.point || null
    });
    write(waiting);
    if (code) code.value = "";
    show();
    form.dispatchEvent(new CustomEvent("checkin-queued"));
  });

  function say(text) {
    if (!result) return;
    result.hidden = false;
    result.textContent = text;
  }

  function flush() {
    if (sending || !navigator.onLine) return;
    var waiting = queue();
    if (!waiting.length) { show(); return; }
    sending = true;
    var scan = waiting[0];
    fetch(data.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-Sync-Token": data.syncToken },
      body: JSON.stringify(scan)
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) return { kind: "auth" };  // a redirect to the login page
      return response.json().then(function (body) {
        if (response.status === 200 || response.status === 400 || response.status === 409) {
          return { kind: "done", body: body };
        }
        if (response.status === 401 || response.status === 403) return { kind: "auth", body: body };
        return { kind: "retry" };
      });
    }, function () { return { kind: "retry" }; }).then(function (outcome) {
      sending = false;
      if (outcome.kind === "done") {
        write(queue().filter(function (s) { return s.nonce !== scan.nonce; }));
        var body = outcome.body || {};
        say((body.volunteer ? body.volunteer + ": " : "") + (body.message || ""));
        show();
        flush();
      } else if (outcome.kind === "auth") {
        say(data.textSignin);
      } else {
        setTimeout(flush, 5000);
      }
    });
  }

  window.addEventListener("online", flush);
  show();
  flush();
})();
