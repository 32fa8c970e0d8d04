// Newsroom desk: "reported before" beside each saved item (issue 12, point 4).
//
// Once the page is there, one request asks for every item's hints
// (digests.story.desk.hints_view); each answer is drawn by the server in the
// desk's language and placed under its card's head. The buttons (follow-up,
// repeat, not related) post the answer and redraw that card's hints. Items not
// yet saved have no id: they get their hints after the save. Without scripts the
// "Reported before?" link opens a page of the same hints with plain forms.
"use strict";
(function () {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
    const group = document.getElementById("items-group");
    if (!group || !group.dataset.storyUrl || !window.fetch) {
      return;
    }
    const announcer = document.getElementById("story-announce");
    const form = group.closest("form") || document;
    const tokenInput = form.querySelector('[name="csrfmiddlewaretoken"]');
    const token = tokenInput ? tokenInput.value : "";

    function announce(text) {
      if (announcer && text) {
        announcer.textContent = "";
        window.setTimeout(() => (announcer.textContent = text), 30);
      }
    }

    function fragment(html) {
      const box = document.createElement("div");
      box.innerHTML = html;
      return box.firstElementChild;
    }

    // Put an item's hints under its card's head, replacing any drawn before.
    function place(itemId, html) {
      const card = document.getElementById("item-" + itemId);
      if (!card) {
        return null;
      }
      const old = card.querySelector(".story-hints");
      const hints = html ? fragment(html) : null;
      if (old && hints) {
        old.replaceWith(hints);
      } else if (old) {
        old.remove();
      } else if (hints) {
        const head = card.querySelector(".item-head");
        (head || card.firstElementChild).after(hints);
      }
      return hints;
    }

    fetch(group.dataset.storyUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then((data) => {
        data.items.forEach((entry) => place(entry.item, entry.html));
        group.dataset.storyLoaded = "1";
        announce(data.message);
      })
      .catch(() => {
        group.dataset.storyLoaded = "error";
        announce(group.dataset.storyError);
      });

    group.addEventListener("click", (event) => {
      const button = event.target.closest(".story-answer");
      if (!button || button.disabled) {
        return;
      }
      const hints = button.closest(".story-hints");
      if (!hints || !hints.dataset.decideUrl) {
        return;
      }
      event.preventDefault();
      const body = new FormData();
      body.append("earlier", button.dataset.earlier);
      body.append("kind", button.dataset.kind);
      if (button.dataset.score) {
        body.append("score", button.dataset.score);
      }
      hints.querySelectorAll(".story-answer").forEach((b) => (b.disabled = true));
      fetch(hints.dataset.decideUrl, {
        method: "POST",
        headers: { Accept: "application/json", "X-CSRFToken": token },
        body: body,
        credentials: "same-origin",
      })
        .then((response) => response.json().then((data) => ({ response, data })))
        .then(({ response, data }) => {
          if (!response.ok) {
            hints.querySelectorAll(".story-answer").forEach((b) => (b.disabled = false));
            announce(data.message);
            return;
          }
          const drawn = place(hints.dataset.item, data.html);
          announce(data.message);
          // Keep the keyboard where it was: on the same answer, now pressed.
          const same =
            drawn &&
            drawn.querySelector(
              `.story-hint[data-earlier="${button.dataset.earlier}"] .story-answer-${button.dataset.kind}`
            );
          if (same) {
            same.focus();
          }
        })
        .catch(() => {
          hints.querySelectorAll(".story-answer").forEach((b) => (b.disabled = false));
          announce(group.dataset.storyError);
        });
    });
  }
})();
