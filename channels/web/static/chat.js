// The web chat: a token sign-in, then messages to /api/chat and Confirm/Cancel buttons.
// Everything the server sends is shown with textContent, never as HTML.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const store = window.sessionStorage; // the token lives only as long as the browser tab's session

  async function api(path, body) {
    const headers = { "Content-Type": "application/json" };
    const token = store.getItem("dms.token");
    if (token) headers["Authorization"] = "Bearer " + token;
    const session = store.getItem("dms.session");
    if (session) headers["X-Chat-Session"] = session;
    const res = await fetch(path, { method: "POST", headers, body: JSON.stringify(body || {}) });
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
    li.scrollIntoView({ block: "end" });
    return li;
  }

  function table(t) {
    const el = document.createElement("table");
    if (t.title) el.createCaption().textContent = t.title;
    const head = el.createTHead().insertRow();
    for (const c of t.columns) { const th = document.createElement("th"); th.textContent = c; head.appendChild(th); }
    const body = el.createTBody();
    for (const r of t.rows) { const tr = body.insertRow(); for (const c of r) tr.insertCell().textContent = c; }
    return el;
  }

  function showReply(reply) {
    const li = add("bot " + (reply.outcome || ""), reply.text || "");
    li.dataset.outcome = reply.outcome || "";
    if (reply.table) li.appendChild(table(reply.table));
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
          const status = await send(a.id === "cancel" ? "/api/cancel" : "/api/confirm", { action_id: a.value }, a.label);
          if (status === 429) for (const x of bar.querySelectorAll("button")) x.disabled = false; // try again later
        });
        bar.appendChild(b);
      }
      li.appendChild(bar);
    }
  }

  async function send(path, body, echo) {
    if (echo) add("me", echo);
    const { status, data } = await api(path, body);
    if (status === 401) { signOut("Your session has ended; please sign in again."); return status; }
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

  $("composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = $("message").value.trim();
    if (!text) return;
    $("message").value = "";
    $("send").disabled = true;
    try { await send("/api/chat", { text }, text); } finally { $("send").disabled = false; $("message").focus(); }
  });

  $("signout").addEventListener("click", () => signOut());

  const saved = store.getItem("dms.user");
  if (saved && store.getItem("dms.token")) showChat(JSON.parse(saved));
})();
