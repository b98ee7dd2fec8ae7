// Polls a background job's state once a second and updates its progress bar; shows the
// download link when it is done. (A static file: the site's CSP allows no inline script.)
(function () {
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") return;
  var url = box.dataset.statusUrl;
  function show(state) {
    document.getElementById("job-status").textContent = state.status_label;
    document.getElementById("job-status").className = "badge badge-" + state.status;
    document.getElementById("job-message").textContent = state.message;
    var bar = document.getElementById("job-progress");
    var unknown = !state.finished && state.total <= 1;  // an import counts what it wrote
    if (unknown) bar.removeAttribute("value"); else bar.value = state.percent;
    document.getElementById("job-percent").textContent = unknown ? "" : state.percent + "%";
    if (state.download) {
      var link = document.querySelector("#job-download a");
      link.href = state.download;
      document.getElementById("job-download").hidden = false;
    }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) return;
        show(state);
        if (state.finished && state.reload) window.location.reload();
        else if (!state.finished) setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
