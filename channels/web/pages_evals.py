"""`/admin/evals`: an admin runs an evaluation suite from the web app, watches it and opens its
report. The suites and models offered are the server's (evals.web_runs); a run goes on in a
background thread of the server and its progress is read from its `eval_run` row, so any worker
can show it. Anyone else gets, for every address here, exactly what an unknown address gets."""

import asyncio
import base64
import hashlib
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from evals import web_runs
from evals.html import JS as REPORT_JS
from evals.scenario import LoadError, load_paths
from evals.web_runs import RunRefused

from .pages import WebUser, checked, forbidden_csrf, form_of, render, signed_in_or_redirect

router = APIRouter(include_in_schema=False)

# The report is one self-contained page with an inline <style>, style attributes and one inline
# filter script: it gets a policy of its own that runs that script alone (by its hash), loads
# nothing, and sandboxes the page (an opaque origin: no cookies, no requests to this server).
_JS_HASH = base64.b64encode(hashlib.sha256(REPORT_JS.encode()).digest()).decode()
REPORT_CSP = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_JS_HASH}'; sandbox allow-scripts"
DOWNLOADS = {"report.json": "application/json", "report.md": "text/markdown; charset=utf-8"}


def _admin(request: Request) -> WebUser | Response:
    """The signed-in admin; anyone else signed in gets the 404 of an unknown address (the same
    exception, so the same status and words), and no one signed in goes to the sign-in page."""
    user = signed_in_or_redirect(request)
    if isinstance(user, WebUser) and user.role != "admin":
        raise HTTPException(status_code=404)
    return user


def _page(request: Request, status: int = 200, **context) -> Response:
    settings = request.app.state.settings
    context.setdefault("error", "")
    context.setdefault("problems", [])
    context.setdefault("chosen", {})
    return render(
        "evals.html",
        request,
        status,
        suites=list(web_runs.suites(settings)),
        models=web_runs.models(settings),
        runs=web_runs.recent(request.app.state.engine),
        **context,
    )


@router.get("/admin/evals")
def evals_page(request: Request) -> Response:
    user = _admin(request)
    if not isinstance(user, WebUser):
        return user
    return _page(request)


@router.post("/admin/evals")
async def start_run(request: Request) -> Response:
    user = _admin(request)
    if not isinstance(user, WebUser):
        return user
    form = await form_of(request)
    if not checked(request, user, form):
        return forbidden_csrf(request)
    return await asyncio.to_thread(_start, request, user, form)  # files and the database: off the event loop


def _start(request: Request, user: WebUser, form: dict[str, str]) -> Response:
    """A run of the suite named, or the page with one line saying why nothing was started."""
    settings, engine, clock = request.app.state.settings, request.app.state.engine, request.app.state.clock
    label, model = form.get("suite", ""), form.get("model", "offline")
    chosen = {"suite": label, "model": model}
    folder = web_runs.suites(settings).get(label)
    if folder is None:
        return _page(request, 400, error=f"No suite named {label!r} on this server.", chosen=chosen)
    if model not in web_runs.models(settings):
        return _page(request, 400, error=f"This server does not run the model {model!r}.", chosen=chosen)
    try:
        scenarios = load_paths([folder], default_tz=settings.timezone)
    except LoadError as e:
        error = f"{len(e.errors)} problem(s) in the scenario files of {label}; nothing was run."
        return _page(request, 400, error=error, problems=e.errors, chosen=chosen)
    from wiring import build_eval_runner  # the composition root builds the runner, as for `dms eval run`

    try:
        runner = build_eval_runner(settings, model=model)
    except (FileNotFoundError, ValueError) as e:
        return _page(request, 400, error=(str(e).splitlines() or ["That model cannot be used."])[0], chosen=chosen)
    try:
        run = web_runs.start(engine, clock, user_id=user.user_id, suite=label, model=model, total=len(scenarios))
    except RunRefused as e:
        runner.close()
        return _page(request, 409, error=e.message, chosen=chosen)
    assert run.report_dir is not None
    web_runs.launch(engine, clock, run, scenarios, runner, web_runs.runs_dir(settings) / run.report_dir)
    return RedirectResponse(f"/admin/evals/runs/{run.id}", status_code=303)


def _run_or_404(request: Request, run_id: str):
    """The run, or the 404 of an unknown address (the id is read here, not by FastAPI: its 422
    for a bad id would come before the admin check)."""
    run = web_runs.get(request.app.state.engine, int(run_id)) if run_id.isdigit() and len(run_id) < 12 else None
    if run is None:
        raise HTTPException(status_code=404)
    return run


@router.get("/admin/evals/runs/{run_id}")
def run_page(request: Request, run_id: str) -> Response:
    user = _admin(request)
    if not isinstance(user, WebUser):
        return user
    run = _run_or_404(request, run_id)
    return render("eval_run.html", request, run=run, failures=web_runs.failures(run))


@router.get("/admin/evals/runs/{run_id}/progress")
def run_progress(request: Request, run_id: str) -> Response:
    """The progress fragment, polled by htmx while the run goes on."""
    user = _admin(request)
    if not isinstance(user, WebUser):
        return user
    run = _run_or_404(request, run_id)
    return render("_eval_progress.html", request, run=run, failures=web_runs.failures(run))


def _report_file(request: Request, run_id: str, name: str) -> Path:
    run = _run_or_404(request, run_id)
    path = web_runs.runs_dir(request.app.state.settings) / (run.report_dir or "") / name
    if run.status == "running" or not path.is_file():
        raise HTTPException(status_code=404)
    return path


@router.get("/admin/evals/runs/{run_id}/report.html")
def report_html(request: Request, run_id: str) -> Response:
    user = _admin(request)
    if not isinstance(user, WebUser):
        return user
    path = _report_file(request, run_id, "report.html")
    headers = {"Content-Security-Policy": REPORT_CSP, "Cache-Control": "no-store"}
    return FileResponse(path, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/admin/evals/runs/{run_id}/{name}")
def report_download(request: Request, run_id: str, name: str) -> Response:
    user = _admin(request)
    if not isinstance(user, WebUser):
        return user
    if name not in DOWNLOADS:
        raise HTTPException(status_code=404)
    path = _report_file(request, run_id, name)
    return FileResponse(
        path,
        media_type=DOWNLOADS[name],
        filename=f"eval-run-{run_id}-{name}",
        headers={"Cache-Control": "no-store"},
    )


# Any other method on these addresses: the 404 of an unknown address, not a 405 that would tell
# a non-admin the address exists (declared last: Starlette prefers a route matching the method).
@router.api_route("/admin/evals", methods=["PUT", "PATCH", "DELETE", "OPTIONS"])
@router.api_route("/admin/evals/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def not_here(request: Request) -> Response:
    raise HTTPException(status_code=404)
