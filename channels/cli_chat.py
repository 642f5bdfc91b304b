"""`dms chat`: the assistant in a terminal (Rich), with previews and yes/no confirmations."""

import shutil
import uuid
from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from core.settings import get_settings

console = Console()


def keep_knowledge(world: Path) -> None:
    """Keep a copy of the world's knowledge/ beside the database, for the assistant to index."""
    src = Path(world) / "knowledge"
    if src.is_dir():
        dst = get_settings().knowledge_dir
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst)


def rich_table(table, columns: list[int] | None = None, title: str | None = None) -> Table:
    """A reply's table (or some of its columns) for a terminal: numbers right-aligned and never
    broken, other cells folded when they must; cells are text, never Rich markup."""
    from .render import numeric_columns

    columns = list(range(len(table.columns))) if columns is None else columns
    numeric = numeric_columns(table)
    title = title if title is not None else table.title
    t = Table(
        title=Text(title) if title else None,
        title_justify="left",
        title_style="bold",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for i in columns:
        t.add_column(
            Text(str(table.columns[i])), justify="right" if numeric[i] else "left", no_wrap=numeric[i], overflow="fold"
        )
    for row in table.rows:
        t.add_row(*(Text(str(row[i]) if i < len(row) else "") for i in columns))
    return t


def table_parts(table, out: Console) -> list[Table]:
    """The whole table as Rich tables that fit the terminal: one when it fits, else the columns in
    groups that fit side by side, each group after the first starting again with the first column."""

    def width(t: Table) -> int:  # what the table needs unfolded (Rich would squeeze it to the terminal)
        return Measurement.get(out, out.options.update_width(100_000), t).maximum

    if width(rich_table(table)) <= out.width or len(table.columns) < 3:
        return [rich_table(table)]
    groups: list[list[int]] = [[0]]
    for i in range(1, len(table.columns)):
        if len(groups[-1]) > 1 and width(rich_table(table, groups[-1] + [i])) > out.width:
            groups.append([0])
        groups[-1].append(i)
    title = table.title or ""
    return [rich_table(table, g, f"{title} ({n}/{len(groups)})".strip()) for n, g in enumerate(groups, 1)]


def render(reply, out: Console | None = None) -> None:
    """The reply's text as written, then its whole table (a terminal has the room)."""
    out = out or console
    out.print(reply.text, highlight=False, markup=False)
    if reply.table and reply.table.rows:
        for part in table_parts(reply.table, out):
            out.print(part)


def save_files(reply, out: Path, console_out: Console | None = None) -> list[Path]:
    """The reply's files written into `out` (never over an existing file: `name (2).xlsx`), each
    path said."""
    saved = []
    for f in reply.attachments:
        name = Path(f.filename).name or "report"  # a name, never a path
        path = out / name
        n = 1
        while path.exists():
            n += 1
            path = out / f"{Path(name).stem} ({n}){Path(name).suffix}"
        path.write_bytes(f.content)
        saved.append(path)
        (console_out or console).print(f"Saved {path}", highlight=False, markup=False, soft_wrap=True)  # a path whole
    return saved


DEMO_WORLD = Path(__file__).resolve().parents[1] / "worlds" / "demo"


def chat(
    user: str = typer.Option(..., "--as", help="User id to act as"),
    model: str = typer.Option(None, help="offline (default) or openai:<model>"),
    record: Path = typer.Option(
        None,
        "--record",
        help="On leaving, write the conversation to this file as a scenario whose expectations are what was observed",
    ),
    world: Path = typer.Option(
        None,
        "--world",
        exists=True,
        file_okay=False,
        help="The world the recorded scenario names (default: the demo "
        "world); it should be what the chat's database holds",
    ),
    out: Path = typer.Option(
        Path("."),
        "--out",
        exists=True,
        file_okay=False,
        writable=True,
        help="Where files the assistant sends (reports as spreadsheets) are saved (default: the current directory)",
    ),
) -> None:
    """Chat with the assistant as a user of the world. Ctrl-D or 'exit' to leave."""
    from sqlmodel import Session

    from agent.runtime import Turn
    from core.identities import get_user
    from wiring import build_assistant, build_engine

    engine = build_engine()
    with Session(engine) as s:
        if get_user(s, user) is None:  # said at once, not after the first message
            raise typer.BadParameter(
                f"no user {user!r} in this database (see users.csv of the world)", param_hint="--as"
            )
    say = lambda what: console.print(f"getting ready: {what}…", highlight=False)  # noqa: E731
    assistant = build_assistant(engine=engine, model=model, on_index=lambda: say("indexing the knowledge documents"))
    say("indexing the world's names")
    assistant.warm()
    turn = Turn(user, "cli", uuid.uuid4().hex[:12])
    recording = start_recording(assistant, user, world) if record else None
    console.print(
        f"[bold]dms[/bold] chat as {user}. Ask about orders, stock, prices, schemes, payments… ('exit' to leave)"
    )
    while True:
        try:
            text = console.input("[bold cyan]> [/bold cyan]")
        except (EOFError, KeyboardInterrupt):
            break
        if text.strip().lower() in ("exit", "quit"):
            break
        if not text.strip():
            continue
        reply = assistant.handle(turn, text)
        render(reply)
        save_files(reply, out)
        if recording is not None:
            from evals.authoring import ObservedTurn

            recording[0].turns.append(ObservedTurn(text.strip(), assistant.awaiting_confirmation(turn), reply.outcome))
    if recording is not None:
        finish_recording(assistant, recording, record)


def start_recording(assistant, user: str, world: Path | None):
    """The conversation so far (none) and the state it starts from."""
    from core.state import snapshot
    from evals.authoring import Recording

    world = Path(world) if world else DEMO_WORLD
    if not world.is_dir():
        raise typer.BadParameter(f"world folder not found: {world}", param_hint="--world")
    return Recording(user=user, world=world, now=assistant.clock.now()), snapshot(assistant.engine)


def finish_recording(assistant, recording, path: Path) -> None:
    from core.state import snapshot
    from evals.authoring import write_scenario

    rec, before = recording
    if not rec.turns:
        console.print("Nothing was said, so no scenario was written.")
        return
    write_scenario(rec, before, snapshot(assistant.engine), path)
    console.print(f"Scenario written to {path}: review its expectations before keeping it.", highlight=False)
