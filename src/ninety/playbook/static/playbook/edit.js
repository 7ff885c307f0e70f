// Drag-and-drop reordering for the playbook editor. The ↑ ↓ buttons do the same without a
// mouse; this only posts the new position of the dragged row and reloads.
(function () {
  "use strict";
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  let dragged = null;
  document.querySelectorAll("li[draggable=true][data-move]").forEach(function (li) {
    li.addEventListener("dragstart", function (e) {
      if (dragged) return;
      dragged = li;
      li.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.stopPropagation();
    });
    li.addEventListener("dragend", function () { li.classList.remove("dragging"); dragged = null; });
    li.addEventListener("dragover", function (e) {
      if (dragged && dragged !== li && dragged.parentElement === li.parentElement) e.preventDefault();
    });
    li.addEventListener("drop", function (e) {
      if (!dragged || dragged.parentElement !== li.parentElement) return;
      e.preventDefault();
      e.stopPropagation();
      const siblings = Array.from(li.parentElement.children);
      const body = new URLSearchParams({ to: String(siblings.indexOf(li)) });
      if (token) body.set("csrfmiddlewaretoken", token.value);
      fetch(dragged.dataset.move, { method: "POST", body: body, credentials: "same-origin" })
        .then(function () { window.location.reload(); });
    });
  });
})();
