"""The product's configuration: one `Settings`, read from the environment and validated once.

Only values live here (no SDK, no database, no channel imports), so every layer may import
it; each part of the product is handed its section (`settings.slack`, `settings.server`…)
by the composition root (`wiring.py`). A bad value is one `SettingsError` line that names
the variable: "DMS_PREVIEW_TTL_MINUTES must be a whole number, not 'soon'".

| section | variables |
| --- | --- |
| (top) | DMS_DATABASE_URL, DMS_DATA_DIR, DMS_TIMEZONE, DMS_NOW, DMS_MODEL, DMS_PREVIEW_TTL_MINUTES, DMS_OFF_SITE_RADIUS_M, DMS_EVAL_SUITES |
| server | DMS_RATE_LIMIT_PER_MINUTE, DMS_SIGNIN_FAILURES_PER_MINUTE, DMS_OUTBOX_INTERVAL_SECONDS, DMS_OUTBOX_MAX_ATTEMPTS |
| openai | OPENAI_API_KEY, OPENAI_BASE_URL, DMS_MODEL_TIMEOUT, DMS_MODEL_MAX_RETRIES |
| embedding | DMS_EMBEDDING_MODEL, DMS_EMBEDDING_TOKENIZER, DMS_EMBEDDING_THREADS |
| slack | SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, SLACK_RATE_PER_MINUTE |
| telegram | TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET, TELEGRAM_API_URL, TELEGRAM_RATE_LIMIT |

An empty variable counts as unset.
"""

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as SettingsSourceError


class SettingsError(ValueError):
    """A bad value in the environment (or given to a settings class), in one line."""


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "dms"


def default_eval_suites() -> list[Path]:
    """The project's suites and the shared scenarios beside its checkout (absent ones are skipped)."""
    root = Path(__file__).resolve().parents[1]
    return [root / "evals" / "sample", root / "evals" / "suites", root.parent / "shared" / "scenarios"]


def _config(prefix: str = "") -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", env_ignore_empty=True, populate_by_name=True)


class ServerSettings(BaseSettings):
    """`dms serve`: rate limits and the outbox delivery loop."""

    model_config = _config("DMS_")
    rate_limit_per_minute: int = Field(20, ge=1)  # messages per user per minute in the web chat
    signin_failures_per_minute: int = Field(10, ge=1)
    outbox_interval_seconds: float = Field(10.0, gt=0)
    outbox_max_attempts: int = Field(5, ge=1)


class OpenAISettings(BaseSettings):
    """OpenAI-compatible model backends (`DMS_MODEL=openai:<model>`)."""

    model_config = _config()
    api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    base_url: str | None = Field(None, validation_alias="OPENAI_BASE_URL")  # with its /v1
    timeout: float = Field(60.0, ge=0, validation_alias="DMS_MODEL_TIMEOUT")  # seconds per request
    max_retries: int = Field(2, ge=0, validation_alias="DMS_MODEL_MAX_RETRIES")  # the SDK's, with backoff


class EmbeddingSettings(BaseSettings):
    """Overrides for machines that cannot install the embedding packages."""

    model_config = _config("DMS_EMBEDDING_")
    model: Path | None = None  # a model.onnx (its checksum is then not checked)
    tokenizer: Path | None = None  # a tokenizer.json
    threads: int | None = Field(None, ge=1)  # onnxruntime's intra-op threads


class SlackSettings(BaseSettings):
    """The Slack channel: on when both the bot token and the signing secret are set."""

    model_config = _config("SLACK_")
    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    api_url: str | None = None  # the Web API base URL (a local fake in tests)
    rate_per_minute: int = Field(20, ge=1)  # messages and clicks per user per minute

    @property
    def enabled(self) -> bool:
        return bool(
            self.bot_token
            and self.bot_token.get_secret_value()
            and self.signing_secret
            and self.signing_secret.get_secret_value()
        )


class TelegramSettings(BaseSettings):
    """The Telegram channel: on when the bot token is set."""

    model_config = _config("TELEGRAM_")
    bot_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None  # the webhook refuses every request without it
    api_url: str | None = None  # Bot API server root, e.g. http://127.0.0.1:8081
    rate_limit: int = Field(20, ge=1)  # messages and button presses per user per minute

    @field_validator("api_url")
    @classmethod
    def _no_trailing_slash(cls, value: str | None) -> str | None:
        return (value or "").rstrip("/") or None

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and self.bot_token.get_secret_value())


