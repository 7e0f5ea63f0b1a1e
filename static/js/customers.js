// Tide customer pages: the live duplicate check of the customer form (查重),
// filters that apply on change, and export/transfer menus that close on
// an outside click. Texts come from the page (data-* attributes filled
// from the catalogue); the server still decides on save.
(function () {
  "use strict";

  var DEBOUNCE_MS = 300;
  // Duplicate-key origins (store.DuplicateOf.field) → the input to warn under.
  var FIELD_OF = { name: "name", phone: "phone", contact_phone: "phone", email: "email", contact_email: "email" };

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) {
      return Object.prototype.hasOwnProperty.call(values, k) ? values[k] : m;
    });
  }

  // message says which record a value collides with and who has it.
  function message(form, d) {
    if (d.owner) return fill(form.getAttribute("data-msg-owned") || "", { name: d.name, owner: d.owner.name });
    if (d.pool) return fill(form.getAttribute("data-msg-pool") || "", { name: d.name, pool: d.pool.name });
    return fill(form.getAttribute("data-msg-owned") || "", { name: d.name, owner: "" });
  }

  function value(form, name) {
    var el = form.querySelector('[name="' + name + '"]');
    return el ? el.value.trim() : "";
  }

  function setupDuplicateCheck(form) {
    var timer = null;
    var seq = 0;

    function show(duplicates) {
      var byField = {};
      duplicates.forEach(function (d) {
        var f = FIELD_OF[d.field] || "name";
        if (!byField[f]) byField[f] = message(form, d);
      });
      form.querySelectorAll("[data-dup-for]").forEach(function (p) {
        var text = byField[p.getAttribute("data-dup-for")];
        p.textContent = text || "";
        p.hidden = !text;
      });
    }

    function check() {
      var params = new URLSearchParams();
      ["name", "phone", "email"].forEach(function (n) {
        var v = value(form, n);
        if (v) params.set(n, v);
      });
      var except = form.getAttribute("data-except");
      if (except && except !== "0") params.set("except", except);
      if (!params.has("name") && !params.has("phone") && !params.has("email")) {
        show([]);
        return;
      }
      var mine = ++seq;
      window.Tide.api("GET", "/customers/check?" + params.toString()).then(function (res) {
        if (mine !== seq || res.status !== 200) return; // a newer check is on its way
        show(res.data.duplicates || []);
      }).catch(function () { /* offline: the server still checks on save */ });
    }

    form.addEventListener("input", function (e) {
      var n = e.target && e.target.name;
      if (n !== "name" && n !== "phone" && n !== "email") return;
      clearTimeout(timer);
      timer = setTimeout(check, DEBOUNCE_MS);
    });
  }

  // Filter forms apply a select or checkbox at once; text fields on Enter.
  function setupAutosubmit(form) {
    form.addEventListener("change", function (e) {
      var t = e.target;
      if (t.tagName === "SELECT" || t.type === "checkbox") form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  }

  // Dropdown menus (<details class="dropdown">) close on an outside click
  // or Escape, like the user menu.
  function closeDropdowns(except) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }

  function init() {
    document.querySelectorAll("form[data-dup-check]").forEach(setupDuplicateCheck);
    document.querySelectorAll("form[data-autosubmit]").forEach(setupAutosubmit);
    document.addEventListener("click", function (e) {
      closeDropdowns(e.target.closest && e.target.closest("details.dropdown"));
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") closeDropdowns(null);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
