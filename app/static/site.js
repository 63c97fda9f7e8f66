// What every page of the site shares. Without this script the pages work the same, only less helpfully.
(() => {
  "use strict";

  // A refused form: its error summary ("There is a problem", macros/forms.html) takes the focus, so a
  // screen reader reads it and a phone shows it, wherever the page was scrolled before. Its links move
  // the focus to their field (a group's first input) and scroll the field's label into view.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      const target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      const input = target.matches("input, select, textarea, button")
        ? target
        : target.querySelector("input:not([type=hidden]), select, textarea");
      if (!input) return;
      event.preventDefault();
      const details = input.closest("details");
      if (details) details.open = true;
      (target.closest("fieldset, .field") || target).scrollIntoView({ block: "start" });
      input.focus({ preventScroll: true });
    });
  }

  // Keys suggested from titles (audits/keys.py; the same rule): the key box follows what is typed
  // in its title box until someone types a key of their own. A key box names its title box in
  // data-key-from, the separator in data-key-separator and the keys taken in data-keys-taken.
  const MAX_SUGGESTED = 40;
  const join = (words, separator, limit) => {
    let key = "";
    for (const word of words) {
      const longer = key ? `${key}${separator}${word}` : word;
      if (longer.length > limit) return key || word.slice(0, limit);
      key = longer;
    }
    return key;
  };
  const suggestKey = (title, separator, taken) => {
    const ascii = title.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase();
    const words = ascii.match(/[a-z0-9]+/g) || [];
    while (words.length && /^[0-9]+$/.test(words[0])) words.shift();
    if (words.length) words[0] = words[0].replace(/^[0-9]+/, "");
    const key = join(words.filter(Boolean), separator, MAX_SUGGESTED);
    if (!key || !taken.includes(key)) return key;
    for (let number = 2; ; number += 1) {
      const suffix = `${separator}${number}`;
      const candidate = join(key.split(separator), separator, MAX_SUGGESTED - suffix.length) + suffix;
      if (!taken.includes(candidate)) return candidate;
    }
  };
  window.touchpointSuggestKey = suggestKey; // for the browser tests: the rule as the page runs it

  document.querySelectorAll("input[data-key-from]").forEach((keyBox) => {
    const titleBox = document.getElementById(keyBox.dataset.keyFrom);
    if (!titleBox) return;
    const separator = keyBox.dataset.keySeparator || "_";
    let taken = [];
    try {
      taken = JSON.parse(keyBox.dataset.keysTaken || "[]");
    } catch (error) {
      taken = [];
    }
    let suggested = keyBox.value === "" ? "" : null; // null: the key was typed (or saved) by a person
    const follow = () => {
      if (suggested === null || keyBox.value !== suggested) return;
      suggested = suggestKey(titleBox.value, separator, taken);
      keyBox.value = suggested;
    };
    titleBox.addEventListener("input", follow);
    keyBox.addEventListener("input", () => {
      suggested = keyBox.value === "" ? "" : null; // emptied: follow the title again from its next change
    });
    if (titleBox.value && keyBox.value === "") follow();
  });
})();
