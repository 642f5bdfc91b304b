"""Reports as files: any report of the catalogue (`core.report_catalog`) as an Excel or CSV file
the assistant sends in the conversation (`ToolResult.attachments`; each channel delivers it)."""

from core import exports

from . import schemas
from .base import Attachment, Tool, ToolContext, ToolResult
from .format import plural
from .report_tables import catalogue_table

# A file sent in a chat is held whole in memory and goes through the platforms' upload limits
# (Telegram's bots: 50 MB); a larger export is for the REST API (GET /api/v1/reports/{name}).
MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024
KIND = {"xlsx": "an Excel file", "csv": "a CSV file"}


class ExportReport(Tool):
    name = "export_report"
    args_model = schemas.ExportReport
    permission = "catalogue"  # as show_report: each report's own permission and scope are the core's
    description = (
        "Send a report as a file the user can download and open: an Excel spreadsheet (xlsx, the default) or "
        "CSV. Use it when the user asks for a report as a file, Excel, spreadsheet, xlsx or csv, or to export, "
        "download or send it. The report, its period and its filters are as for the reports themselves."
    )

    def _run(self, ctx: ToolContext, args: schemas.ExportReport) -> ToolResult:
        table, heading = catalogue_table(ctx, args)  # the same report and filters as show_report, refused alike
        fmt = args.format
        made = exports.export_bytes(table, fmt, MAX_BYTES, MAX_ROWS)
        if made is None:
            return ToolResult(
                f"{heading}, is too large to send here (more than {MAX_ROWS:,} rows or "
                f"{MAX_BYTES // 2**20} MB). Narrow the period or the filters, or download it from the REST API: "
                f"GET /api/v1/reports/{table.name}?format={fmt}.",
                data={"report": table.name, "too_large": True},
            )
        content, rows = made
        filename = exports.filename(table, fmt)
        media = exports.MEDIA_TYPES[fmt]
        return ToolResult(
            f"{heading}: {plural(rows, 'row')} as {KIND[fmt]}, {filename}.",
            data={"report": table.name, "file": filename, "rows": rows, "format": fmt},
            attachments=[Attachment(filename, media, content)],
        )
