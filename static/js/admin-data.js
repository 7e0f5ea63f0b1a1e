// Restore in progress: wait until the restarted server answers /healthz,
// then return to the backups page (sign in again if the restored database
// does not know this session).
(function () {
  var box = document.querySelector("[data-restoring]");
  if (!box) return;
  var tries = 0;
  function poll() {
    tries++;
    fetch("/healthz", { cache: "no-store" }).then(function (r) {
      if (r.ok && tries > 1) { window.location.href = "/admin/backups"; return; }
      setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, 1500);
})();
