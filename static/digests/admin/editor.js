// Newsroom desk: the digest's items as cards grouped by section (issue 10, point 2).
//
// Cards move by drag and drop on their handle, by keyboard on the same handle
// (Space or Enter picks up, arrow keys move, Space or Enter drops, Escape cancels)
// and by the up/down buttons. The page keeps each card's hidden position
// (1, 2, 3 … in page order) and section (the section it stands in). The API the
// autosave part uses is window.NewsroomEditor (described in docs/).
"use strict";
(function () {
  const _ = (text) => (typeof window.gettext === "function" ? window.gettext(text) : text);
  const format = (text, values) =>
    typeof window.interpolate === "function"
      ? window.interpolate(text, values)
      : values.reduce((out, value) => out.replace("%s", value), text);

  const CARD = ".item-card";
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
    const group = document.getElementById("items-group");
    if (!group) {
      return;
    }
    const editable = group.classList.contains("is-editable");
    const form = group.closest("form");
    const sectionList = document.getElementById("section-list");
    const announcer = document.getElementById("editor-announce");
    let grabbed = null; // the card picked up with the keyboard: {card, handle, parent, next}
    let dragging = null; // the card dragged with a pointer
    let moving = false; // a card is being moved in the page: focus leaving is not a drop

    function announce(text) {
      if (announcer) {
        announcer.textContent = "";
        window.setTimeout(() => (announcer.textContent = text), 30);
      }
    }

    const cards = (root) => Array.from((root || group).querySelectorAll(".section-items > " + CARD));
    const sections = () => Array.from(group.querySelectorAll(".desk-section"));
    const field = (card, name) => card.querySelector(`[name$="-${name}"]`);
    const sectionOf = (card) => card.closest(".desk-section");
    const sectionName = (section) => section.querySelector(".section-name").textContent.trim();
    const title = (card) => card.querySelector(".item-summary").textContent.trim();
    const isDeleted = (card) => {
      const box = field(card, "DELETE");
      return Boolean(box && box.checked);
    };

    function renumber() {
      let n = 1;
      cards().forEach((card) => {
        const section = sectionOf(card);
        const category = field(card, "category");
        if (category) {
          category.value = section.dataset.categoryId;
        }
        const position = field(card, "position");
        card.classList.toggle("is-deleted", isDeleted(card));
        if (position && !isDeleted(card)) {
          position.value = n++;
        }
      });
      sections().forEach((section) => {
        const count = section.querySelector(".section-count");
        if (count) {
          count.textContent = cards(section).filter((card) => !isDeleted(card)).length;
        }
      });
      limitAdding();
    }

    function changed(card, reason) {
      renumber();
      const position = card && card.querySelector && field(card, "position");
      (position || form).dispatchEvent(new Event("input", { bubbles: true }));
      form.dispatchEvent(new CustomEvent("newsroom:changed", { detail: { reason, card } }));
    }

    function place(card) {
      const section = sectionOf(card);
      const inSection = cards(section);
      return format(_("%s: place %s of %s in %s."), [
        title(card),
        inSection.indexOf(card) + 1,
        inSection.length,
        sectionName(section),
      ]);
    }

    // --- moving ------------------------------------------------------------------------

    function keepFocus(element, work) {
      moving = true;
      try {
        work();
      } finally {
        moving = false;
      }
      if (element) {
        element.focus();
      }
    }

    // One place up (-1) or down (+1); past a section's edge into the neighbouring section.
    function move(card, step) {
      const list = card.parentElement;
      const sibling = step < 0 ? card.previousElementSibling : card.nextElementSibling;
      if (sibling) {
        if (step < 0) {
          sibling.before(card);
        } else {
          sibling.after(card);
        }
        return true;
      }
      const all = sections();
      const neighbour = all[all.indexOf(sectionOf(card)) + step];
      if (!neighbour) {
        return false;
      }
      const target = neighbour.querySelector(".section-items");
      if (step < 0) {
        target.append(card);
      } else {
        target.prepend(card);
      }
      openSection(neighbour, true);
      return list !== target;
    }

    function moveBy(card, step, focusTarget) {
      let moved = false;
      keepFocus(focusTarget, () => (moved = move(card, step)));
      if (moved) {
        changed(card, "move");
        announce(place(card));
      }
      return moved;
    }

    // --- keyboard: the handle picks up, the arrows move, Space/Enter drops, Escape cancels ---

    function pickUp(card, handle) {
      grabbed = { card, handle, parent: card.parentElement, next: card.nextElementSibling };
      card.classList.add("is-grabbed");
      handle.setAttribute("aria-pressed", "true");
      announce(
        format(
          "%s picked up. Up and down arrows move it, Space or Enter drops it, Escape puts it back.",
          [title(card)],
        ),
      );
    }

    function drop(cancel) {
      if (!grabbed) {
        return;
      }
      const { card, handle, parent, next } = grabbed;
      grabbed = null;
      card.classList.remove("is-grabbed");
      handle.setAttribute("aria-pressed", "false");
      if (cancel) {
        keepFocus(handle, () => parent.insertBefore(card, next));
        changed(card, "move");
        announce(format(_("Move cancelled: %s is back in its place."), [title(card)]));
      } else {
        announce(format(_("%s dropped. %s"), [title(card), place(card)]));
      }
    }

    function onHandleKey(event) {
      const handle = event.target.closest(".item-handle");
      if (!handle || !grabbed || grabbed.handle !== handle) {
        return;
      }
      if (event.key === "ArrowUp" || event.key === "ArrowDown") {
        event.preventDefault();
        moveBy(grabbed.card, event.key === "ArrowUp" ? -1 : 1, handle);
      } else if (event.key === "Escape") {
        event.preventDefault();
        drop(true);
      }
    }

    // --- pointer: drag the handle --------------------------------------------------------

    function cardAt(x, y) {
      const element = document.elementFromPoint(x, y);
      if (!element) {
        return {};
      }
      const card = element.closest(CARD);
      if (card && card !== dragging.card && group.contains(card)) {
        return { card };
      }
      const section = element.closest(".desk-section");
      return section && group.contains(section) ? { section } : {};
    }

    function onPointerDown(event) {
      const handle = event.target.closest(".item-handle");
      if (!handle || event.button !== 0 || grabbed) {
        return;
      }
      event.preventDefault();
      const card = handle.closest(CARD);
      dragging = { card, handle, pointer: event.pointerId, moved: false };
      card.classList.add("is-dragging");
      handle.setPointerCapture(event.pointerId);
    }

    function onPointerMove(event) {
      if (!dragging || event.pointerId !== dragging.pointer) {
        return;
      }
      const { card } = dragging;
      if (event.clientY < 40) {
        window.scrollBy(0, -20);
      } else if (event.clientY > window.innerHeight - 40) {
        window.scrollBy(0, 20);
      }
      const over = cardAt(event.clientX, event.clientY);
      if (over.card) {
        const box = over.card.getBoundingClientRect();
        const before = event.clientY < box.top + box.height / 2;
        if (before && over.card.previousElementSibling !== card) {
          over.card.before(card);
          dragging.moved = true;
        } else if (!before && over.card.nextElementSibling !== card) {
          over.card.after(card);
          dragging.moved = true;
        }
      } else if (over.section && !over.section.contains(card)) {
        const list = over.section.querySelector(".section-items");
        const head = over.section.querySelector(".section-head").getBoundingClientRect();
        if (event.clientY < head.bottom) {
          list.prepend(card);
        } else {
          list.append(card);
        }
        openSection(over.section, true);
        dragging.moved = true;
      }
    }

    function onPointerUp(event) {
      if (!dragging || event.pointerId !== dragging.pointer) {
        return;
      }
      const { card, handle, moved } = dragging;
      dragging = null;
      card.classList.remove("is-dragging");
      if (handle.hasPointerCapture(event.pointerId)) {
        handle.releasePointerCapture(event.pointerId);
      }
      if (moved) {
        changed(card, "move");
        announce(place(card));
      }
    }

    // --- opening and closing -------------------------------------------------------------

    function startAutocomplete(card) {
      const $ = window.django && window.django.jQuery;
      card.querySelectorAll("select.item-autocomplete").forEach((select) => {
        if (!$ || !$.fn.djangoAdminSelect2 || select.classList.contains("select2-hidden-accessible")) {
          return;
        }
        $(select).djangoAdminSelect2();
        $(select).on("change", () => summarise(card));
      });
    }

    // A closed stored card carries its fields as hidden values (a small page); opened,
    // they become the inputs of the empty form's card, under the card's own prefix.
    function materialise(card) {
      const template = document.getElementById("items-empty-card");
      if (!card.classList.contains("is-lazy") || !template) {
        return;
      }
      const index = card.dataset.prefix.split("-").pop();
      const holder = document.createElement("template");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, index);
      const fields = card.querySelector(".item-fields");
      fields.replaceChildren(...holder.content.querySelector(".item-fields").childNodes);
      // Each value moves into its input; the hidden ones (id, position, section) stay.
      card.querySelectorAll(".item-values input").forEach((value) => {
        const input = fields.querySelector(`[name="${value.name}"]`);
        if (!input) {
          return;
        }
        if (input.tagName === "SELECT") {
          if (value.value) {
            input.add(new Option(value.dataset.label || value.value, value.value, true, true));
          }
        } else {
          input.value = value.value;
        }
        value.remove();
      });
      if (card.dataset.image) {
        const file = fields.querySelector('input[type="file"]');
        const current = document.createElement("span");
        current.className = "item-image-current";
        current.innerHTML = '<a target="_blank" rel="noopener"></a> <label><input type="checkbox"> </label>';
        current.querySelector("a").href = card.dataset.image;
        current.querySelector("a").textContent = card.dataset.image.split("/").pop();
        const clear = current.querySelector("input");
        clear.name = `${card.dataset.prefix}-image-clear`;
        clear.id = `${card.dataset.prefix}-image-clear_id`;
        current.querySelector("label").append(_("Clear"));
        file.before(current);
      }
      card.classList.remove("is-lazy");
    }

    function setOpen(card, open) {
      const toggle = card.querySelector(".item-toggle");
      const fields = card.querySelector(".item-fields");
      if (!toggle || !fields) {
        return;
      }
      if (open) {
        materialise(card);
      }
      toggle.setAttribute("aria-expanded", String(open));
      fields.hidden = !open;
      if (open) {
        startAutocomplete(card);
      }
    }

    function openSection(section, open) {
      const toggle = section.querySelector(".section-toggle");
      toggle.setAttribute("aria-expanded", String(open));
      section.classList.toggle("is-collapsed", !open);
    }

    function summarise(card) {
      const topic = field(card, "topic");
      const headline = field(card, "title");
      const source = field(card, "source");
      card.querySelector(".item-summary").textContent =
        `${topic ? topic.value : ""}-${headline ? headline.value : ""}`;
      const chosen = source && source.selectedOptions && source.selectedOptions[0];
      card.querySelector(".item-source").textContent =
        chosen && chosen.value ? `· ${chosen.textContent.trim()}` : "";
    }

    // --- adding ------------------------------------------------------------------------

    const total = () => document.getElementById("id_items-TOTAL_FORMS");

    function canAdd() {
      const max = parseInt(group.dataset.maxItems || "0", 10);
      return !max || cards().filter((card) => !isDeleted(card)).length < max;
    }

    function limitAdding() {
      const allowed = canAdd();
      group.querySelectorAll(".add-item").forEach((button) => (button.disabled = !allowed));
    }

    function sectionCard(categoryId) {
      return sections().find((section) => section.dataset.categoryId === String(categoryId));
    }

    function addSection(categoryId, label) {
      const existing = sectionCard(categoryId);
      if (existing) {
        return existing;
      }
      const id = `section-${categoryId}`;
      const section = document.createElement("section");
      section.className = "desk-section";
      section.dataset.categoryId = String(categoryId);
      section.setAttribute("aria-labelledby", `${id}-name`);
      section.innerHTML =
        `<h3 class="section-head"><button type="button" class="section-toggle" ` +
        `aria-expanded="true" aria-controls="${id}-items"><span class="section-name" ` +
        `id="${id}-name"></span> <span class="section-count">0</span></button></h3>` +
        `<ol class="section-items" id="${id}-items"></ol>` +
        `<button type="button" class="button add-item"></button>`;
      section.querySelector(".section-name").textContent = label || String(categoryId);
      section.querySelector(".add-item").textContent = "+ " + _("Add item");
      sectionList.append(section);
      const empty = group.querySelector(".editor-empty");
      if (empty) {
        empty.remove();
      }
      offerSections();
      limitAdding();
      form.dispatchEvent(
        new CustomEvent("newsroom:changed", { detail: { reason: "section", card: section } }),
      );
      announce(format(_("Section %s added."), [sectionName(section)]));
      return section;
    }

    function addItem(categoryId) {
      const template = document.getElementById("items-empty-card");
      const counter = total();
      if (!template || !counter || !canAdd()) {
        return null;
      }
      let section = sectionCard(categoryId);
      if (!section) {
        const option = document.querySelector(`#add-section-choice option[value="${categoryId}"]`);
        section = addSection(categoryId, option ? option.textContent : String(categoryId));
      }
      const index = parseInt(counter.value, 10);
      const holder = document.createElement("template");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
      const card = holder.content.firstElementChild;
      section.querySelector(".section-items").append(card);
      counter.value = String(index + 1);
      openSection(section, true);
      setOpen(card, true);
      card.dispatchEvent(
        new CustomEvent("formset:added", { bubbles: true, detail: { formsetName: "items" } }),
      );
      changed(card, "add");
      announce(format(_("A new item added to %s."), [sectionName(section)]));
      return card;
    }

    function offerSections() {
      const choice = document.getElementById("add-section-choice");
      if (!choice) {
        return;
      }
      Array.from(choice.options).forEach((option) => {
        option.disabled = Boolean(option.value && sectionCard(option.value));
      });
    }

    // --- events ------------------------------------------------------------------------

    group.addEventListener("click", (event) => {
      const target = event.target.closest("button");
      if (!target || !group.contains(target)) {
        return;
      }
      const card = target.closest(CARD);
      if (target.classList.contains("section-toggle")) {
        const section = target.closest(".desk-section");
        openSection(section, section.classList.contains("is-collapsed"));
      } else if (target.classList.contains("item-toggle")) {
        setOpen(card, target.getAttribute("aria-expanded") !== "true");
      } else if (target.classList.contains("item-up") || target.classList.contains("item-down")) {
        moveBy(card, target.classList.contains("item-up") ? -1 : 1, target);
      } else if (target.classList.contains("item-handle")) {
        // Space and Enter on a button click it with detail 0; a pointer's click is a drag.
        if (event.detail === 0) {
          if (grabbed && grabbed.card === card) {
            drop(false);
          } else {
            drop(false);
            pickUp(card, target);
          }
        }
      } else if (target.classList.contains("add-item")) {
        const card = addItem(target.closest(".desk-section").dataset.categoryId);
        const topic = card && field(card, "topic");
        if (topic) {
          topic.focus();
        }
      } else if (target.id === "add-section") {
        const choice = document.getElementById("add-section-choice");
        const option = choice.selectedOptions[0];
        if (option && option.value) {
          const section = addSection(option.value, option.textContent.trim());
          choice.value = "";
          section.querySelector(".add-item").focus();
        }
      } else if (target.classList.contains("editor-open-all")) {
        cards().forEach((card) => setOpen(card, true));
        sections().forEach((section) => openSection(section, true));
      } else if (target.classList.contains("editor-close-all")) {
        cards().forEach((card) => setOpen(card, false));
      }
    });

    if (editable) {
      group.addEventListener("keydown", onHandleKey);
      group.addEventListener("focusout", (event) => {
        if (!moving && grabbed && event.target === grabbed.handle) {
          drop(false);
        }
      });
      group.addEventListener("pointerdown", onPointerDown);
      group.addEventListener("pointermove", onPointerMove);
      group.addEventListener("pointerup", onPointerUp);
      group.addEventListener("pointercancel", onPointerUp);
      group.addEventListener("input", (event) => {
        const card = event.target.closest(CARD);
        if (card && /-(topic|title)$/.test(event.target.name || "")) {
          summarise(card);
        }
      });
      group.addEventListener("change", (event) => {
        const card = event.target.closest(CARD);
        if (card && /-DELETE$/.test(event.target.name || "")) {
          changed(card, "delete");
        }
      });
      form.addEventListener("submit", renumber);
      group.querySelectorAll(".editor-tools [hidden]").forEach((button) => (button.hidden = false));
      group.querySelectorAll(".item-card .item-fields:not([hidden])").forEach((fields) => {
        startAutocomplete(fields.closest(CARD));
      });
      offerSections();
      limitAdding();

      window.NewsroomEditor = {
        addItem,
        addSection,
        renumber,
        open: (card) => setOpen(card, true),
        close: (card) => setOpen(card, false),
        openAll: () => cards().forEach((card) => setOpen(card, true)),
      };
    }
  }
})();
