// Newsroom desk: the live parts of a digest's page.
// - Autosave: every few seconds, a changed form is posted as the person's working copy
//   (kept in this browser too while the server can't be reached); an earlier copy that
//   differs from the page is offered back (restore or discard).
// - Presence: a heartbeat says the page is open (and whether its form was changed), and
//   shows who else has it open; a warning when two people edit at once.
// - Edit lock: lock, release and take over; a lock's changes show at the next heartbeat.
// Failures never break the page: the script says it is offline and tries again.
"use strict";
(function () {
  const MAX_RETRY_MS = 60000;
  let AUTOSAVE_MS = 5000;
  let HEARTBEAT_MS = 15000;

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }

  function clock(iso) {
    const d = iso ? new Date(iso) : new Date();
    return [d.getHours(), d.getMinutes(), d.getSeconds()]
      .map((n) => String(n).padStart(2, "0"))
      .join(":");
  }

  function readJSON(id) {
    const el = document.getElementById(id);
    if (!el) {
      return null;
    }
    try {
      return JSON.parse(el.textContent);
    } catch (e) {
      return null;
    }
  }

  // --- the form as data ---------------------------------------------------------------

  function skipped(name) {
    return !name || name === "csrfmiddlewaretoken" || name.includes("__prefix__");
  }

  // The form's fields as a browser would send them (name → list of values), without
  // files; and the labels of chosen values, so a restored select can show its name.
  function serialise(form) {
    const data = {};
    const labels = {};
    for (const [name, value] of new FormData(form)) {
      if (skipped(name) || typeof value !== "string") {
        continue;
      }
      (data[name] = data[name] || []).push(value);
    }
    form.querySelectorAll("select[name]").forEach((select) => {
      if (skipped(select.name)) {
        return;
      }
      for (const option of select.selectedOptions) {
        if (option.value) {
          (labels[select.name] = labels[select.name] || {})[option.value] =
            option.textContent.trim();
        }
      }
    });
    // The editor's sections: an item's section is a hidden field; its name is on the page.
    form.querySelectorAll('input[type="hidden"][name$="-category"]').forEach((input) => {
      const section = input.closest("[data-category-id]");
      const name = section && section.querySelector(".section-name");
      if (input.value && name && !skipped(input.name)) {
        labels[input.name] = { [input.value]: name.textContent.trim() };
      }
    });
    const base = data.base_version ? data.base_version[0] : null;
    delete data.base_version;
    return { data: data, labels: labels, base_version: base === null ? null : Number(base) };
  }

  // What is compared: the text, not how the form is built.
  function key(data) {
    const names = Object.keys(data)
      .filter((n) => !/-(INITIAL|MIN_NUM|MAX_NUM)_FORMS$/.test(n) && n !== "base_version")
      .sort();
    const out = [];
    names.forEach((n) => {
      const values = data[n]
        .map((v) => String(v).replace(/\r\n?/g, "\n"))
        .filter((v) => v.trim() !== "");
      if (values.length) {
        out.push([n, values]);
      }
    });
    return JSON.stringify(out);
  }

  // --- restoring a working copy into the form -----------------------------------------

  function addForm(form, prefix, index, data, labels) {
    const editor = window.NewsroomEditor;
    if (prefix === "items" && editor && typeof editor.addItem === "function") {
      const category = (data[`items-${index}-category`] || [""])[0];
      const label = ((labels[`items-${index}-category`] || {})[category]) || category;
      if (typeof editor.addSection === "function" && category) {
        editor.addSection(category, label);
      }
      return editor.addItem(category) !== null;
    }
    const group = document.getElementById(`${prefix}-group`);
    const add = group && group.querySelector(".add-row a, .add-row button");
    if (!add) {
      return false;
    }
    add.click();
    return true;
  }

  function setValue(el, values, labels, used) {
    const name = el.name;
    if (el.type === "checkbox" || el.type === "radio") {
      el.checked = values.includes(el.value || "on");
    } else if (el.tagName === "SELECT") {
      values.forEach((value) => {
        if (value && !Array.from(el.options).some((o) => o.value === value)) {
          const option = new Option(((labels[name] || {})[value]) || value, value);
          el.add(option);
        }
      });
      Array.from(el.options).forEach((o) => {
        o.selected = values.includes(o.value);
      });
    } else if (el.type !== "file") {
      const i = used[name] || 0;
      used[name] = i + 1;
      el.value = i < values.length ? values[i] : "";
    }
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
    if (el.tagName === "SELECT" && window.django && window.django.jQuery) {
      window.django.jQuery(el).trigger("change"); // the admin's autocomplete shows the choice
    }
  }

  // Put stored item cards and the editor's sections in the stored order.
  function reorder(form, data) {
    const position = (el) => {
      const input = el.querySelector('input[name$="-position"]');
      return input ? Number(input.value) || 0 : 0;
    };
    const editor = window.NewsroomEditor;
    if (editor && typeof editor.addSection === "function") {
      form.querySelectorAll("li.item-card[data-prefix]").forEach((card) => {
        const category = (data[`${card.dataset.prefix}-category`] || [""])[0];
        const section = category && editor.addSection(category);
        const list = section && section.querySelector("ol.section-items");
        if (list && card.parentElement !== list) {
          list.appendChild(card);
        }
      });
      form.querySelectorAll("ol.section-items").forEach((list) => {
        const cards = Array.from(list.children).filter((c) => c.matches("li.item-card"));
        cards.sort((a, b) => position(a) - position(b)).forEach((c) => list.appendChild(c));
      });
      const sections = Array.from(form.querySelectorAll("section.desk-section"));
      const first = (s) => Math.min(...Array.from(s.querySelectorAll("li.item-card")).map(position), 1e9);
      const parent = sections.length && sections[0].parentElement;
      if (parent) {
        const footer = sections[sections.length - 1].nextSibling;
        sections.sort((a, b) => first(a) - first(b)).forEach((s) => parent.insertBefore(s, footer));
      }
      if (typeof editor.renumber === "function") {
        editor.renumber();
      }
      return;
    }
    const group = document.getElementById("items-group");
    if (!group) {
      return;
    }
    const rows = Array.from(group.querySelectorAll(".inline-related")).filter(
      (el) => !el.classList.contains("empty-form") && el.querySelector('input[name$="-position"]')
    );
    if (!rows.length) {
      return;
    }
    const parent = rows[0].parentElement;
    const anchor = rows[rows.length - 1].nextSibling;
    rows.sort((a, b) => position(a) - position(b)).forEach((r) => parent.insertBefore(r, anchor));
  }

  function restore(form, copy) {
    const data = copy.data || {};
    const labels = copy.labels || {};
    Object.keys(data).forEach((name) => {
      const match = /^(.+)-TOTAL_FORMS$/.exec(name);
      if (!match) {
        return;
      }
      const prefix = match[1];
      const total = form.querySelector(`[name="${prefix}-TOTAL_FORMS"]`);
      const wanted = Number(data[name][0]) || 0;
      let guard = 0;
      while (total && Number(total.value) < wanted && guard++ < 500) {
        if (!addForm(form, prefix, Number(total.value), data, labels)) {
          break;
        }
      }
    });
    const used = {};
    Array.from(form.elements).forEach((el) => {
      if (skipped(el.name) || el.name === "base_version" || /_FORMS$/.test(el.name)) {
        return;
      }
      if (el.tagName === "BUTTON" || el.type === "submit" || el.type === "file") {
        return;
      }
      if (el.name in data) {
        setValue(el, data[el.name], labels, used);
      } else if (el.type === "checkbox") {
        setValue(el, [], labels, used);
      }
    });
    reorder(form, data);
    const base = form.querySelector('[name="base_version"]');
    if (base && copy.base_version !== null && copy.base_version !== undefined) {
      base.value = copy.base_version; // a save then merges from the version it was opened at
    }
  }

  // --- talking to the server ----------------------------------------------------------

  function csrf(form) {
    const input = (form || document).querySelector('[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function post(url, body, token, json) {
    const headers = { "X-CSRFToken": token, Accept: "application/json" };
    if (json) {
      headers["Content-Type"] = "application/json";
    }
    return fetch(url, {
      method: "POST",
      headers: headers,
      body: json ? JSON.stringify(body) : body,
      credentials: "same-origin",
    });
  }

  ready(function () {
    const root = document.getElementById("live-desk");
    if (!root || !window.fetch) {
      return;
    }
    AUTOSAVE_MS = 1000 * Number(root.dataset.autosaveSeconds || 5);
    HEARTBEAT_MS = 1000 * Number(root.dataset.heartbeatSeconds || 15);
    const form = document.getElementById("digest_form");
    const text = readJSON("live-messages") || {};
    const token = csrf(form) || csrf(root);
    const store = `newsroom:working-copy:${root.dataset.digest}:${root.dataset.user}`;
    const autosaveUrl = root.dataset.autosaveUrl;
    const canAutosave = Boolean(form && autosaveUrl && form.querySelector('[name="base_version"]'));
    const posted = root.dataset.posted === "1";
    const pristine = form ? key(serialise(form).data) : "";

    let others = [];
    let lock = null;
    const lockBox = document.getElementById("live-lock");
    const initialState = lockBox ? lockBox.dataset.state : "free";
    let heldByMe = initialState === "mine";
    let takenOver = false;
    let submitting = false;

    function dirty() {
      return posted || (form ? key(serialise(form).data) !== pristine : false);
    }

    // --- the status line beside the save buttons ---
    let status = null;
    if (canAutosave) {
      status = document.createElement("p");
      status.className = "live-status";
      status.id = "live-status";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      status.hidden = true;
      const row = form.querySelector(".submit-row");
      if (row) {
        row.prepend(status);
      } else {
        form.appendChild(status);
      }
    }

    function say(message, error) {
      if (!status) {
        return;
      }
      status.hidden = false;
      status.textContent = message;
      status.classList.toggle("live-status-error", Boolean(error));
      status.dataset.state = error ? "error" : "ok";
    }

    // --- the warnings ---
    const warning = document.getElementById("live-warning");

    function warn() {
      if (!warning) {
        return;
      }
      let message = "";
      if (takenOver) {
        message = fill(text.taken_over || "", takenOver);
      } else if (lock && !lock.mine && canAutosave && dirty()) {
        message = fill(text.locked_other || "", { holder: lock.holder });
      } else if (canAutosave && dirty()) {
        const editing = others.filter((o) => o.editing).map((o) => o.username);
        if (editing.length) {
          message = fill(text.also_editing || "", { names: editing.join(", ") });
        }
      }
      warning.textContent = message;
      warning.hidden = !message;
    }

    // --- presence ---
    const presence = document.getElementById("live-presence");

    let shown = null;

    function showPresence(list) {
      others = list;
      const now = JSON.stringify(list.map((o) => [o.username, o.editing]));
      if (!presence || now === shown) {
        return; // unchanged: nothing new for screen readers to announce
      }
      shown = now;
      const box = presence.querySelector(".live-presence-list");
      box.replaceChildren();
      list.forEach((other, i) => {
        const span = document.createElement("span");
        span.className = "live-person" + (other.editing ? " live-person-editing" : "");
        span.dataset.username = other.username;
        span.textContent = other.username + (other.editing ? ` (${text.editing || "editing"})` : "");
        box.appendChild(span);
        if (i < list.length - 1) {
          box.appendChild(document.createTextNode(", "));
        }
      });
      presence.hidden = list.length === 0 && presence.querySelector(".live-offline").hidden;
    }

    function offline(on) {
      if (!presence) {
        return;
      }
      presence.querySelector(".live-offline").hidden = !on;
      presence.dataset.offline = on ? "1" : "0";
      presence.hidden = !on && others.length === 0;
    }

    // --- the lock ---
    function showLock(state) {
      const before = lock;
      lock = state;
      if (!lockBox) {
        return;
      }
      const free = lockBox.querySelector(".live-lock-free");
      const mine = lockBox.querySelector(".live-lock-mine");
      const other = lockBox.querySelector(".live-lock-other");
      const kind = !state ? "free" : state.mine ? "mine" : "other";
      if (heldByMe && kind === "other") {
        takenOver = { holder: state.holder, note: state.note };
      }
      if (kind === "mine") {
        takenOver = false;
      }
      heldByMe = kind === "mine";
      lockBox.dataset.state = kind;
      // Lock controls appear only where they can be used: a page read-only because of
      // someone's lock becomes editable only on reload.
      const readOnlyByLock = initialState === "other";
      if (free) {
        free.hidden = kind !== "free" || readOnlyByLock || !canAutosave;
      }
      if (mine) {
        mine.hidden = kind !== "mine";
      }
      if (other) {
        other.hidden = kind !== "other";
        if (state && kind === "other") {
          other.querySelector(".live-lock-holder").textContent = state.holder;
          const since = other.querySelector(".live-lock-since");
          since.textContent = state.since_label || clock(state.since).slice(0, 5);
          since.setAttribute("datetime", state.since || "");
          other.querySelector(".live-lock-note").textContent = state.note || "";
          other.querySelector(".live-lock-note-wrap").hidden = !state.note;
          other.querySelector(".live-lock-readonly").hidden = !readOnlyByLock;
        }
      }
      if (readOnlyByLock && kind !== "other" && warning && before && !before.mine) {
        warning.textContent = text.released || "";
        warning.hidden = false;
        return;
      }
      warn();
    }

    // --- heartbeat ---
    let beatDelay = HEARTBEAT_MS;
    let beatTimer = null;

    function heartbeat() {
      clearTimeout(beatTimer);
      const body = new URLSearchParams({ editing: canAutosave && dirty() ? "1" : "0" });
      post(root.dataset.heartbeatUrl, body, token, false)
        .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
        .then((answer) => {
          offline(false);
          showPresence(answer.others || []);
          showLock(answer.lock || null);
          beatDelay = HEARTBEAT_MS;
        })
        .catch(() => {
          offline(true);
          beatDelay = Math.min(beatDelay * 2, MAX_RETRY_MS);
        })
        .finally(() => {
          if (!submitting) {
            beatTimer = setTimeout(heartbeat, beatDelay);
          }
        });
    }

    // --- autosave ---
    let lastSaved = posted ? null : pristine;
    let saveDelay = AUTOSAVE_MS;
    let saveTimer = null;
    let stopped = false;
    let pending = false;

    function keepLocally(copy) {
      try {
        localStorage.setItem(store, JSON.stringify(copy));
      } catch (e) {
        /* private mode or full: the server copy is all there is */
      }
    }

    function forgetLocally() {
      try {
        localStorage.removeItem(store);
      } catch (e) {
        /* nothing kept */
      }
    }

    function autosave() {
      clearTimeout(saveTimer);
      if (submitting || stopped) {
        return;
      }
      const copy = serialise(form);
      const current = key(copy.data);
      if (current === lastSaved) {
        saveTimer = setTimeout(autosave, AUTOSAVE_MS);
        return;
      }
      copy.saved_at = new Date().toISOString();
      keepLocally(copy);
      if (pending) {
        // An earlier copy waits for an answer: it is not overwritten until then.
        say(text.pending || "", true);
        saveTimer = setTimeout(autosave, AUTOSAVE_MS);
        return;
      }
      if (new Blob([JSON.stringify(copy)]).size > Number(root.dataset.maxBytes || Infinity)) {
        lastSaved = current;
        say(text.too_large || "", true);
        saveTimer = setTimeout(autosave, AUTOSAVE_MS);
        return;
      }
      post(autosaveUrl, copy, token, true)
        .then((r) =>
          r.json().then(
            (answer) => ({ status: r.status, answer: answer }),
            () => ({ status: r.status, answer: {} })
          )
        )
        .then(({ status: code, answer }) => {
          if (code === 200 && answer.ok) {
            lastSaved = current;
            forgetLocally();
            say(fill(text.autosaved || "", { time: answer.saved_at_label || clock(answer.saved_at) }));
            saveDelay = AUTOSAVE_MS;
          } else if (code === 413 || code === 400) {
            lastSaved = current; // not again until the form changes
            say(answer.error || "", true);
          } else if (code === 403 || code === 404) {
            stopped = true;
            say(text.refused || "", true);
          } else {
            throw new Error(String(code));
          }
        })
        .catch(() => {
          say(text.offline || "", true);
          saveDelay = Math.min(saveDelay * 2, MAX_RETRY_MS);
        })
        .finally(() => {
          if (!submitting && !stopped) {
            saveTimer = setTimeout(autosave, saveDelay);
          }
        });
    }

    // --- an earlier copy offered back ---
    const banner = document.getElementById("live-restore");

    function offer() {
      if (!banner || !canAutosave) {
        return null;
      }
      const server = readJSON("live-working-copy");
      let local = null;
      try {
        local = JSON.parse(localStorage.getItem(store) || "null");
      } catch (e) {
        local = null;
      }
      let copy = server;
      if (local && local.data && (!server || new Date(local.saved_at) > new Date(server.saved_at))) {
        copy = local;
        const when = banner.querySelector(".live-restore-when");
        when.textContent = fill(text.local_copy || "", {
          time: new Date(local.saved_at).toLocaleString(),
          version: local.base_version,
        });
        banner.querySelector(".live-restore-stale").hidden = !(
          local.base_version < Number(root.dataset.version)
        );
        banner.dataset.source = "local";
      } else {
        banner.dataset.source = "server";
      }
      if (!copy || key(copy.data || {}) === pristine || posted) {
        banner.hidden = true; // nothing the page does not already show
        return null;
      }
      banner.hidden = false;
      return copy;
    }

    // --- wiring ---
    if (canAutosave) {
      const copy = offer();
      if (copy && banner) {
        pending = true;
        banner.querySelector(".live-restore-button").addEventListener("click", () => {
          pending = false;
          restore(form, copy);
          banner.hidden = true;
          say(text.restored || "");
          lastSaved = null; // the restored text is autosaved at once
          autosave();
          heartbeat();
        });
        banner.querySelector(".live-discard-form").addEventListener("submit", (event) => {
          event.preventDefault();
          pending = false;
          forgetLocally();
          lastSaved = pristine;
          post(root.dataset.discardUrl, new URLSearchParams(), token, false).finally(() => {
            banner.hidden = true;
          });
        });
      }
      let noticed = false;
      form.addEventListener("input", () => {
        if (!noticed) {
          noticed = true;
          heartbeat(); // the others learn at their next heartbeat that this page edits
        }
        warn();
      });
      form.addEventListener("submit", () => {
        submitting = true;
        clearTimeout(saveTimer);
        forgetLocally(); // the text is being saved; a refused save shows it again
      });
      saveTimer = setTimeout(autosave, posted ? 0 : AUTOSAVE_MS);
    }

    // Lock and release without leaving the page (the form's text stays as it is).
    if (lockBox) {
      ["live-lock-free", "live-lock-mine"].forEach((name) => {
        const f = lockBox.querySelector(`.${name}`);
        if (!f || !canAutosave) {
          return;
        }
        f.addEventListener("submit", (event) => {
          event.preventDefault();
          post(f.action, new URLSearchParams(), token, false)
            .then((r) => r.json())
            .then((answer) => {
              showLock(answer.lock || null);
              if (answer.message) {
                say(answer.message, !answer.ok);
              }
            })
            .catch(() => offline(true));
        });
      });
    }

    window.addEventListener("pagehide", () => {
      if (!navigator.sendBeacon) {
        return;
      }
      if (canAutosave && !submitting && !stopped) {
        const copy = serialise(form);
        if (key(copy.data) !== lastSaved) {
          const last = new FormData();
          last.append("csrfmiddlewaretoken", token);
          Object.entries(copy.data).forEach(([n, values]) => values.forEach((v) => last.append(n, v)));
          last.append("base_version", String(copy.base_version));
          last.append("_labels", JSON.stringify(copy.labels));
          copy.saved_at = new Date().toISOString();
          keepLocally(copy);
          navigator.sendBeacon(autosaveUrl, last);
        }
      }
      const left = new FormData();
      left.append("csrfmiddlewaretoken", token);
      left.append("left", "1");
      navigator.sendBeacon(root.dataset.heartbeatUrl, left);
    });

    if (initialState !== "free" && lockBox) {
      lock = {
        mine: initialState === "mine",
        holder: (lockBox.querySelector(".live-lock-holder") || {}).textContent || "",
      };
    }
    heartbeat();
  });
})();
