// Newsroom desk: comment on one card (an item, the analysis, the trends).
// The page holds one comment box, in the review thread; a card's "Comment" link
// moves it into that card and fills in what the comment is about. Without
// scripts the link reloads the page with the box already pointed at the card.
"use strict";
function reviewCards() {
  const compose = document.getElementById("review-compose");
  if (!compose) {
    return;
  }
  const home = compose.parentNode;
  const homeNext = compose.nextSibling;
  const anchor = compose.querySelector('input[name="anchor"]');
  const item = compose.querySelector('input[name="item"]');
  const on = compose.querySelector(".review-on");
  const onLabel = compose.querySelector(".review-on-label");
  const cancel = compose.querySelector(".review-cancel");
  const note = compose.querySelector("textarea");
  let opener = null;

  function label(card, link) {
    if (link.dataset.label) {
      return link.dataset.label;
    }
    const box = card.closest("[id^='item-']") || card.parentNode;
    const summary = box.querySelector(".item-summary");
    if (summary) {
      return summary.textContent.trim();
    }
    const topic = box.querySelector("input[name$='-topic']");
    const title = box.querySelector("input[name$='-title']");
    if (topic && title) {
      return topic.value + "-" + title.value;
    }
    const heading = box.querySelector("h2, h3, legend, summary");
    return heading ? heading.textContent.trim() : "";
  }

  function open(link) {
    const card = link.closest(".review-card");
    const key = card.dataset.reviewKey;
    const isItem = /^\d+$/.test(key);
    anchor.value = isItem ? "item" : key;
    item.value = isItem ? key : "";
    onLabel.textContent = label(card, link);
    on.hidden = false;
    cancel.hidden = false;
    if (opener) {
      opener.setAttribute("aria-expanded", "false");
    }
    opener = link;
    link.setAttribute("aria-expanded", "true");
    link.after(compose);
    compose.classList.add("review-compose-in-card");
    note.focus();
  }

  function close() {
    home.insertBefore(compose, homeNext);
    compose.classList.remove("review-compose-in-card");
    anchor.value = "digest";
    item.value = "";
    on.hidden = true;
    cancel.hidden = true;
    if (opener) {
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
      opener = null;
    }
  }

  document.querySelectorAll(".review-add").forEach((link) => {
    link.setAttribute("role", "button");
    link.setAttribute("aria-expanded", "false");
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest(".review-add");
    if (!link) {
      return;
    }
    event.preventDefault();
    if (opener === link) {
      close();
    } else {
      open(link);
    }
  });
  // A link with role=button answers Space as a button does (Enter already follows it).
  document.addEventListener("keydown", (event) => {
    const link = event.target.closest && event.target.closest(".review-add");
    if (link && event.key === " ") {
      event.preventDefault();
      link.click();
    }
  });
  cancel.addEventListener("click", (event) => {
    event.preventDefault();
    close();
  });
  compose.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && opener) {
      close();
    }
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", reviewCards);
} else {
  reviewCards();
}
