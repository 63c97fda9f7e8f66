// The rubric preview's running score: as the preview is answered, the score a contact with these answers
// would get, with the rules of docs/scoring.md (audits/rubrics/scoring.py): yes = 1 and no = 0, a scale
// answer ÷ its highest, a choice's fraction, a timing's band; N/A and text items add nothing; score =
// earned ÷ possible over the answered items; a critical item answered with 0 flags the contact, or scores
// it 0 under the rubric's "zero" policy. Items scored from the contact's facts are not answered here.
(() => {
  "use strict";

  const form = document.querySelector("form.preview[data-critical-policy]");
  const panel = document.getElementById("running-score");
  if (!form || !panel) return;
  const total = panel.querySelector("[data-score-total]");
  const note = panel.querySelector("[data-score-note]");
  const sectionList = panel.querySelector("[data-score-sections]");

  // As audits.formatting.percent: one decimal at most, "72.5%", "75%".
  const percent = (fraction) => `${Number((fraction * 100).toFixed(1))}%`;
  const points = (value) => `${Number(value.toFixed(2))}`;

  // The fraction an item's answer earns; null when it is unanswered or not applicable.
  const fractionOf = (item) => {
    const na = item.querySelector('input[name^="na-"]');
    if (na && na.checked) return null;
    const chosen = item.querySelector('input[type="radio"]:checked');
    const number = item.querySelector('input[type="number"]');
    const kind = item.dataset.kind;
    if (kind === "yes_no") return chosen ? (chosen.value === "yes" ? 1 : 0) : null;
    if (kind === "scale") return chosen && chosen.value !== "" ? Number(chosen.value) / Number(item.dataset.max || 1) : null;
    if (kind === "choice") {
      if (!chosen || chosen.value === "") return null;
      const option = JSON.parse(item.dataset.fractions || "[]").find((o) => o.label === chosen.value);
      return option ? Number(option.fraction) : null;
    }
    if (kind === "timing") {
      if (!number || number.value.trim() === "" || !(Number(number.value) >= 0)) return null;
      const value = Number(number.value);
      const band = JSON.parse(item.dataset.bands || "[]").find(([bound]) => value <= bound);
      return band ? Number(band[1]) : 0;
    }
    return null;
  };

  const update = () => {
    let earned = 0;
    let possible = 0;
    let answered = 0;
    let criticalFailed = false;
    const scored = form.querySelectorAll(".rubric-item[data-kind]");
    sectionList.replaceChildren();
    form.querySelectorAll(".rubric-section").forEach((section) => {
      let sectionEarned = 0;
      let sectionPossible = 0;
      section.querySelectorAll(".rubric-item[data-kind]").forEach((item) => {
        const fraction = fractionOf(item);
        if (fraction === null) return;
        const worth = Number(item.dataset.points);
        answered += 1;
        sectionEarned += fraction * worth;
        sectionPossible += worth;
        if (item.hasAttribute("data-critical") && fraction === 0) criticalFailed = true;
      });
      earned += sectionEarned;
      possible += sectionPossible;
      const row = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = section.dataset.sectionTitle || "";
      const figure = document.createElement("span");
      figure.textContent = sectionPossible
        ? `${percent(sectionEarned / sectionPossible)} (${points(sectionEarned)} of ${points(sectionPossible)})`
        : "—";
      row.append(name, figure);
      sectionList.append(row);
    });
    const zero = criticalFailed && form.dataset.criticalPolicy === "zero";
    if (!possible) {
      total.textContent = answered ? "No points yet: the answers so far are N/A." : "Answer an item to see the score.";
    } else {
      const score = zero ? 0 : earned / possible;
      total.textContent = `${percent(score)}: ${points(earned)} of ${points(possible)} points`;
    }
    const notes = [`${answered} of ${scored.length} scored items answered.`];
    if (criticalFailed) {
      notes.push(zero ? "A critical item scored 0, so this contact scores 0." : "A critical item scored 0: the contact is flagged; its score stands.");
    }
    note.textContent = notes.join(" ");
    note.hidden = false;
  };

  panel.hidden = false;
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
