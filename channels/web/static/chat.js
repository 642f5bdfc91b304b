// The web chat, in two modes:
// - on / (index.html): a token sign-in, then messages to /api/chat with the bearer token;
// - beside the dashboard and on /chat (data-mode="session"): the browser's signed-in session
//   (its HTTP-only cookie) and the page's CSRF token, to /web/chat, /web/confirm, /web/cancel.
// Everything the server sends is shown with textContent, never as HTML.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  if (!$("log")) return;
  const store = window.sessionStorage; // the token lives only as long as the browser tab's session
  const sessionMode = $("chat") && $("chat").dataset.mode === "session";
  const csrf = document.querySelector('meta[name="csrf-token"]');
  const PATHS = sessionMode
    ? { chat: "/web/chat", confirm: "/web/confirm", cancel: "/web/cancel" }
    : { chat: "/api/chat", confirm: "/api/confirm", cancel: "/api/cancel" };

  async function api(path, body) {
    const headers = { "Content-Type": "application/json" };
    if (sessionMode) {
      if (csrf) headers["X-CSRF-Token"] = csrf.content;
    } else {
      const token = store.getItem("dms.token");
      if (token) headers["Authorization"] = "Bearer " + token;
      const session = store.getItem("dms.session");
      if (session) headers["X-Chat-Session"] = session;
    }
    const res = await fetch(path, { method: "POST", headers, body: JSON.stringify(body || {}), credentials: "same-origin" });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    return { status: res.status, data };
  }

  function add(cls, text) {
    const li = document.createElement("li");
    li.className = cls;
    const p = document.createElement("div");
    p.className = "text";
    p.textContent = text;
    li.appendChild(p);
    $("log").appendChild(li);
    reveal(li);
    return li;
  }

  // The newest message in full view: inside the panel's own scrolling log, or above the
  // composer that sticks to the bottom of the page (its scroll-margin keeps it clear).
  function reveal(li) {
    const log = $("log");
    if (log.scrollHeight > log.clientHeight && getComputedStyle(log).overflowY !== "visible") log.scrollTop = log.scrollHeight;
    li.scrollIntoView({ block: "end" });
  }

  // While the assistant works: a typing indicator, announced once.
  function working(on) {
    let t = $("typing");
    if (!t) {
      t = document.createElement("p");
      t.id = "typing";
      t.className = "typing";
      t.setAttribute("role", "status");
      t.textContent = "The assistant is working…";
      $("log").after(t);
    }
    t.hidden = !on;
    if (on) t.scrollIntoView({ block: "end" });
  }

  // A number, an amount or a percentage (the tools send cells as text): right-aligned, never wrapped.
  const NUMBER = /^[-+]?(?:Rs\.?\s*|₹\s*)?[\d,]*\d(?:\.\d+)?\s*%?$/i;
  const BLANK = new Set(["", "-", "—", "–", "n/a"]);
  let tables = 0;

  // The reply's whole table, as a real table inside a box that scrolls sideways on its own, so a
  // wide table never widens the page; the first column stays in view while it scrolls.
  function table(t) {
    const numeric = t.columns.map((_, i) => {
      const cells = t.rows.map((r) => String(r[i] ?? "").trim()).filter((c) => !BLANK.has(c.toLowerCase()));
      return cells.length > 0 && cells.every((c) => NUMBER.test(c));
    });
    const el = document.createElement("table");
    const head = el.createTHead().insertRow();
    t.columns.forEach((c, i) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = c;
      if (numeric[i]) th.className = "num";
      head.appendChild(th);
    });
    const body = el.createTBody();
    for (const r of t.rows) {
      const tr = body.insertRow();
      t.columns.forEach((_, i) => {
        const td = tr.insertCell();
        const text = String(r[i] ?? "");
        td.textContent = text;
        if (numeric[i]) td.className = "num";
        else if (!/\s/.test(text)) td.className = "word"; // a code or a date: never broken at its hyphens
      });
    }
    const box = document.createElement("div");
    box.className = "table-box";
    box.tabIndex = 0; // a scrolling region is reachable from the keyboard
    box.setAttribute("role", "region");
    box.appendChild(el);
    const wrap = document.createElement("div");
    wrap.className = "table";
    if (t.title) { // above the box, so it stays in view while the table scrolls sideways
      const title = document.createElement("div");
      title.className = "table-title";
      title.id = "table-" + (++tables);
      title.textContent = t.title;
      box.setAttribute("aria-labelledby", title.id);
      el.setAttribute("aria-labelledby", title.id);
      wrap.appendChild(title);
    } else box.setAttribute("aria-label", "Table");
    wrap.appendChild(box);
    return wrap;
  }

  // A file of the reply (a report as a spreadsheet): the server gives it only with the token, so
  // the link fetches it with the token and hands the browser the bytes to save.
  function fileLink(f) {
    const a = document.createElement("a");
    a.className = "file";
    a.href = "#";
    a.textContent = "Download " + f.name;
    a.addEventListener("click", async (ev) => {
      ev.preventDefault();
      const headers = {};
      const token = store.getItem("dms.token");
      if (token) headers["Authorization"] = "Bearer " + token;
      const res = await fetch(f.url, { headers });
      if (res.status === 401) { signOut("Your session has ended; please sign in again."); return; }
      if (!res.ok) { a.textContent = f.name + ": no longer available (files are kept for 30 minutes)"; return; }
      const url = URL.createObjectURL(await res.blob());
      const save = document.createElement("a");
      save.href = url;
      save.download = f.name;
      document.body.appendChild(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    });
    return a;
  }

  function showReply(reply) {
    const li = add("bot " + (reply.outcome || ""), reply.text || "");
    li.dataset.outcome = reply.outcome || "";
    if (reply.table) li.appendChild(table(reply.table));
    if (reply.files && reply.files.length) {
      const box = document.createElement("div");
      box.className = "files";
      for (const f of reply.files) box.appendChild(fileLink(f));
      li.appendChild(box);
    }
    if (reply.actions && reply.actions.length) {
      const bar = document.createElement("div");
      bar.className = "actions";
      for (const a of reply.actions) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = a.id;
        b.textContent = a.label;
        b.addEventListener("click", async () => {
          for (const x of bar.querySelectorAll("button")) x.disabled = true;
          b.dataset.used = "true";
          const status = await send(a.id === "cancel" ? PATHS.cancel : PATHS.confirm, { action_id: a.value }, a.label);
          if (status === 429) for (const x of bar.querySelectorAll("button")) x.disabled = false; // try again later
        });
        bar.appendChild(b);
      }
      li.appendChild(bar);
    }
    reveal(li); // after its table and buttons are in: the whole reply above the composer
  }

  // A preview's buttons answer only the latest preview: once anything else is sent they are spent.
  function spendButtons() {
    for (const x of $("log").querySelectorAll(".actions button")) x.disabled = true;
  }

  async function send(path, body, echo) {
    spendButtons();
    if (echo) add("me", echo);
    working(true);
    let status, data;
    try { ({ status, data } = await api(path, body)); }
    catch (e) { status = 0; data = null; }
    finally { working(false); }
    if (status === 401) {
      if (sessionMode) { add("bot error", "Your session has ended; please sign in again."); return status; }
      signOut("Your session has ended; please sign in again."); return status;
    }
    if (data && typeof data.text === "string") showReply(data);
    else add("bot error", "Sorry, that did not work (" + status + "). Please try again.");
    return status;
  }

  function showChat(user) {
    $("signin").hidden = true;
    $("chat").hidden = false;
    $("signout").hidden = false;
    $("who").textContent = user.name + " (" + user.role.replace("_", " ") + ")";
    $("message").focus();
  }

  function signOut(message) {
    store.clear();
    $("log").replaceChildren();
    $("chat").hidden = true;
    $("signout").hidden = true;
    $("who").textContent = "";
    $("signin").hidden = false;
    $("signin-error").textContent = message || "";
  }

  $("composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = $("message").value.trim();
    if (!text) return;
    $("message").value = "";
    $("send").disabled = true;
    try { await send(PATHS.chat, { text }, text); } finally { $("send").disabled = false; $("message").focus(); }
  });

  if (sessionMode) return; // signed in by the page's session: no token form

  $("signin").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    store.setItem("dms.token", $("token").value.trim());
    store.removeItem("dms.session");
    const { status, data } = await api("/api/signin");
    if (status !== 200 || !data) { signOut("That token was not accepted."); return; }
    $("token").value = "";
    store.setItem("dms.session", data.session);
    store.setItem("dms.user", JSON.stringify(data.user));
    showChat(data.user);
  });

  $("signout").addEventListener("click", () => signOut());

  const saved = store.getItem("dms.user");
  if (saved && store.getItem("dms.token")) showChat(JSON.parse(saved));
})();
