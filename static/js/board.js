// Tide kanban board (销售看板): HTML5 drag and drop between stage columns.
// Without this file every card still has its own move form (PRG).
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  // app.js (window.Tide) is deferred after this file; it is needed only
  // when a card is dropped, by which time every deferred script has run.
  if (!board) return;
  var msg = document.getElementById("board-msg");
  var dragged = null, home = null, homeNext = null;

  function money(fen) {
    var yuan = Math.floor(fen / 100), cents = String(fen % 100);
    if (cents.length < 2) cents = "0" + cents;
    return "¥" + String(yuan).replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + cents;
  }

  function say(text) {
    if (!msg) return;
    msg.textContent = text || "";
    msg.hidden = !text;
  }

  // adjust changes a column's count and total by one card.
  function adjust(col, card, sign) {
    if (!col || !col.hasAttribute("data-count")) return;
    var count = parseInt(col.getAttribute("data-count"), 10) + sign;
    var amount = parseInt(col.getAttribute("data-amount"), 10) + sign * parseInt(card.getAttribute("data-amount"), 10);
    col.setAttribute("data-count", count);
    col.setAttribute("data-amount", amount);
    col.querySelector(".board-count").textContent = count;
    col.querySelector(".board-sum").textContent = money(amount);
  }

  function putBack(card, parent, next) {
    if (next && next.parentNode !== parent) next = null;
    parent.insertBefore(card, next);
  }

  board.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".opp-card");
    if (!card) return;
    dragged = card;
    home = card.parentNode;
    homeNext = card.nextSibling;
    card.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.getAttribute("data-id"));
  });

  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    board.querySelectorAll(".drop-over").forEach(function (el) { el.classList.remove("drop-over"); });
  });

  function target(e) {
    return e.target.closest && e.target.closest("[data-drop]");
  }

  board.addEventListener("dragover", function (e) {
    var t = target(e);
    if (!t || !dragged) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    t.classList.add("drop-over");
  });

  board.addEventListener("dragleave", function (e) {
    var t = target(e);
    if (t && !t.contains(e.relatedTarget)) t.classList.remove("drop-over");
  });

  board.addEventListener("drop", function (e) {
    var t = target(e);
    if (!t || !dragged) return;
    e.preventDefault();
    t.classList.remove("drop-over");
    var card = dragged, id = card.getAttribute("data-id");
    var col = t.closest("[data-stage-id]") || t;
    var stageID = parseInt(col.getAttribute("data-stage-id"), 10);
    var kind = col.getAttribute("data-kind");
    var backParent = home, backNext = homeNext;
    var fromCol = home.closest(".board-col");
    if (kind !== "open") {
      // Won or lost ask for what closing needs on their own page.
      var next = window.location.pathname + window.location.search;
      window.location.href = "/opportunities/" + id + "/close?stage=" + stageID + "&next=" + encodeURIComponent(next);
      return;
    }
    if (col === fromCol) return;
    // Show the move at once; undo it if the server refuses.
    t.appendChild(card);
    adjust(fromCol, card, -1);
    adjust(col, card, +1);
    say("");
    card.classList.add("saving");
    var version = parseInt(card.getAttribute("data-version"), 10);
    window.Tide.api("POST", "/opportunities/" + id + "/stage", { stage_id: stageID, version: version }).then(function (r) {
      card.classList.remove("saving");
      if (r.status === 200) {
        card.setAttribute("data-version", r.data.version);
        var v = card.querySelector('input[name="version"]');
        if (v) v.value = r.data.version;
        var sel = card.querySelector('select[name="stage_id"]');
        if (sel) sel.value = String(stageID);
        var days = card.querySelector(".opp-days");
        if (days) days.textContent = board.getAttribute("data-zero-days");
        refreshForecast();
        return;
      }
      adjust(col, card, -1);
      adjust(fromCol, card, +1);
      putBack(card, backParent, backNext);
      say((r.data && r.data.error && r.data.error.message) || board.getAttribute("data-fail"));
    }, function () {
      card.classList.remove("saving");
      adjust(col, card, -1);
      adjust(fromCol, card, +1);
      putBack(card, backParent, backNext);
      say(board.getAttribute("data-fail"));
    });
  });
  // refreshForecast re-reads the forecast from the server-rendered page,
  // so the weighted totals follow a moved card without a second formula
  // in JavaScript.
  function refreshForecast() {
    fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".forecast");
      var cur = document.querySelector(".forecast");
      if (fresh && cur) cur.innerHTML = fresh.innerHTML;
    }, function () {});
  }
})();
