// One-on-ones: the talk-share timer and the print button. Without JavaScript the page still
// works: minutes are typed in, and the browser's own Print prints the summary.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });

  const box = document.querySelector("[data-testid=talk]");
  if (!box) return;
  const url = box.dataset.url;
  const name = box.dataset.repName;
  const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const shareEl = box.querySelector(".talk-share");
  const totals = { rep: Number(box.dataset.rep) || 0, leader: Number(box.dataset.leader) || 0 };
  let speaker = "";
  let since = 0;
  let lastSaved = "";

  function current() {
    const t = { rep: totals.rep, leader: totals.leader };
    if (speaker) t[speaker] += (Date.now() - since) / 1000;
    return t;
  }

  function render() {
    const t = current();
    const all = t.rep + t.leader;
    if (all > 0) {
      const share = t.rep / all;
      shareEl.textContent = name + " " + Math.round(100 * share) + "% of the time so far" +
        (share >= 0.5 ? " ✓" : " — target: most of the time");
    }
    document.querySelectorAll("input[data-talk]").forEach(function (input) {
      input.value = String(Math.round(t[input.dataset.talk]));
    });
    box.querySelectorAll(".talk-btn").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.speaker === speaker));
    });
  }

  function save(beacon) {
    const t = current();
    const body = new URLSearchParams({
      rep_seconds: String(Math.round(t.rep)),
      leader_seconds: String(Math.round(t.leader)),
      csrfmiddlewaretoken: token,
    });
    const key = body.get("rep_seconds") + "/" + body.get("leader_seconds");
    if (key === lastSaved) return Promise.resolve();
    lastSaved = key;
    if (beacon && navigator.sendBeacon) {
      navigator.sendBeacon(url, body);
      return Promise.resolve();
    }
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (r) { box.dataset.saved = r.ok ? key : "error"; });
  }

  function switchTo(next) {
    const t = current();
    totals.rep = t.rep;
    totals.leader = t.leader;
    speaker = next === speaker ? "" : next;
    since = Date.now();
    render();
    save(false);
  }

  box.querySelectorAll("button[data-speaker]").forEach(function (b) {
    b.addEventListener("click", function () { switchTo(b.dataset.speaker); });
  });
  setInterval(render, 500);
  setInterval(function () { if (speaker) save(false); }, 5000);
  window.addEventListener("pagehide", function () { save(true); });
  render();
})();
