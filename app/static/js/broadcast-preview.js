// A broadcast's SMS preview kept up to date while the coordinator writes: the form is posted in
// the background as a "Preview" with live=1, and the server answers the preview alone, measured
// with the SMS channel's rules. Choosing another commune previews the whole page again (its
// reach changes). Without this script the "Preview" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-broadcast]");
  var message = form && form.querySelector("textarea[name=message]");
  var button = form && form.querySelector("[name=preview]");
  if (!form || !message || !button || !window.fetch) return;
  var timer = null;
  var asked = 0;
  function refresh() {
    var data = new FormData(form);
    data.set("preview", button.value);
    data.set("live", "1");
    var ticket = ++asked;
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var shown = document.getElementById("broadcast-preview");
        if (ticket !== asked || !shown) return; // an older answer arriving late
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("broadcast-preview");
        if (fresh) shown.innerHTML = fresh.innerHTML;
      })
      .catch(function () { /* offline: the button still works */ });
  }
  message.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  // text already there when the script starts (typed while the page loaded, or kept by the
  // browser on going back) is previewed at once
  if (message.value) refresh();
  var commune = form.querySelector("select[name=commune]");
  if (commune) {
    commune.addEventListener("change", function () { button.click(); });
  }
})();
