"""The composition root: the one place that builds the product's parts from one `Settings`.

It sits above the layers it wires (core, agent, channels, evals) and nothing below imports
it: the `dms` commands, the server and the evaluation runs ask it for an engine, a clock, an
assistant or an app, and every part gets its settings section from here. Heavy modules are
imported where they are built, so `dms --help` stays quick.
"""

from collections.abc import Callable

from core.settings import Settings, get_settings


def build_engine(settings: Settings | None = None):
    """The configured database, migrated to the newest schema."""
    from migrations import open_database

    return open_database(settings=settings or get_settings())


def build_clock(settings: Settings | None = None):
    """The business clock: the real time in DMS_TIMEZONE, or DMS_NOW when set."""
    from core.clock import make_clock

    return make_clock(settings or get_settings())


def build_knowledge(settings: Settings | None = None, on_index: Callable[[], None] | None = None):
    """The knowledge base over the documents kept beside the database, or None when there are none.
    `on_index` is called before indexing starts (the first time it embeds every document)."""
    settings = settings or get_settings()
    if not settings.knowledge_dir.is_dir():
        return None
    from agent.knowledge import KnowledgeBase
    from agent.semantic import SemanticIndex

    if on_index is not None:
        on_index()
    kb = KnowledgeBase(SemanticIndex(settings.index_dir))
    kb.load(settings.knowledge_dir)
    return kb


def build_assistant(
    settings: Settings | None = None,
    engine=None,
    clock=None,
    *,
    model: str | None = None,
    on_index: Callable[[], None] | None = None,
):
    """The assistant over this engine and clock (built when not given), with the knowledge base."""
    from agent.runtime import Assistant

    settings = settings or get_settings()
    engine = engine if engine is not None else build_engine(settings)
    clock = clock or build_clock(settings)
    return Assistant(
        engine,
        clock,
        model=model or settings.model,
        knowledge=build_knowledge(settings, on_index),
        preview_ttl_minutes=settings.preview_ttl_minutes,
        backend=settings.openai,
    )


def build_server(settings: Settings | None = None, engine=None, clock=None, assistant=None):
    """The HTTP server app: web chat and API, plus Slack and Telegram when configured."""
    from channels.web.app import create_app

    settings = settings or get_settings()
    engine = engine if engine is not None else build_engine(settings)
    clock = clock or build_clock(settings)
    assistant = assistant or build_assistant(settings, engine, clock)
    return create_app(engine, clock, assistant, settings)


def build_telegram_bot(settings: Settings | None = None):
    """The Telegram bot (long polling, webhook registration), or None without TELEGRAM_BOT_TOKEN."""
    from channels.telegram import build_bot

    settings = settings or get_settings()
    engine, clock = build_engine(settings), build_clock(settings)
    return build_bot(build_assistant(settings, engine, clock), engine, clock, settings)


def build_eval_runner(settings: Settings | None = None, *, model: str | None = None, **options):
    """The scenario runner: each scenario on a fresh copy of its world, in the business time zone."""
    from evals.runner import Runner

    settings = settings or get_settings()
    return Runner(model=model or settings.model, timezone=settings.timezone, backend=settings.openai, **options)
