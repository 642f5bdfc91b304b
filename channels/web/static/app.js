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
})();
