// The import summary page follows a background import: it polls the batch's progress once a
// second, moves the bar and the counts, and reloads the page when the import ends.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) return;
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-progress-label]");
  function tick() {
    fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        bar.value = p.percent;
        label.textContent = p.label + " · " + p.percent + "% · " + p.read.toLocaleString() +
          " rows read, " + p.imported.toLocaleString() + " imported, " +
          p.rejected.toLocaleString() + " rejected";
        ["read", "imported", "duplicates", "rejected"].forEach(function (k) {
          var cell = document.querySelector("[data-testid=" + k + "]");
          if (cell) cell.textContent = p[k];
        });
        if (p.active) { setTimeout(tick, 1000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 500);
})();
