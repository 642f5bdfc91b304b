"""`dms telegram …` (long polling, webhook registration) and `dms users …` (Telegram linking)."""

import asyncio

import typer
from rich.console import Console
from rich.table import Table

from .cli_errors import OneLineErrors
from .cli_ops import AS, run
from .cli_serve import users_app  # one `dms users` group: tokens (web) and links (Telegram)

telegram_app = typer.Typer(
    help="Telegram bot: long polling, webhook registration.", no_args_is_help=True, cls=OneLineErrors
)

console = Console()
err = Console(stderr=True)


def _bot():
    from wiring import build_telegram_bot

    bot = build_telegram_bot()
    if bot is None:
        err.print("[red]TELEGRAM_BOT_TOKEN is not set.[/red]")
        raise typer.Exit(2)
    return bot


@telegram_app.command("poll")
def poll() -> None:
    """Serve the bot by long polling (getUpdates) against TELEGRAM_API_URL or api.telegram.org; Ctrl-C stops."""
    bot = _bot()
    console.print("polling Telegram for updates (Ctrl-C to stop)…")
    bot.run_polling()


@telegram_app.command("set-webhook")
def set_webhook(url: str = typer.Argument(..., help="Public https URL ending in /telegram/webhook")) -> None:
    """Register the webhook with the Bot API, with TELEGRAM_WEBHOOK_SECRET as its secret token."""
    bot = _bot()
    if not bot.config.webhook_secret:
        err.print("[red]TELEGRAM_WEBHOOK_SECRET is not set; the webhook would refuse every update.[/red]")
        raise typer.Exit(2)

    async def register():
        async with bot.application(polling=False).bot as b:
            await b.set_webhook(
                url,
                secret_token=bot.config.webhook_secret.get_secret_value(),
                allowed_updates=["message", "callback_query"],
            )

    asyncio.run(register())
    console.print(f"webhook set to {url}")


@users_app.command("link")
def users_link_cmd(
    telegram_id: str = typer.Argument(..., help="Telegram user id (digits)"),
    user_id: str = typer.Argument(..., help="dms user id, e.g. U-RET-101"),
    user: str = AS,
) -> None:
    """Link a Telegram account to a user (admin; or a manager for a customer in their regions)."""
    from core.linking import link_telegram

    linked = run(user, lambda s, actor, clock: link_telegram(s, actor, telegram_id, user_id, clock.now()))
    console.print(f"Telegram {telegram_id} is now linked to {linked.id} ({linked.name})", highlight=False)


@users_app.command("link-requests")
def link_requests_cmd(
    user: str = AS, status: str = typer.Option("pending", help="pending | approved | rejected")
) -> None:
    """Telegram link requests you may decide."""
    from core.linking import link_requests

    rows = run(user, lambda s, actor, clock: link_requests(s, actor, status))
    t = Table("Id", "Telegram", "Phone", "Customer", "User", "Requested", "Status", title="Telegram link requests")
    for r in rows:
        t.add_row(
            str(r.id),
            r.telegram_id,
            r.phone,
            r.customer,
            r.user_id or "-",
            r.created_at.isoformat(timespec="minutes"),
            r.status,
        )
    console.print(t)


@users_app.command("approve-link")
def approve_link_cmd(request_id: int = typer.Argument(...), user: str = AS) -> None:
    """Approve a link request: its user gets the Telegram account."""
    from core.linking import approve_link

    linked = run(user, lambda s, actor, clock: approve_link(s, actor, request_id, clock.now()))
    console.print(f"request {request_id} approved: Telegram linked to {linked.id} ({linked.name})", highlight=False)


@users_app.command("reject-link")
def reject_link_cmd(request_id: int = typer.Argument(...), user: str = AS) -> None:
    """Reject a link request."""
    from core.linking import reject_link

    run(user, lambda s, actor, clock: reject_link(s, actor, request_id, clock.now()))
    console.print(f"request {request_id} rejected")
