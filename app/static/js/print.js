// Cầu Nối: a "Print" button for printable cards; without JavaScript the browser's menu prints.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
