// Newsroom desk: move items up and down on the digest page.
// The order is kept in each item's "position" field, renumbered 1, 2, 3 … in
// the order the items stand on the page whenever one moves or the form is sent.
"use strict";
(function () {
  const chinese = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const LABELS = chinese
    ? { up: "上移", down: "下移" }
    : { up: "Move up", down: "Move down" };

  function items(group) {
    return Array.from(group.querySelectorAll(".inline-related")).filter(
      (el) => !el.classList.contains("empty-form") && el.querySelector('input[name$="-position"]')
    );
  }

  function renumber(group) {
    let n = 1;
    items(group).forEach((el) => {
      const remove = el.querySelector('input[name$="-DELETE"]');
      const position = el.querySelector('input[name$="-position"]');
      if (!(remove && remove.checked)) {
        position.value = n++;
      }
    });
  }

  function button(label, title, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "item-move";
    b.textContent = label;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", onClick);
    return b;
  }

  function addControls(group, el) {
    const header = el.querySelector("h3");
    if (!header || header.querySelector(".item-move")) {
      return;
    }
    const up = button("↑", LABELS.up, () => {
      const list = items(group);
      const index = list.indexOf(el);
      if (index > 0) {
        list[index - 1].before(el);
        renumber(group);
        up.focus();
      }
    });
    const down = button("↓", LABELS.down, () => {
      const list = items(group);
      const index = list.indexOf(el);
      if (index < list.length - 1) {
        list[index + 1].after(el);
        renumber(group);
        down.focus();
      }
    });
    const wrap = document.createElement("span");
    wrap.className = "item-move-controls";
    wrap.append(up, down);
    header.append(wrap);
  }

  function init() {
    const group = document.getElementById("items-group");
    if (!group) {
      return;
    }
    items(group).forEach((el) => addControls(group, el));
    document.addEventListener("formset:added", (event) => {
      if (event.detail && event.detail.formsetName === "items") {
        addControls(group, event.target);
        renumber(group);
      }
    });
    const form = group.closest("form");
    if (form) {
      form.addEventListener("submit", () => renumber(group));
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
