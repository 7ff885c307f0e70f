// One-on-ones: the talk-share timer and the print button. Without JavaScript the page still
// works: minutes are typed in, and the browser's own Print prints the summary.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  if (document.querySelector("[data-autoprint]")) window.addEventListener("load", function () { window.print(); });

  const box = document.querySelector("[data-testid=talk]");
  if (!box) return;
  const url = box.dataset.url;
  const name = box.dataset.repName;
  const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const shareEl = box.querySelector(".talk-share");
  const totals = { rep: Number(box.dataset.rep) || 0, leader: Number(box.dataset.leader) || 0 };
  let speaker = "";
  let since = 0;
  // What the server holds already: leaving the page resends only what changed since.
  let lastSaved = Math.round(totals.rep) + "/" + Math.round(totals.leader);
  let minutesTyped = false;
  const minutes = box.querySelector(".talk-minutes form");
  if (minutes) minutes.addEventListener("submit", function () { minutesTyped = true; });

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
  window.addEventListener("pagehide", function () { if (!minutesTyped) save(true); });
  render();
})();

// The meeting page keeps every keystroke: the one "save" form (answers, ticks, notes, the
// self-report) is posted in the background a moment after each change, the save bar says
// whether it is saved, and the page's other actions (add a commitment, make it an experiment,
// switch behavior, save minutes) first finish saving. Leaving with unsaved text warns.
(function () {
  "use strict";
  const form = document.getElementById("save");
  const status = document.querySelector("[data-testid=save-status]");
  if (!form || !status) return;
  const fields = function () {
    return Array.from(form.elements).filter(function (el) { return el.name && el.type !== "button"; });
  };
  const newWays = document.getElementById("new-ways");
  let dirty = false;        // changes not yet stored on the server
  let leaving = false;      // a form is being submitted on purpose
  let timer = 0;
  let inFlight = Promise.resolve();
  let withWays = false;

  function show(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  function clock() {
    return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function post() {
    const body = new FormData(form);
    body.delete("close");
    if (!withWays) body.delete("new-ways");
    const sentWays = withWays && newWays ? newWays.value : "";
    withWays = false;
    dirty = false;
    show("saving", "Saving…");
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw new Error(data.error || "the server answered " + r.status);
        if (sentWays && newWays && newWays.value === sentWays) newWays.value = "";
        const score = document.querySelector("[data-testid=recital-score]");
        if (score && data.recital) {
          score.innerHTML = "<strong>" + data.recital.recited + " of " + data.recital.total + "</strong> recited (saved)";
        }
        const chips = document.querySelector("[data-testid=proposed-ways]");
        if (chips && data.proposed) {
          chips.textContent = data.proposed.length ? "Proposed today: " : "";
          data.proposed.forEach(function (text) {
            const span = document.createElement("span");
            span.className = "chip";
            span.textContent = text;
            chips.appendChild(span);
          });
        }
        if (!dirty) show("saved", "All changes saved · " + clock());
      });
    }).catch(function (err) {
      dirty = true;
      if (sentWays) withWays = true;
      show("error", "Not saved (" + err.message + "): your text is still here; it will retry.");
      clearTimeout(timer);
      timer = setTimeout(save, 5000);
    });
  }

  function save() {
    clearTimeout(timer);
    inFlight = inFlight.then(post);
    return inFlight;
  }

  // Save now, including the rep's new ways; resolves once nothing typed is left unsaved.
  function flush() {
    clearTimeout(timer);
    withWays = newWays ? newWays.value.trim() !== "" : false;
    if (!dirty && !withWays) return inFlight;
    return save().then(function () { if (dirty) throw new Error("not saved"); });
  }

  function changed(event) {
    dirty = true;
    show("dirty", "Unsaved changes…");
    clearTimeout(timer);
    // A new way is proposed once it is written out (on leaving the field), not letter by letter.
    if (event.target === newWays) {
      if (event.type === "change") { withWays = true; save(); }
      return;
    }
    timer = setTimeout(save, event.type === "change" ? 100 : 800);
  }

  fields().forEach(function (el) {
    el.addEventListener("input", changed);
    el.addEventListener("change", changed);
  });

  // The page's other forms reload it: save first, then go on.
  document.querySelectorAll("form[data-after-save]").forEach(function (other) {
    other.addEventListener("submit", function (event) {
      if (other.dataset.saved === "1") return;
      event.preventDefault();
      flush().then(function () {
        other.dataset.saved = "1";
        leaving = true;
        // Out of this submit event first: a form being submitted ignores a second submit.
        setTimeout(function () {
          if (other.requestSubmit) other.requestSubmit(); else other.submit();
        }, 0);
      }, function () {
        show("error", "Not saved yet: the page stays so nothing you typed is lost.");
      });
    });
  });
  form.addEventListener("submit", function () { leaving = true; });

  window.addEventListener("beforeunload", function (event) {
    if (leaving || (!dirty && !(newWays && newWays.value.trim()))) return;
    event.preventDefault();
    event.returnValue = "";
  });
  show("saved", "All changes saved");
})();
