// Filter a long checkbox list (e.g. Hanoi's 126 communes) as the user types, ignoring accents.
// The list works without this script; the search box stays hidden until the script runs.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase();
  }
  document.querySelectorAll("[data-filter-for]").forEach(function (box) {
    var list = document.getElementById(box.getAttribute("data-filter-for"));
    var input = box.querySelector("input");
    if (!list || !input) return;
    box.hidden = false;
    var items = Array.prototype.map.call(list.querySelectorAll("li"), function (li) {
      return { li: li, text: fold(li.textContent) };
    });
    input.addEventListener("input", function () {
      var query = fold(input.value.trim());
      items.forEach(function (item) {
        item.li.hidden = query !== "" && item.text.indexOf(query) === -1;
      });
    });
  });
})();
