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
  var shared = window.CauNoiQueue;
  if (!status || !shared || !shared.supported()) return;
  var data = status.dataset;
  var scans = new shared.Queue("checkin-queue:" + data.user);
  var sending = false;

  function show() {
    var count = scans.items().length;
    status.hidden = count === 0;
    status.textContent = data.textWaiting.replace("%(num)s", count);
  }

  if (form) form.addEventListener("submit", function (event) {
    if (navigator.onLine) return;
    event.preventDefault();
    var code = form.elements.code;
    var token = code ? code.value.trim() : form.dataset.token;
    if (!token) return;
    scans.add({
      token: token,
      nonce: shared.newId(),
      scanned_at: new Date().toISOString(),
      service_point: data.point || null
    });
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
    var scan = scans.items()[0];
    if (!scan) { show(); return; }
    sending = true;
    shared.send(data.syncUrl, data.syncToken, scan).then(function (outcome) {
      sending = false;
      if (outcome.kind === "answer") {  // checked in, or refused with the reason
        scans.keep(function (s) { return s.nonce !== scan.nonce; });
        var body = outcome.body;
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
