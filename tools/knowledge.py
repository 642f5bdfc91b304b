"""Answers from the business's policy documents; the search itself is injected (agent layer)."""

from . import schemas
from .base import Tool, ToolContext, ToolResult


class SearchKnowledge(Tool):
    name = "search_knowledge"
    args_model = schemas.KnowledgeSearch
    permission = "catalogue"
    description = (
        "Answer from the business's policy documents (returns, delivery, payment terms…), citing the document."
    )

    def _run(self, ctx: ToolContext, args: schemas.KnowledgeSearch) -> ToolResult:
        if ctx.knowledge is None:
            return ToolResult(
                "The policy documents are not available here, so I can't answer from them.", data={"found": False}
            )
        answer = ctx.knowledge(args.query)
        if not answer:
            return ToolResult(
                f"The policy documents say nothing about '{args.query}'. Please ask your manager or distributor.",
                data={"found": False},
            )
        return ToolResult(answer, data={"found": True})
