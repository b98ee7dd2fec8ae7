// Dashboard filters: update the figures in place when the year or the set changes.
// Without JavaScript the form still works with its submit button.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("dashboard-filters");
  var body = document.getElementById("dashboard-body");
  if (!form || !body || !window.fetch) return;
  form.addEventListener("change", function () {
    var params = new URLSearchParams(new FormData(form));
    var url = window.location.pathname + "?" + params.toString();
    form.classList.add("loading");
    fetch(url + "&partial=1", { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        window.history.replaceState(null, "", url);
      })
      .catch(function () { window.location.href = url; })
      .finally(function () { form.classList.remove("loading"); });
  });
});
