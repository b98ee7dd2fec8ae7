// The number of things waiting for the user, beside "Việc cần làm" in the navigation.
// Fetched after the page has loaded, so that no page waits for it.
document.addEventListener("DOMContentLoaded", function () {
  var link = document.getElementById("nav-inbox");
  if (!link || !window.fetch) return;
  fetch(link.getAttribute("data-count-url"), { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.total) return;
      var badge = document.createElement("span");
      badge.className = "count";
      badge.id = "nav-inbox-count";
      badge.textContent = String(data.total);
      link.appendChild(badge);
    })
    .catch(function () {});
});
