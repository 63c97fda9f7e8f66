// The "Call through Twilio" panel: place the call without leaving the contact form, then poll the
// call's state every two seconds until it ends. Measured values (rings, call length, outcome, start)
// fill the contact form's fields that are still empty, or still hold what this script filled, and
// the form's own script saves them as a draft. Without this script the button posts the form and
// the call page shows the state.
(() => {
  "use strict";

  const panel = document.querySelector("[data-call-panel]");
  if (!panel) return;

  const EVERY = 2000; // milliseconds between polls while a call is under way
  const callForm = panel.querySelector("[data-call-form]");
  const statusBox = panel.querySelector("[data-call-status]");
  const recording = panel.querySelector("[data-call-recording]");
  const statusUrl = panel.dataset.statusUrl;
  const contactForm = document.getElementById("contact-form");
  const filled = {}; // input name -> the value this script put there
  let timer = null;

  const LEG_NAMES = { auditor: "Your phone", school: "The school" };

  function clock(iso) {
    return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "";
  }

  function show(lines) {
    statusBox.replaceChildren();
    const list = document.createElement("ul");
    for (const line of lines) {
      const item = document.createElement("li");
      item.textContent = line;
      list.append(item);
    }
    statusBox.append(list);
  }

  function legLine(name, leg) {
    let line = `${LEG_NAMES[name]}: ${leg.label}`;
    if (leg.ringing_at) line += `, ringing from ${clock(leg.ringing_at)}`;
    if (leg.answered_at) line += `, answered ${clock(leg.answered_at)}`;
    if (leg.machine === true) line += " (a machine answered)";
    if (leg.ended_at) line += `, ended ${clock(leg.ended_at)}`;
    if (leg.duration_seconds !== null && leg.duration_seconds !== undefined) line += ` (${leg.duration_seconds} s)`;
    return line;
  }

  function fillForm(values) {
    if (!contactForm) return;
    for (const [name, value] of Object.entries(values)) {
      const input = contactForm.elements.namedItem(name);
      if (!input || input.disabled || !("value" in input)) continue;
      if (input.value !== "" && input.value !== filled[name]) continue; // the auditor's own value wins
      if (input.value === value) continue;
      input.value = value;
      filled[name] = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function render(state) {
    const lines = [];
    for (const name of ["auditor", "school"]) {
      if (state.legs && state.legs[name]) lines.push(legLine(name, state.legs[name]));
    }
    const measured = state.measured || {};
    if (measured.rings !== undefined) lines.push(`Measured: ${measured.rings} ring(s) (${measured.ring_seconds} s)`);
    if (lines.length) show(lines);
    fillForm(state.form_values || {});
    if (recording) recording.hidden = !state.recording_url;
  }

  async function poll() {
    timer = null;
    try {
      const response = await fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      const state = await response.json();
      render(state);
      if (state.active) timer = window.setTimeout(poll, EVERY);
    } catch (error) {
      show(["Lost touch with the server; retrying…"]);
      timer = window.setTimeout(poll, EVERY * 3);
    }
  }

  callForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = callForm.querySelector("button[type=submit]");
    button.disabled = true;
    show(["Asking Twilio to ring your phone…"]);
    try {
      const response = await fetch(callForm.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        body: new FormData(callForm),
      });
      const reply = await response.json();
      if (!response.ok) {
        show((reply.errors || []).map((problem) => problem.message));
        return;
      }
      show(["Twilio is ringing your phone. Answer it to be connected to the school."]);
      if (timer === null) timer = window.setTimeout(poll, EVERY);
    } catch (error) {
      show(["The call could not be placed: no connection to the server."]);
    } finally {
      button.disabled = false;
    }
  });

  if (panel.hasAttribute("data-active")) poll();
})();
