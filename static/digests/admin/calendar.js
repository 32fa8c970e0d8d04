/* The desk calendar: drag a scheduled day onto another day (or press its Reschedule
   button) to open a dialog with the new time; confirming posts the workflow's
   "reschedule" transition as an ordinary form, so the admin's message shows after it. */
(function () {
  "use strict";

  function start() {
    const dialog = document.getElementById("reschedule-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      return;
    }
    const form = dialog.querySelector("form");
    const input = dialog.querySelector("input[name=publish_at]");
    const label = dialog.querySelector(".reschedule-digest-date");
    let dragged = null;
    let opener = null;

    function open(card, day) {
      // The new day at the digest's old time ("YYYY-MM-DDTHH:MM", the newsroom's zone).
      const old = card.dataset.publishAt || "";
      const time = old.split("T")[1] || "08:00";
      form.action = card.dataset.rescheduleUrl;
      input.value = (day || old.split("T")[0]) + "T" + time;
      label.textContent = card.dataset.digestDate;
      opener = card.querySelector(".calendar-reschedule");
      dialog.showModal();
      input.focus();
    }

    function clearTargets() {
      document.querySelectorAll("table.month td.drop-target").forEach(function (cell) {
        cell.classList.remove("drop-target");
      });
    }

    document.querySelectorAll(".calendar-digest.is-draggable").forEach(function (card) {
      card.addEventListener("dragstart", function (event) {
        dragged = card;
        card.classList.add("is-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", card.dataset.digest);
      });
      card.addEventListener("dragend", function () {
        card.classList.remove("is-dragging");
        clearTargets();
        dragged = null;
      });
      const button = card.querySelector(".calendar-reschedule");
      if (button) {
        button.addEventListener("click", function () {
          open(card, null);
        });
      }
    });

    document.querySelectorAll("table.month td[data-date]").forEach(function (cell) {
      cell.addEventListener("dragover", function (event) {
        if (!dragged) {
          return;
        }
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        cell.classList.add("drop-target");
      });
      cell.addEventListener("dragleave", function (event) {
        if (!cell.contains(event.relatedTarget)) {
          cell.classList.remove("drop-target");
        }
      });
      cell.addEventListener("drop", function (event) {
        if (!dragged) {
          return;
        }
        event.preventDefault();
        const card = dragged;
        clearTargets();
        dragged = null;
        open(card, cell.dataset.date);
      });
    });

    dialog.querySelector(".reschedule-cancel").addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("close", function () {
      if (opener) {
        opener.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
