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

// Sending the form waits for the check in flight (never cut off: the preview it answers is the
// one the person saw), and no check starts once the form is sent.
let checking = 0;
let waiting = null;
let sent = false;

document.addEventListener("htmx:beforeRequest", (event) => {
  if (sent) {
    event.preventDefault();
    return;
  }
  checking += 1;
});

document.addEventListener("htmx:afterRequest", () => {
  checking = Math.max(0, checking - 1);
  if (checking === 0 && waiting) {
    const { form, submitter } = waiting;
    waiting = null;
    form.requestSubmit(submitter);
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id !== "compose-form") return;
  if (checking > 0) {
    event.preventDefault();
    waiting = { form, submitter: event.submitter };
    return;
  }
  sent = true;
});
