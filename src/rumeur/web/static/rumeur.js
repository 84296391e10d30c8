// rumeur's own script, loaded from this server (the Content-Security-Policy allows no inline
// code): the crisis room's copy buttons copy a holding statement and, for those who may respond,
// log the copy in the alert's log.
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.copy[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
  } catch (_error) {
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range); // the browser refused the clipboard: select the text instead
    return;
  }
  button.dataset.copied = "true";
  button.textContent = button.dataset.done || button.textContent;
  if (!button.dataset.log) return;
  const form = new FormData();
  form.append("csrf", button.dataset.csrf);
  form.append("statement", button.dataset.statement);
  form.append("language", button.dataset.language);
  const answer = await fetch(button.dataset.log, {
    method: "POST",
    body: form,
    credentials: "same-origin",
  });
  if (answer.ok) button.dataset.logged = "true";
});
