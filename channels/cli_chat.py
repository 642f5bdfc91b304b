"""`dms chat`: the assistant in a terminal (Rich), with previews and yes/no confirmations."""
import shutil
import uuid
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from core.app import make_clock, open_database
from core.settings import get_settings

console = Console()


def knowledge_dir() -> Path:
    return get_settings().data_dir / "knowledge"


def keep_knowledge(world: Path) -> None:
    """Keep a copy of the world's knowledge/ beside the database, for the assistant to index."""
    src = Path(world) / "knowledge"
    if src.is_dir():
        dst = knowledge_dir()
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst)


def make_assistant(model: str | None = None):
    from agent.runtime import Assistant
    kb = None
    if knowledge_dir().is_dir():
        from agent.knowledge import KnowledgeBase
        from agent.semantic import SemanticIndex
        kb = KnowledgeBase(SemanticIndex(get_settings().data_dir / "chroma"))
        kb.load(knowledge_dir())
    return Assistant(open_database(), make_clock(), model=model or get_settings().model, knowledge=kb)


def render(reply) -> None:
    console.print(reply.text, highlight=False, markup=False)
    if reply.table:
        t = Table(*reply.table.columns, title=reply.table.title)
        for row in reply.table.rows:
            t.add_row(*row)
        console.print(t)


def chat(user: str = typer.Option(..., "--as", help="User id to act as"),
         model: str = typer.Option(None, help="offline (default) or openai:<model>")) -> None:
    """Chat with the assistant as a user of the world. Ctrl-D or 'exit' to leave."""
    from agent.runtime import Turn
    assistant = make_assistant(model)
    turn = Turn(user, "cli", uuid.uuid4().hex[:12])
    console.print(f"[bold]dms[/bold] chat as {user}. Ask about orders, stock, prices, schemes, payments… "
                  "('exit' to leave)")
    while True:
        try:
            text = console.input("[bold cyan]> [/bold cyan]")
        except (EOFError, KeyboardInterrupt):
            break
        if text.strip().lower() in ("exit", "quit"):
            break
        if not text.strip():
            continue
        render(assistant.handle(turn, text))
