// Selects marked data-autosubmit submit their form when changed (no inline handlers: CSP-ready).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.hasAttribute && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
