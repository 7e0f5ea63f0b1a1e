// Tide tasks: the task form's customer search and reminder presets.
// Without this file the form still works (customer from the page that
// linked here, custom time typed by hand).
(function () {
  "use strict";

  // The custom reminder time only matters with the "custom" preset.
  var custom = document.querySelector(".remind-custom");
  function syncCustom() {
    var on = document.querySelector('input[name="remind"]:checked');
    if (custom) custom.hidden = !(on && on.value === "custom");
  }
  document.querySelectorAll('input[name="remind"]').forEach(function (r) { r.addEventListener("change", syncCustom); });
  syncCustom();

  // app.js (window.Tide) loads after this file; it is looked up on use.
  var picker = document.querySelector("[data-picker]");
  if (!picker) return;
  var q = picker.querySelector("[data-picker-q]");
  var id = picker.querySelector("[data-picker-id]");
  var results = picker.querySelector("[data-picker-results]");
  var opps = document.querySelector("[data-picker-opps]");
  var timer;

  function loadOpps(customerID) {
    if (!opps) return;
    while (opps.options.length > 1) opps.remove(1);
    if (!customerID) return;
    window.Tide.api("GET", "/opportunities?status=open&per_page=100&customer_id=" + customerID).then(function (r) {
      (r.data.items || []).forEach(function (o) { opps.add(new Option(o.name, o.id)); });
    });
  }

  function choose(c) {
    id.value = c ? c.id : "";
    q.value = c ? c.name : "";
    results.hidden = true;
    loadOpps(c && c.id);
  }

  q.addEventListener("input", function () {
    id.value = "";
    clearTimeout(timer);
    var term = q.value.trim();
    if (!term) { results.hidden = true; loadOpps(""); return; }
    timer = setTimeout(function () {
      window.Tide.api("GET", "/customers?per_page=8&q=" + encodeURIComponent(term)).then(function (r) {
        results.textContent = "";
        (r.data.items || []).forEach(function (c) {
          var li = document.createElement("li");
          var b = document.createElement("button");
          b.type = "button";
          b.textContent = c.name;
          b.addEventListener("click", function () { choose(c); });
          li.appendChild(b);
          results.appendChild(li);
        });
        results.hidden = !results.children.length;
      });
    }, 200);
  });
})();
