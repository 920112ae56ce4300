/* The coordinators' badge scanner: the camera reads a volunteer's QR and submits the form.
   Uses the browser's BarcodeDetector when it has one, otherwise the vendored jsQR (loaded only
   here). Without JavaScript or a camera, the coordinator types the badge's short code. */
(function () {
  "use strict";
  var section = document.getElementById("scanner");
  var form = document.getElementById("scan-form");
  if (!section || !form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var video = document.getElementById("scanner-video");
  var start = document.getElementById("scanner-start");
  var stopButton = document.getElementById("scanner-stop");
  var status = document.getElementById("scanner-status");
  var codeField = form.querySelector("input[name=code]");
  var scannedAt = form.querySelector("input[name=scanned_at]");
  var detector = null;
  var canvas = document.createElement("canvas");
  var done = false;
  section.hidden = false;

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) return resolve();
      var script = document.createElement("script");
      script.src = section.getAttribute("data-jsqr");
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  // After each result the page reloads with the camera on again (the coordinator keeps
  // scanning); the badge just scanned is ignored for a few seconds so it is not sent twice.
  var REPEAT_MS = 60000;

  function seenJustNow(text) {
    try {
      var last = JSON.parse(sessionStorage.getItem("scanner-last") || "{}");
      return last.text === text && Date.now() - last.at < REPEAT_MS;
    } catch (e) { return false; }
  }

  function found(text) {
    if (done || !text) return;
    if (seenJustNow(text)) { setTimeout(tick, 300); return; }
    done = true;
    try { sessionStorage.setItem("scanner-last", JSON.stringify({ text: text, at: Date.now() })); } catch (e) { /* private mode */ }
    codeField.value = text;
    scannedAt.value = new Date().toISOString();
    if (video.srcObject) video.srcObject.getTracks().forEach(function (t) { t.stop(); });
    // requestSubmit, not submit: the offline queue (checkin-queue.js) hears the submit event
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function tick() {
    if (done) return;
    if (video.readyState < 2) return requestAnimationFrame(tick);
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) found(codes[0].rawValue);
        else setTimeout(tick, 150);
      }, function () { setTimeout(tick, 300); });
      return;
    }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    if (code && code.data) found(code.data);
    else setTimeout(tick, 150);
  }

  function begin() {
    start.disabled = true;
    try { sessionStorage.setItem("scanner-on", "1"); } catch (e) { /* private mode */ }
    var ready = ("BarcodeDetector" in window)
      ? Promise.resolve().then(function () { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); })
      : loadJsQR();
    ready
      .then(function () {
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        stopButton.hidden = false;
        return video.play();
      })
      .then(function () { status.textContent = ""; tick(); })
      .catch(function (problem) {
        start.disabled = false;
        status.textContent = String(problem && problem.message || problem);
      });
  }

  function stop() {
    done = true;
    try { sessionStorage.removeItem("scanner-on"); } catch (e) { /* private mode */ }
    if (video.srcObject) video.srcObject.getTracks().forEach(function (t) { t.stop(); });
    video.hidden = true;
    stopButton.hidden = true;
    start.disabled = false;
  }

  // a scan kept offline does not reload the page: the camera goes on for the next badge
  form.addEventListener("checkin-queued", function () { done = false; begin(); });
  start.addEventListener("click", function () { done = false; begin(); });
  stopButton.addEventListener("click", stop);
  var on = false;
  try { on = sessionStorage.getItem("scanner-on") === "1"; } catch (e) { /* private mode */ }
  if (on) begin();
})();
