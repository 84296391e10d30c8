// The composer's chips (web/compose.py): a click on `{ville}` writes it where the cursor is, in
// the text field used last (the master message by default), then tells htmx the form changed so
// that the preview is checked again. Loaded from this server: the CSP allows no inline code.
"use strict";

let lastField = null;

document.addEventListener("focusin", (event) => {
  const field = event.target;
  if (field instanceof HTMLTextAreaElement && field.closest("#compose-form")) lastField = field;
});

document.addEventListener("click", (event) => {
  const chip = event.target.closest("button.chip[data-insert]");
  if (!chip) return;
  const field = lastField || document.querySelector("#compose-form textarea[name=text]");
  if (!field) return;
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? start;
  field.value = field.value.slice(0, start) + chip.dataset.insert + field.value.slice(end);
  const at = start + chip.dataset.insert.length;
  field.focus();
  field.setSelectionRange(at, at);
  field.dispatchEvent(new Event("input", { bubbles: true }));
});
