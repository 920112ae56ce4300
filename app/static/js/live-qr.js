/* The live check-in QR: fetch a new SVG at each 30-second window. Without JavaScript the page
   reloads itself every 30 seconds (<noscript> meta refresh). */
(function () {
  "use strict";
  var box = document.getElementById("live-qr");
  if (!box) return;
  var status = document.getElementById("live-qr-status");
  var src = box.getAttribute("data-src");
  var windowMs = parseInt(box.getAttribute("data-window-ms"), 10) || 30000;
  var nextMs = parseInt(box.getAttribute("data-next-ms"), 10) || windowMs;

  function refresh() {
    fetch(src + "?t=" + Date.now(), { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (text) {
        var svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
        if (svg.nodeName.toLowerCase() !== "svg") throw new Error("not svg");
        box.replaceChildren(document.importNode(svg, true));
        box.classList.remove("stale");
        if (status) status.textContent = "";
      })
      .catch(function () {
        // keep the old code (still valid for one more window) and say the screen is offline
        box.classList.add("stale");
        if (status) status.textContent = box.getAttribute("data-offline") || "⚠";
      });
  }

  setTimeout(function () {
    refresh();
    setInterval(refresh, windowMs);
  }, nextMs);
})();
