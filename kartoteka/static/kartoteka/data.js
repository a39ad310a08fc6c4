/* Data features: the header search (Ctrl+K), the export and saved-view forms. No inline script (CSP). */
document.addEventListener("keydown", function (event) {
  var box = document.getElementById("global-search");
  if (!box) { return; }
  if ((event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K" || event.key === "л" || event.key === "Л")) {
    event.preventDefault();
    box.focus();
    box.select();
  } else if (event.key === "Escape" && document.activeElement === box) {
    document.getElementById("global-search-results").innerHTML = "";
    box.blur();
  }
});

/* The export form posts to /export/ with the list's current filters: the list updates the address bar as
   filters change (hx-push-url), so the query string is taken at the moment of submitting. */
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.matches && form.matches("form[data-export]")) {
    form.action = form.dataset.export + window.location.search;
  }
});

/* Saving a view takes the list's current query string (the list updates the address bar as filters change). */
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.matches && form.matches("form[data-save-view]")) {
    form.querySelector("input[name=query]").value = window.location.search.replace(/^\?/, "");
  }
});
