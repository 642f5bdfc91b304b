"""Every tool by name, the ones a role may use, and their LangChain form for binding to a chat model."""

from pydantic import BaseModel

from core.access import Actor

from . import (
    approvals,
    billing,
    catalogue,
    exports,
    field,
    insights,
    invoices,
    knowledge,
    orders,
    receipts,
    reorders,
    report_tables,
    reports,
    stock,
    tracking,
)
from .base import Tool

# The modules above define the tools; defining one registers it (tools/base.py). In definition
# order, module by module, so the model always sees them in the same order.
MODULES = (
    approvals,
    billing,
    catalogue,
    exports,
    field,
    insights,
    invoices,
    knowledge,
    orders,
    receipts,
    reorders,
    report_tables,
    reports,
    stock,
    tracking,
)
ALL_TOOLS: dict[str, Tool] = {name: cls() for name, cls in Tool.registered.items()}
# name -> (argument model, changes data, permission, description): each tool's spec, as its class gives it
TOOL_SPECS: dict[str, tuple[type[BaseModel], bool, str, str]] = {
    t.name: (t.args_model, t.mutating, t.permission, t.description) for t in ALL_TOOLS.values()
}


def tools_for(actor: Actor) -> list[Tool]:
    """The tools whose permission the actor's role has: all the model may see."""
    return [t for t in ALL_TOOLS.values() if actor.can(t.permission)]


def get_tool(name: str) -> Tool:
    try:
        return ALL_TOOLS[name]
    except KeyError:
        raise KeyError(f"no tool {name!r}") from None


def langchain_tools(tools: list[Tool]) -> list:
    """StructuredTools carrying each tool's schema and description, for `bind_tools`. The
    runtime runs tools itself (with the caller's identity), so calling one directly is an error."""
    from langchain_core.tools import StructuredTool

    def unbound(name: str):
        def refuse(**_):
            raise RuntimeError(f"{name} is run by the assistant runtime, not by LangChain.")

        return refuse

    return [
        StructuredTool.from_function(
            func=unbound(t.name), name=t.name, description=t.description, args_schema=t.args_model
        )
        for t in tools
    ]
