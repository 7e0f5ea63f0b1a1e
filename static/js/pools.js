// Tide pools page: "select all" and the selected count of the bulk form.
// The page works without it (tick rows one by one).
(function () {
  "use strict";
  var form = document.querySelector("form[data-bulk]");
  if (!form) return;
  var all = form.querySelector("[data-check-all]");
  var count = form.querySelector("[data-bulk-count]");
  function boxes() { return form.querySelectorAll('input[name="customer_ids"]'); }
  function update() {
    var n = 0, total = 0;
    boxes().forEach(function (b) { total++; if (b.checked) n++; });
    if (all) { all.checked = total > 0 && n === total; all.indeterminate = n > 0 && n < total; }
    if (count) {
      count.hidden = n === 0;
      count.textContent = (count.getAttribute("data-template") || "{n}").replace("{n}", n);
    }
  }
  if (all) {
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      update();
    });
  }
  form.addEventListener("change", function (e) {
    if (e.target && e.target.name === "customer_ids") update();
  });
  update();
})();