class Settings(BaseSettings):
    """Everything the product reads from its environment."""

    model_config = _config("DMS_")

    database_url: str = ""
    timezone: str = "Asia/Kolkata"
    now: str | None = None  # ISO 8601 timestamp: a fixed clock for demos and evaluations
    data_dir: Path = Field(default_factory=default_data_dir)
    preview_ttl_minutes: int = Field(15, ge=1)
    model: str = "offline"
    off_site_radius_m: int = Field(
        200, ge=1
    )  # DMS_OFF_SITE_RADIUS_M: a visit started farther from its outlet is off-site
    # DMS_EVAL_SUITES (a JSON list): the folders whose suites an admin may run from the web app;
    # each is a suite, and so is each folder under it (relative ones are from the project root)
    eval_suites: list[Path] = Field(default_factory=default_eval_suites)

    server: ServerSettings = Field(default_factory=lambda: read(ServerSettings))
    openai: OpenAISettings = Field(default_factory=lambda: read(OpenAISettings))
    embedding: EmbeddingSettings = Field(default_factory=lambda: read(EmbeddingSettings))
    slack: SlackSettings = Field(default_factory=lambda: read(SlackSettings))
    telegram: TelegramSettings = Field(default_factory=lambda: read(TelegramSettings))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("a time zone name such as Asia/Kolkata") from None
        return value

    @field_validator("now")
    @classmethod
    def _iso_timestamp(cls, value: str | None) -> str | None:
        if value:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise ValueError("an ISO 8601 timestamp such as 2026-11-20T10:30:00+05:30") from None
        return value or None

    @field_validator("model")
    @classmethod
    def _model_spec(cls, value: str) -> str:
        value = value.strip()
        if value != "offline" and not (value.startswith("openai:") and value.split(":", 1)[1].strip()):
            raise ValueError("'offline' or 'openai:<model>'")
        return value

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / 'dms.db'}"

    @property
    def knowledge_dir(self) -> Path:
        """The copy of the imported world's knowledge/ documents, beside the database."""
        return self.data_dir / "knowledge"

    @property
    def index_dir(self) -> Path:
        """The knowledge documents' search index (chromadb)."""
        return self.data_dir / "chroma"


# --- reading, with one line per bad value ------------------------------------------------
S = TypeVar("S", bound=BaseSettings)

_WANTED = {
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "bool_parsing": "true or false",
    "path_type": "a path",
}


def read(cls: type[S], **values: Any) -> S:
    """`cls` from the environment (and `values`), or a `SettingsError` naming the variable."""
    try:
        return cls(**values)
    except ValidationError as e:
        raise SettingsError(_one_line(cls, e)) from None
    except SettingsSourceError as e:  # a section's own variable (DMS_SERVER) that is not JSON
        raise SettingsError(" ".join(str(e).split())) from None


def _env_name(cls: type[BaseSettings], field: str) -> str:
    info = cls.model_fields.get(field)
    alias = getattr(info, "validation_alias", None) if info else None
    if isinstance(alias, str):
        return alias.upper()
    return (cls.model_config.get("env_prefix", "") + field).upper()


def _one_line(cls: type[BaseSettings], error: ValidationError) -> str:
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    name = _env_name(cls, field) if field else cls.__name__
    ctx = first.get("ctx") or {}
    kind = first["type"]
    if kind == "value_error":
        wanted = str(ctx.get("error", first["msg"]))
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[kind]
        bound = next(iter(ctx.values()), "?")
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        wanted = f"{words} {bound}"
    else:
        wanted = _WANTED.get(kind, first["msg"][0].lower() + first["msg"][1:])
    info = cls.model_fields.get(field)
    secret = info is not None and "SecretStr" in str(info.annotation)
    shown = "(hidden)" if secret else repr(first.get("input"))
    more = f" (and {len(error.errors()) - 1} more)" if len(error.errors()) > 1 else ""
    return " ".join(f"{name} must be {wanted}, not {shown}{more}".split())


def load_settings(**values: Any) -> Settings:
    """The settings as the environment says now, validated (each call reads it afresh)."""
    return read(Settings, **values)


def secret_value(secret: SecretStr | None) -> str:
    """A configured secret's text ("" when unset): callers check `enabled` before using it."""
    return secret.get_secret_value() if secret is not None else ""


@lru_cache
def get_settings() -> Settings:
    """The process's settings: read and validated once."""
    return load_settings()


def business_tz() -> ZoneInfo:
    """The business's time zone: dates, periods and due dates are in it."""
    return ZoneInfo(get_settings().timezone)
