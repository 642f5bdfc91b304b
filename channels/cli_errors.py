"""One error line for every failing `dms` command: the class every Typer app of the CLI uses."""

import sys
from collections.abc import Sequence
from typing import Any

import typer
from sqlalchemy.exc import DataError
from typer.core import TyperGroup

from core.errors import DomainError


def one_line(message: str) -> str:
    return " ".join(str(message).split()) or "failed"


class OneLineErrors(TyperGroup):
    """Every command's failure is one line on stderr and a non-zero exit code, never a traceback:
    bad arguments (exit 2), the core's refusals and values it cannot take, files that cannot be
    read or written (exit 1). Done here, once, for the entry point and for CliRunner alike."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:  # a caller handling errors itself
            return super().main(
                args, prog_name, complete_var, standalone_mode=False, windows_expand_args=windows_expand_args, **extra
            )
        try:
            code = super().main(
                args, prog_name, complete_var, standalone_mode=False, windows_expand_args=windows_expand_args, **extra
            )
            sys.exit(code if isinstance(code, int) else 0)  # typer.Exit's code, or a command's None
        except typer.TyperException as e:  # Typer's (vendored click's) usage errors
            if type(e).__name__ == "NoArgsIsHelpError" and hasattr(e, "show"):  # `dms order`: the group's help
                e.show()
                sys.exit(e.exit_code)
            ctx = getattr(e, "ctx", None)  # a usage error's (vendored click's UsageError)
            where = f"{ctx.command_path}: " if ctx else ""
            sys.exit(error_line(where + e.format_message(), e.exit_code))
        except typer.Abort:
            sys.exit(error_line("aborted"))
        except DomainError as e:
            sys.exit(error_line(e.message))
        except OSError as e:
            sys.exit(error_line(f"{e.filename}: {e.strerror}" if e.filename and e.strerror else str(e)))
        except (ValueError, ArithmeticError) as e:
            sys.exit(error_line(str(e)))
        except DataError as e:  # a value the database refuses (out of its column's range)
            sys.exit(error_line(f"the database refused a value: {str(e.orig).splitlines()[0]}"))


def error_line(message: str, code: int = 1) -> int:
    """Print the one error line: stderr, never wrapped, no markup."""
    typer.echo(f"error: {one_line(message)}", err=True)
    return code


def fail(message: str, code: int = 1):
    """End a command with one error line."""
    raise typer.Exit(error_line(message, code))
