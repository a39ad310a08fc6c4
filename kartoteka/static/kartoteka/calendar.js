/* The calendar: drag a task to another day; the server moves the deadline, a refusal puts it back. */
(function () {
  "use strict";

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function showMessage(text) {
    var box = document.getElementById("calendar-message");
    if (!box) { return; }
    box.textContent = text || "";
    box.hidden = !text;
  }

  function move(item, cell) {
    var from = item.parentNode;
    var next = item.nextSibling;
    cell.appendChild(item);
    showMessage("");
    var body = new FormData();
    body.append("date", cell.dataset.date);
    body.append("version", item.dataset.version);
    fetch(item.dataset.rescheduleUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"},
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) {
          item.dataset.version = String(data.version);
          item.classList.remove("overdue");
          showMessage(data.warning || "");
          return;
        }
        from.insertBefore(item, next);
        showMessage(data.detail || response.statusText);
      });
    });
  }

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest(".cal-item[draggable=true]");
    if (!item) { return; }
    event.dataTransfer.setData("text/plain", item.dataset.id);
    event.dataTransfer.effectAllowed = "move";
  });

  document.addEventListener("dragover", function (event) {
    var cell = event.target.closest && event.target.closest(".calendar td[data-date]");
    if (!cell) { return; }
    event.preventDefault();
    cell.classList.add("drop-target");
  });

  document.addEventListener("dragleave", function (event) {
    var cell = event.target.closest && event.target.closest(".calendar td[data-date]");
    if (cell) { cell.classList.remove("drop-target"); }
  });

  document.addEventListener("drop", function (event) {
    var cell = event.target.closest && event.target.closest(".calendar td[data-date]");
    if (!cell) { return; }
    event.preventDefault();
    cell.classList.remove("drop-target");
    var id = event.dataTransfer.getData("text/plain");
    var item = document.querySelector('.cal-item[data-id="' + id + '"]');
    if (item && item.parentNode !== cell) { move(item, cell); }
  });
})();
