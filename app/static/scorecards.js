// Live progress of a scorecard batch: poll the JSON endpoint while a batch is queued or running.
(function () {
  "use strict";
  var box = document.querySelector(".scorecard-progress[data-progress-url]");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var status = box.querySelector("[role=status]");
  var failures = box.querySelector(".scorecard-failures");
  var wasActive = box.getAttribute("data-active") === "true";

  function describe(p) {
    if (p.stale) {
      return "The batch stopped at " + p.done + " of " + p.total + ": its worker stopped answering. " +
        "Generate again to resume; the scorecards already built are kept.";
    }
    if (p.state === "queued") { return "Waiting for a worker…"; }
    if (p.state === "running") { return "Built " + p.done + " of " + p.total + " scorecards…"; }
    if (p.state === "done") { return "Finished: " + p.message + "."; }
    if (p.state === "failed") { return "The batch failed: " + p.message; }
    return "";
  }

  function show(p) {
    box.hidden = p.state === "none";
    bar.max = p.total || 1;
    bar.value = p.done || 0;
    status.textContent = describe(p);
    failures.textContent = "";
    (p.failures || []).forEach(function (failure) {
      var item = document.createElement("li");
      var name = document.createElement("strong");
      name.textContent = failure.school;
      item.appendChild(name);
      item.appendChild(document.createTextNode(": " + failure.reason));
      failures.appendChild(item);
    });
    failures.hidden = !(p.failures && p.failures.length);
  }

  function poll() {
    fetch(box.getAttribute("data-progress-url"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        show(p);
        if (p.active) {
          wasActive = true;
          window.setTimeout(poll, 1500);
        } else if (wasActive) {
          window.location.reload();  // the batch ended: show the new counts and links
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  if (wasActive) { window.setTimeout(poll, 1000); }
})();
