// The web app's pages: htmx sends the session's CSRF token with every request it makes.
"use strict";
(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", (ev) => {
    if (meta) ev.detail.headers["X-CSRF-Token"] = meta.content;
  });
  // a filter that cannot be applied comes back as 400 with its words: show them, not nothing
  document.body.addEventListener("htmx:beforeSwap", (ev) => {
    if (ev.detail.xhr.status === 400) { ev.detail.shouldSwap = true; ev.detail.isError = false; }
  });
  // the new-order form: "Add a row" adds one here (the server does it without JavaScript)
  const add = document.getElementById("add-row");
  const lines = document.querySelector("#lines tbody");
  if (add && lines) {
    add.addEventListener("click", (ev) => {
      const rows = lines.querySelectorAll("tr.line");
      const n = rows.length;
      const row = rows[n - 1].cloneNode(true);
      row.querySelector("td").textContent = String(n + 1);
      row.querySelectorAll(".field-error").forEach((e) => e.remove());
      row.querySelectorAll("input").forEach((input) => {
        const field = input.name.split("-")[0];
        input.name = input.id = field + "-" + n;
        input.value = "";
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
        const label = row.querySelector('label[for^="' + field + '-"]');
        label.htmlFor = input.id;
        label.textContent = label.textContent.replace(/\d+$/, String(n + 1));
      });
      lines.appendChild(row);
      row.querySelector("input").focus();
      ev.preventDefault();
    });
  }
  // a button marked data-once is pressed once: a second click while the page loads sends nothing
  // (the server places one order anyway, whatever is sent)
  document.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", (ev) => {
      const b = ev.submitter;
      if (!b || !b.hasAttribute("data-once")) return;
      if (b.dataset.sent) { ev.preventDefault(); return; }
      b.dataset.sent = "1";
      b.setAttribute("aria-disabled", "true");
    });
  });
})();
