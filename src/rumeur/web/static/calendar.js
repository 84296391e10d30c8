// The publishing calendar (templates/calendar.html): an item dragged onto another day is moved
// there, at the same time of day, by the page's own form route (the session's CSRF token, JSON
// asked back). Without a script, each item's Move field sends the same form.
"use strict";

(() => {
  const grid = document.querySelector(".cal-grid[data-csrf]");
  if (!grid) return;
  const notice = document.getElementById("cal-notice");
  let dragged = null;

  const say = (lines, failed) => {
    notice.textContent = lines.join(" · ");
    notice.classList.toggle("error", Boolean(failed));
  };

  grid.addEventListener("dragstart", (event) => {
    const item = event.target.closest(".cal-item[data-move]");
    if (!item) return;
    dragged = item;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.id);
  });
  grid.addEventListener("dragend", () => {
    dragged = null;
    grid.querySelectorAll(".cal-drop").forEach((d) => d.classList.remove("cal-drop"));
  });
  grid.addEventListener("dragover", (event) => {
    const day = event.target.closest(".cal-day");
    if (!day || !dragged) return;
    event.preventDefault(); // a drop is allowed here
    event.dataTransfer.dropEffect = "move";
    day.classList.add("cal-drop");
  });
  grid.addEventListener("dragleave", (event) => {
    const day = event.target.closest(".cal-day");
    if (day && !day.contains(event.relatedTarget)) day.classList.remove("cal-drop");
  });
  grid.addEventListener("drop", async (event) => {
    const day = event.target.closest(".cal-day");
    const item = dragged;
    if (!day || !item) return;
    event.preventDefault();
    day.classList.remove("cal-drop");
    if (item.closest(".cal-day") === day) return;
    const form = new FormData();
    form.append("csrf", grid.dataset.csrf);
    form.append("day", day.dataset.day);
    item.classList.add("cal-moving");
    let answer;
    try {
      answer = await fetch(item.dataset.move, {
        method: "POST",
        body: form,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (_error) {
      item.classList.remove("cal-moving");
      say([grid.dataset.offline || "The server did not answer: nothing moved."], true);
      return;
    }
    item.classList.remove("cal-moving");
    const body = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      say([body.error || String(answer.status)], true);
      return;
    }
    // The server's time, in the workspace's zone: "2027-03-29T09:00:00+02:00".
    const local = body.local || "";
    const time = item.querySelector("time");
    if (time && local) {
      time.dateTime = local;
      time.textContent = local.slice(11, 16);
    }
    const field = item.querySelector("input[name=at]");
    if (field && local) field.value = local.slice(0, 16);
    const later = [...day.querySelectorAll(".cal-item time")].find(
      (t) => t.dateTime > local && t.closest(".cal-item") !== item,
    );
    day.insertBefore(item, later ? later.closest(".cal-item") : null);
    item.dataset.moved = "true";
    say([grid.dataset.moved || "Moved.", ...(body.warnings || [])], (body.warnings || []).length > 0);
  });
})();
