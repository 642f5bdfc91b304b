"""`dms serve` (the one server for every channel) and `dms users` (access tokens)."""

import sys
from pathlib import Path

import typer
from rich.console import Console

from core.settings import get_settings
from wiring import build_clock, build_engine, build_server

from .cli_errors import OneLineErrors

console = Console()
users_app = typer.Typer(help="Users: web chat access tokens, Telegram links.", no_args_is_help=True, cls=OneLineErrors)
DEMO_WORLD = Path(__file__).resolve().parents[1] / "worlds" / "demo"


@users_app.callback()
def users() -> None:
    """Users: web chat access tokens."""  # a callback keeps `users` a group even with one command


def import_demo_if_empty(engine, clock, world: Path | None = None) -> Path | None:
    """Import the demo world into an empty database; the world imported, or None."""
    from sqlmodel import Session

    from core.world import import_world, world_size

    from .cli_chat import keep_knowledge

    with Session(engine) as s:
        if world_size(s).skus:
            return None
    world = world or DEMO_WORLD
    import_world(engine, world, clock=clock)
    keep_knowledge(world)
    return world


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
    world: Path = typer.Option(
        None, exists=True, file_okay=False, help="World to import when the database is empty (default: the demo world)"
    ),
    log_level: str = typer.Option("info", help="debug, info, warning, error"),
) -> None:
    """Run the server: web chat and API, plus Slack and Telegram when their tokens are set."""
    import uvicorn

    from .web.logs import configure_logging

    _port_free(host, port)  # before anything is opened or logged
    configure_logging(log_level.upper())
    settings = get_settings()
    engine, clock = build_engine(settings), build_clock(settings)
    imported = import_demo_if_empty(engine, clock, world)
    if imported is not None:
        console.print(f"imported {imported} into {settings.resolved_database_url()}", highlight=False)
    app = build_server(settings, engine, clock)
    console.print("getting ready: indexing the world's names…", highlight=False)
    app.state.assistant.warm()  # the first user waits no longer than the next
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(
        f"web chat: [bold]http://{shown}:{port}/[/bold]  (health: http://{shown}:{port}/health)", highlight=False
    )
    console.print(
        f"dashboard: open [bold]http://{shown}:{port}/dashboard[/bold] and sign in with a token from "
        ".venv/bin/dms users token U-MGR-KA, or with a one-time link from .venv/bin/dms users signin-link U-MGR-KA "
        "(any user id of the world)",
        highlight=False,
    )
    uvicorn.run(app, host=host, port=port, log_config=None, log_level=log_level.lower())


def _port_free(host: str, port: int) -> None:
    """A port already taken is said in one line before anything starts (is dms already serving?)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            raise typer.BadParameter(
                f"{host}:{port} is already in use (is dms already serving?); choose another with --port",
                param_hint="--port",
            ) from None


@users_app.command("token")
def token(user_id: str = typer.Argument(..., help="The user who will sign in with it")) -> None:
    """Issue a personal access token for the web chat (replaces the user's earlier one).

    It is printed once; only its hash is stored."""
    from core.db import transaction
    from core.identities import issue_token

    with transaction(build_engine()) as s:  # an unknown user: one error line (cli_errors.OneLineErrors)
        secret = issue_token(s, user_id, clock=build_clock())
    print(secret)


@users_app.command("signin-link")
def signin_link(
    user_id: str = typer.Argument(..., help="The user who will sign in with it"),
    base_url: str = typer.Option("http://127.0.0.1:8000", "--url", help="The server's address as the user reaches it"),
) -> None:
    """Print a one-time sign-in link for the web app (valid for 15 minutes, used once)."""
    from channels.web.sessions import LINK_MINUTES, issue_link
    from core.db import transaction

    with transaction(build_engine()) as s:
        secret = issue_link(s, user_id)
    print(f"{base_url.rstrip('/')}/signin/link?t={secret}")
    print(f"(valid for {LINK_MINUTES} minutes, once)", file=sys.stderr)
