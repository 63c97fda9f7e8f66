// The contact form: a server-side draft saved on every change and every few seconds while there are
// unsaved changes, and a copy on this device of every change. The copy counts as saved only once the
// server confirms it: a 2xx answer to the draft save, or, for "Submit for review", the next page saying
// the submission went through (My assignments with data-submitted-contact). Until then a failed save
// says so ("Not saved yet: …") and is tried again; after a reload, a copy newer than the server's draft
// is restored, and the page says so. Without this script the form still works: "Save draft" posts the
// whole form, "Submit for review" submits it.
(() => {
  "use strict";

  const keyOf = (contactId) => `touchpoint:contact-draft:${contactId}`;

  // The page after a successful submit confirms it: the copy kept on this device is no longer needed.
  document.querySelectorAll("[data-submitted-contact]").forEach((marker) => {
    try {
      localStorage.removeItem(keyOf(marker.dataset.submittedContact));
    } catch (error) {
      // Storage is switched off: nothing was kept.
    }
  });

  const form = document.querySelector("form[data-draft-url]");
  if (!form) return;

  const EVERY = 5000; // milliseconds between saves while there are unsaved changes
  const url = form.dataset.draftUrl;
  const storageKey = keyOf(form.dataset.contactId);
  const serverSavedAt = Date.parse(form.dataset.draftSavedAt || "") || 0;
  const status = document.getElementById("draft-status");
  const tokenMeta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = tokenMeta ? tokenMeta.content : "";

  let dirty = false; // changes the server has not confirmed
  let version = 0; // counts changes, so a reply to an older save does not clear newer changes
  let inFlight = null; // the save under way, if any
  let restored = false; // answers restored from this device that the server has not confirmed yet

  // A message in the polite status line; ``unsaved`` marks it as a warning (answers not on the server).
  const say = (text, unsaved = false) => {
    if (!status) return;
    status.textContent = restored ? `${RESTORED} ${text}` : text;
    status.classList.toggle("draft-status-unsaved", unsaved);
  };
  const timeZone = form.dataset.timezone || undefined; // the district's, as the server shows times
  const clock = (date) => date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false, timeZone });
  const RESTORED = "Restored the answers kept on this device.";
  const NOT_SAVED = "Not saved yet: your answers are kept on this device";
  const OFFLINE = `${NOT_SAVED} and saved when the connection returns.`;
  const RETRYING = `${NOT_SAVED}; trying again in a few seconds.`;
  const SIGNED_OUT = `${NOT_SAVED}. You may have been signed out: sign in again in another tab.`;

  // What the form holds now, as the draft endpoint takes it: input name -> text.
  function values() {
    const data = {};
    for (const [name, value] of new FormData(form)) {
      if (name !== "csrf_token" && typeof value === "string") data[name] = value;
    }
    return data;
  }

  // ``synced``: the server confirmed these answers; ``submitted``: sent with "Submit for review",
  // waiting for the next page to confirm it.
  function keepOnDevice(synced, submitted = false) {
    try {
      localStorage.setItem(storageKey, JSON.stringify({ at: Date.now(), synced, submitted, data: values() }));
    } catch (error) {
      // Storage is full or switched off: the server draft still works.
    }
  }

  function readFromDevice() {
    try {
      return JSON.parse(localStorage.getItem(storageKey) || "null");
    } catch (error) {
      return null;
    }
  }

  function forgetOnDevice() {
    try {
      localStorage.removeItem(storageKey);
    } catch (error) {
      // Nothing to forget.
    }
  }

  function fill(data) {
    for (const element of form.elements) {
      const name = element.name;
      if (!name || name === "csrf_token" || element.disabled) continue;
      if (element.type === "radio") element.checked = data[name] === element.value;
      else if (element.type === "checkbox") element.checked = name in data;
      else if (["submit", "button", "file"].includes(element.type)) continue;
      else if (name in data) element.value = data[name];
    }
  }

  // The timing answers the server measured from the timings typed so far: placeholder and hint.
  function showMeasured(measured) {
    form.querySelectorAll("[id^='measured-']").forEach((hint) => {
      const key = hint.id.slice("measured-".length);
      const value = measured[key];
      const input = document.getElementById(`item-${key}`);
      const shown = hint.querySelector("[data-measured-value]");
      const known = value !== undefined && value !== null;
      hint.hidden = !known;
      if (shown) shown.textContent = known ? String(value) : "";
      if (input) input.placeholder = known ? String(value) : "";
    });
  }

  async function send() {
    const sent = version;
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken,
        },
        body: JSON.stringify(values()),
      });
      const type = response.headers.get("Content-Type") || "";
      if (response.status >= 500) {
        say(RETRYING, true); // the server or its database is down: the next save tries again
        return;
      }
      if (response.redirected || !type.includes("application/json")) {
        say(SIGNED_OUT, true);
        return;
      }
      const reply = await response.json();
      if (!response.ok) {
        const reason = reply.errors && reply.errors.length ? reply.errors[0].message : "the server refused it";
        say(`Not saved: ${reason}. Your answers are kept on this device.`, true);
        if (response.status === 409) dirty = false; // the contact is locked: retrying will not help
        return;
      }
      if (version === sent) {
        dirty = false;
        keepOnDevice(true);
      }
      say(`Saved ${clock(new Date(reply.saved_at))}`);
      restored = false;
      if (reply.measured) showMeasured(reply.measured);
      if (reply.derived) showDerived(reply.derived);
    } catch (error) {
      say(OFFLINE, true); // no answer at all: offline, or the connection dropped
    }
  }

  function save() {
    if (inFlight) return inFlight.then(() => (dirty ? save() : undefined));
    if (!dirty) return Promise.resolve();
    inFlight = send().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  function changed() {
    dirty = true;
    version += 1;
    keepOnDevice(false);
  }

  // What applies depends on the outcome (``data-outcome-only``: the outcomes, space-separated).
  // A field only for one outcome (the call back, for a voicemail) shows when it applies or holds a value.
  // A strict part (``data-outcome-strict``: the rubric, a hold or a transfer, which need a person) is
  // hidden and switched off once another outcome is chosen, so none of its answers is sent; with
  // ``data-outcome-chosen`` it shows only once an outcome that applies is chosen. The server decides
  // what an outcome allows: this only keeps the auditor from filling in what it would refuse.
  const outcome = form.elements.namedItem("outcome");
  const onlyFor = form.querySelectorAll("[data-outcome-only]");
  function showForOutcome() {
    const chosen = outcome ? outcome.value : "";
    onlyFor.forEach((wrapper) => {
      const inputs = [...wrapper.querySelectorAll("input, select, textarea")];
      const applies = wrapper.dataset.outcomeOnly.split(" ").includes(chosen);
      if (wrapper.hasAttribute("data-outcome-strict")) {
        const off = chosen ? !applies : wrapper.hasAttribute("data-outcome-chosen");
        wrapper.hidden = off;
        inputs.forEach((input) => {
          input.disabled = off;
        });
        return;
      }
      const filled = inputs.some((input) => input.value);
      wrapper.hidden = !applies && !filled && !wrapper.querySelector(".error");
    });
  }

  // The answers the server derived from the facts typed so far (the rings, the hold …).
  function showDerived(derived) {
    Object.entries(derived).forEach(([key, text]) => {
      const shown = document.querySelector(`#derived-${key} [data-derived-value]`);
      if (shown) shown.textContent = text === null ? "not recorded yet" : text;
    });
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", (event) => {
    changed();
    if (event.target === outcome) showForOutcome();
    save();
  });
  form.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (button && button.hasAttribute("formaction")) {
      event.preventDefault(); // "Save draft": no need to reload the page
      dirty = true;
      save();
      return;
    }
    // Kept as not yet saved: if the submission fails (the server or the connection is down), the
    // answers come back when the form reopens. My assignments confirms a submission that went through;
    // a refused one comes back as this form showing the same answers, which the server kept as the draft.
    keepOnDevice(false, true);
  });
  window.setInterval(() => {
    if (!dirty) return;
    if (navigator.onLine === false) say(OFFLINE, true);
    else save();
  }, EVERY);
  window.addEventListener("online", () => {
    if (dirty) save();
  });
  window.addEventListener("offline", () => {
    if (dirty) say(OFFLINE, true);
  });

  // Uploads reload the page from the server's draft: save the answers first.
  document.querySelectorAll("form[data-saves-draft-first]").forEach((upload) => {
    upload.addEventListener("submit", (event) => {
      if (!dirty) return;
      event.preventDefault();
      say("Saving your answers before the upload…");
      save().finally(() => upload.submit());
    });
  });

  // Answers the server already shows (a refused submission comes back with them) need no restoring.
  function sameAnswers(kept, shown) {
    const names = new Set([...Object.keys(kept), ...Object.keys(shown)]);
    return [...names].every((name) => (kept[name] || "") === (shown[name] || ""));
  }

  const kept = readFromDevice();
  if (kept && !kept.synced && kept.data && kept.at > serverSavedAt && !sameAnswers(kept.data, values())) {
    fill(kept.data);
    changed();
    restored = true;
    say("Saving them now…");
    save();
  } else if (kept) {
    forgetOnDevice();
  }
  showForOutcome();
})();
