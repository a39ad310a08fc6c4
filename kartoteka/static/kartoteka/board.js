/* The deal kanban: drag a card to another column; the server decides (stage rules), a refusal snaps it back. */
(function () {
  "use strict";

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function formatAmount(value, currency) {
    var whole = Math.round(value * 100) / 100;
    var text = (whole % 1 === 0 ? whole.toFixed(0) : whole.toFixed(2)).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
    return text + " " + currency;
  }

  function adjust(column, countDelta, amountDelta) {
    var count = column.querySelector("[data-count]");
    var total = column.querySelector("[data-total]");
    count.textContent = String(parseInt(count.textContent, 10) + countDelta);
    var raw = parseFloat(total.dataset.raw || "0") + amountDelta;
    total.dataset.raw = String(raw);
    total.textContent = formatAmount(raw, total.dataset.currency || "");
  }

  function showMessage(text) {
    var box = document.getElementById("board-message");
    box.textContent = text;
    box.hidden = !text;
  }

  function askLostReason() {
    var dialog = document.getElementById("lost-dialog");
    return new Promise(function (resolve) {
      dialog.querySelector("select").value = "";
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        resolve(dialog.returnValue === "ok" ? dialog.querySelector("select").value : null);
      });
      dialog.showModal();
    });
  }

  function move(card, column, lostReason) {
    var from = card.closest(".board-col");
    var nextSibling = card.nextElementSibling;
    var amount = parseFloat(card.dataset.amount || "0");
    column.querySelector(".board-cards").prepend(card);
    adjust(from, -1, -amount);
    adjust(column, 1, amount);
    showMessage("");
    var body = new FormData();
    body.append("stage", column.dataset.stage);
    body.append("version", card.dataset.version);
    if (lostReason) { body.append("lost_reason", lostReason); }
    card.classList.add("saving");
    fetch(card.dataset.moveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"},
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        card.classList.remove("saving");
        if (response.ok) {
          card.dataset.version = String(data.version);
          return;
        }
        from.querySelector(".board-cards").insertBefore(card, nextSibling && nextSibling.parentNode ? nextSibling : null);
        adjust(column, -1, -amount);
        adjust(from, 1, amount);
        showMessage(data.detail || response.statusText);
      });
    });
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".deal-card[draggable=true]");
    if (!card) { return; }
    event.dataTransfer.setData("text/plain", card.dataset.id);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
  });

  document.addEventListener("dragend", function (event) {
    var card = event.target.closest && event.target.closest(".deal-card");
    if (card) { card.classList.remove("dragging"); }
  });

  document.addEventListener("dragover", function (event) {
    if (event.target.closest && event.target.closest(".board-col")) { event.preventDefault(); }
  });

  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".board-col");
    if (!column) { return; }
    event.preventDefault();
    var id = event.dataTransfer.getData("text/plain");
    var card = document.querySelector('.deal-card[data-id="' + id + '"]');
    if (!card || card.closest(".board-col") === column) { return; }
    if (column.dataset.kind === "lost") {
      askLostReason().then(function (reason) { if (reason) { move(card, column, reason); } });
    } else {
      move(card, column, null);
    }
  });
})();
