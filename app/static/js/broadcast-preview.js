// Keep a broadcast's reach and SMS preview up to date while the coordinator writes: the page's
// own "Preview" is posted in the background and its counts replace these. The server measures
// with the SMS channel's rules; the page works the same without this script, with the button.
(function () {
  "use strict";
  var form = document.querySelector("form[data-broadcast]");
  var live = document.getElementById("broadcast-live");
  if (!form || !live || !window.fetch || !window.DOMParser) return;
  var timer = null;
  var asked = 0;
  function refresh() {
    var data = new FormData(form);
    data.set("preview", "1");
    var ticket = ++asked;
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (ticket !== asked) return; // an older answer arriving late
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("broadcast-live");
        if (fresh) live.innerHTML = fresh.innerHTML;
      })
      .catch(function () { /* offline: the button still works */ });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
