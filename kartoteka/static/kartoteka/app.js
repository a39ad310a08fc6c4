/* Kartoteka's own script: small, no inline handlers (the CSP forbids them). */
document.addEventListener("alpine:init", function () {
  window.Alpine.data("toggle", function () {
    return {
      open: false,
      flip: function () { this.open = !this.open; },
      get openClass() { return this.open ? "open" : ""; },
    };
  });
});

document.addEventListener("change", function (event) {
  var box = event.target;
  if (box.matches && box.matches("input[data-select-all]")) {
    document.querySelectorAll('input[name="pk"][form="bulk-form"]').forEach(function (item) {
      item.checked = box.checked;
    });
  }
});

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.id === "bulk-form") {
    var action = form.querySelector("select[name=action]").value;
    var chosen = document.querySelectorAll('input[name="pk"][form="bulk-form"]:checked').length;
    if (!action || chosen === 0) { event.preventDefault(); return; }
    if (action === "delete" && !window.confirm(form.dataset.confirmDelete || "Delete the selected records?")) {
      event.preventDefault();
    }
  }
});

/* Escape cancels an inline cell edit. */
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape" && event.target.closest && event.target.closest(".cell-form")) {
    var cancel = event.target.closest(".cell-form").querySelector("button[type=button]");
    if (cancel) { cancel.click(); }
  }
});
