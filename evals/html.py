"""The report as one self-contained HTML page: inline CSS and a few lines of inline JS (a
filter), no CDN, no fonts, no external file; it opens from disk or as a CI artifact.

Per scenario: the transcript with each turn's tool calls, failed checks, product log and
state change, the first failing check, the final checks and the state diff of the run.
"""

import json
from html import escape

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:20px}
header .sub{opacity:.8;font-size:13px}main{padding:20px 28px;max-width:1200px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:18px}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:10px 14px;min-width:120px}
.card .v{font-size:20px;font-weight:600}.card .l{font-size:12px;color:#5b6575}
table{border-collapse:collapse;background:#fff;margin:6px 0 16px}td,th{border:1px solid #dde1e7;padding:4px 8px;
text-align:left;vertical-align:top}th{background:#eef0f4;font-weight:600}
.bar{display:inline-block;height:8px;background:#2e9d5b;border-radius:4px;vertical-align:middle;margin-right:6px}
.bar.bad{background:#d64545}.pass{color:#1f7a45;font-weight:600}.fail{color:#b42323;font-weight:600}
details.sc{background:#fff;border:1px solid #dde1e7;border-left:5px solid #2e9d5b;border-radius:6px;margin:8px 0}
details.sc.failed{border-left-color:#d64545}details.sc>summary{cursor:pointer;padding:8px 12px;list-style:none}
details.sc>summary::-webkit-details-marker{display:none}.sc .body{padding:4px 16px 14px}
.tag{display:inline-block;background:#eef0f4;border-radius:10px;padding:0 8px;margin-left:4px;font-size:12px}
.first{background:#fdecec;border:1px solid #f3b8b8;border-radius:6px;padding:8px 10px;margin:8px 0}
.turn{border-top:1px dashed #dde1e7;padding:8px 0}.who{font-size:12px;color:#5b6575;margin-bottom:2px}
.msg{white-space:pre-wrap;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;
padding:6px 9px;border-radius:6px}.user{background:#e8f0fe}.bot{background:#f1f3f5}
.checks li.f{color:#b42323}.checks li.p{color:#1f7a45}.log{color:#8a5a00;font-size:12px}
pre.json{background:#f6f8fa;border:1px solid #e3e6ea;border-radius:6px;padding:6px 8px;font-size:12px;
overflow-x:auto;margin:2px 0}.muted{color:#5b6575;font-size:12px}.controls{margin:10px 0 6px}
.controls input[type=text]{padding:5px 8px;width:280px;border:1px solid #c9ced6;border-radius:5px}
"""

JS = """
function applyFilter(){var q=document.getElementById('q').value.toLowerCase();
var only=document.getElementById('only').checked;var n=0;
document.querySelectorAll('details.sc').forEach(function(d){
var show=(!only||d.classList.contains('failed'))&&(!q||d.dataset.search.indexOf(q)>=0);
d.style.display=show?'':'none';if(show)n++;});document.getElementById('count').textContent=n+' shown';}
document.getElementById('q').addEventListener('input',applyFilter);
document.getElementById('only').addEventListener('change',applyFilter);applyFilter();
"""


def _e(x) -> str:
    return escape("" if x is None else str(x))


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _json(value) -> str:
    return f'<pre class="json">{_e(json.dumps(value, indent=1, ensure_ascii=False, default=str))}</pre>'


def _card(label: str, value) -> str:
    return f'<div class="card"><div class="v">{_e(value)}</div><div class="l">{_e(label)}</div></div>'


def _groups(title: str, groups: dict) -> str:
    rows = "".join(
        f'<tr><td>{_e(name)}</td><td>{g["scenarios"]}</td><td><span class="bar{" bad" if g["pass_rate"] < 1 else ""}" '
        f'style="width:{max(2, round(g["pass_rate"] * 120))}px"></span>{_pct(g["pass_rate"])}</td>'
        f"<td>{_pct(g['pass_k'])}</td></tr>"
        for name, g in groups.items()
    )
    return (
        f"<h2>{_e(title)}</h2><table><tr><th></th><th>scenarios</th><th>pass rate</th><th>pass^k</th></tr>"
        f"{rows}</table>"
    )


def _tool_calls(calls: list[dict]) -> str:
    if not calls:
        return ""

    def result(c: dict) -> str:
        return "ok" if c.get("ok", True) else '<span class="fail">failed</span>: ' + _e(c.get("error"))

    rows = "".join(
        f"<tr><td>{_e(c['name'])}</td><td>{_json(c.get('args', {}))}</td><td>{result(c)}</td></tr>" for c in calls
    )
    return f"<table><tr><th>tool</th><th>arguments</th><th>result</th></tr>{rows}</table>"


def _turn(n: int, t: dict) -> str:
    tokens = (
        f", tokens {t['tokens']} (in {t.get('input_tokens', 0)}, out {t.get('output_tokens', 0)})"
        if t.get("tokens") or t.get("input_tokens")
        else ""
    )
    parts = [
        f'<div class="turn"><div class="who">turn {n} · user</div><div class="msg user">{_e(t["user"])}</div>',
        f'<div class="who">assistant · outcome <b>{_e(t["outcome"])}</b> · {t["latency_ms"]} ms{tokens}'
        f"{' · awaiting confirmation' if t.get('awaiting_confirmation') else ''}</div>",
        f'<div class="msg bot">{_e(t["assistant"])}</div>',
        _tool_calls(t.get("tool_calls", [])),
    ]
    if t.get("changed"):
        parts.append(f'<div class="muted">state changed: {_e(t["changed"])}</div>')
    if t.get("failed_checks"):
        parts.append(
            '<ul class="checks">'
            + "".join(f'<li class="f">{_e(c["check"])}: {_e(c["detail"])}</li>' for c in t["failed_checks"])
            + "</ul>"
        )
    parts += [f'<div class="log">log: {_e(line)}</div>' for line in t.get("log", [])]
    return "".join(parts) + "</div>"


def _diff(diff: dict) -> str:
    if not diff:
        return '<p class="muted">The state did not change.</p>'
    out = []
    for section, d in diff.items():
        out.append(
            f"<h4>{_e(section)}: {len(d['added'])} added, {len(d['removed'])} removed, {len(d['changed'])} changed</h4>"
        )
        for item in d["added"]:
            out.append('<div class="muted">added</div>' + _json(item))
        for item in d["removed"]:
            out.append('<div class="muted">removed</div>' + _json(item))
        for c in d["changed"]:
            changed = {
                k: [c["before"].get(k), c["after"].get(k)]
                for k in c["after"]
                if c["before"].get(k) != c["after"].get(k)
            }
            out.append(f'<div class="muted">changed {_e(c["key"])} (before, after)</div>' + _json(changed))
    return "".join(out)


def _scenario(s: dict) -> str:
    failed = not s["passed"]
    trial = next((t for t in s["trials"] if not t["passed"]), s["trials"][0] if s["trials"] else None)
    search = " ".join(
        [s["id"], s.get("role") or "", s.get("user") or "", " ".join(s["tags"]), s.get("failure") or ""]
    ).lower()
    head = (
        f'<summary><span class="{"fail" if failed else "pass"}">{"FAIL" if failed else "pass"} '
        f"{s['passes']}/{s['trial_count']}</span> <b>{_e(s['id'])}</b> "
        f'<span class="muted">{_e(s.get("role") or "")} {_e(s.get("user"))} on {_e(s.get("channel"))}</span>'
        + "".join(f'<span class="tag">{_e(t)}</span>' for t in s["tags"])
        + (f'<div class="muted" style="margin-top:3px">{_e(s["failure"])}</div>' if failed else "")
        + "</summary>"
    )
    body = [f'<div class="muted">{_e(s.get("source"))}</div>']
    f = s.get("first_failing_check")
    if f:
        body.append(
            f'<div class="first"><b>First failing check</b> ({_e(f["where"])}): {_e(f["check"])}'
            f"{': ' + _e(f['detail']) if f.get('detail') else ''}</div>"
        )
    if len(s["trials"]) > 1:
        body.append(
            "<p>"
            + " · ".join(
                f'trial {t["trial"]}: <span class="{"pass" if t["passed"] else "fail"}">'
                f"{'pass' if t['passed'] else 'fail'}</span>"
                for t in s["trials"]
            )
            + (f" (showing trial {trial['trial']})" if trial else "")
            + "</p>"
        )
    if trial:
        body += [_turn(n, t) for n, t in enumerate(trial["transcript"], 1)]
        if trial.get("error_trace"):
            body.append(f'<h4>Crash</h4><pre class="json">{_e(trial["error_trace"])}</pre>')
        if trial["final_checks"]:
            body.append(
                '<h4>Final checks</h4><ul class="checks">'
                + "".join(
                    f'<li class="{"p" if c["passed"] else "f"}">{_e(c["check"])}'
                    f"{': ' + _e(c['detail']) if c['detail'] else ''}</li>"
                    for c in trial["final_checks"]
                )
                + "</ul>"
            )
        body.append(
            "<h4>State diff (before the first turn → after the last)</h4>" + _diff(trial.get("state_diff") or {})
        )
    return (
        f'<details class="sc{" failed" if failed else ""}"{" open" if failed else ""} '
        f'data-search="{_e(search)}">{head}<div class="body">{"".join(body)}</div></details>'
    )


def to_html(report: dict) -> str:
    m = report["metrics"]
    cost = m.get("cost")
    cards = [
        _card("pass rate", f"{_pct(report['pass_rate'])} ({report['passed']}/{report['total']})"),
        _card(
            f"pass^{report['k']}", f"{_pct(report['pass_k'])} ({report['scenarios_passed']}/{report['scenario_count']})"
        ),
        _card("tool calls / scenario", m["tool_calls"]["per_scenario"]),
        _card("confirmations asked", m["confirmations_asked"]),
        _card("refusals", m["refusals"]),
        _card("latency p50 / p95 ms", f"{m['latency_ms']['p50']} / {m['latency_ms']['p95']}"),
        _card("tokens in / out", f"{m['tokens'].get('input', 0)} / {m['tokens'].get('output', 0)}"),
        _card("cost (USD)", cost["total"] if cost else "unknown"),
        _card("crashes", m["crashes"]),
    ]
    inv = m.get("invariant_failures") or {}
    source = " · ".join(
        x
        for x in (
            f"recorded to {report['recorded_to']}" if report.get("recorded_to") else "",
            f"replayed from {report['replayed_from']}" if report.get("replayed_from") else "",
        )
        if x
    )
    tools = "".join(f"<tr><td>{_e(k)}</td><td>{v}</td></tr>" for k, v in m["tool_calls"]["by_tool"].items())
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>dms evaluation: '
        f"{_e(report['model'])}</title><style>{CSS}</style></head><body>",
        f'<header><h1>Evaluation report: {_e(report["model"])}, k={report["k"]}</h1><div class="sub">started '
        f"{_e(report['started_at'])}, took {report['duration_s']} s{' · ' + _e(source) if source else ''}</div></header>",
        "<main>",
        f'<div class="cards">{"".join(cards)}</div>',
        "<p>Invariants failed: "
        + (", ".join(f"{_e(k.removeprefix('invariant: '))} {v}" for k, v in inv.items()) or "none")
        + "</p>",
        _groups("By tag", m["by_tag"]),
        _groups("By role", m["by_role"]),
        f"<h2>Tool calls</h2><table><tr><th>tool</th><th>calls</th></tr>{tools}</table>" if tools else "",
        '<h2>Scenarios</h2><div class="controls"><input id="q" type="text" placeholder="filter by id, role, '
        'tag, failure"> <label><input id="only" type="checkbox"> failures only</label> '
        '<span id="count" class="muted"></span></div>',
        *(_scenario(s) for s in report["scenarios"]),
        f"</main><script>{JS}</script></body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"
