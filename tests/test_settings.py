"""One Settings for the product: the environment's names, validated once, one line per bad value."""

import pytest
from typer.testing import CliRunner

from core.settings import (
    ServerSettings,
    Settings,
    SettingsError,
    SlackSettings,
    TelegramSettings,
    get_settings,
    load_settings,
)

NAMES = [
    "DMS_DATABASE_URL",
    "DMS_DATA_DIR",
    "DMS_TIMEZONE",
    "DMS_NOW",
    "DMS_MODEL",
    "DMS_PREVIEW_TTL_MINUTES",
    "DMS_RATE_LIMIT_PER_MINUTE",
    "DMS_SIGNIN_FAILURES_PER_MINUTE",
    "DMS_OUTBOX_INTERVAL_SECONDS",
    "DMS_OUTBOX_MAX_ATTEMPTS",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DMS_MODEL_TIMEOUT",
    "DMS_MODEL_MAX_RETRIES",
    "DMS_EMBEDDING_MODEL",
    "DMS_EMBEDDING_TOKENIZER",
    "DMS_EMBEDDING_THREADS",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "SLACK_RATE_PER_MINUTE",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "TELEGRAM_API_URL",
    "TELEGRAM_RATE_LIMIT",
]


@pytest.fixture
def env(monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_every_variable_keeps_its_name(env, tmp_path):
    values = {
        "DMS_DATABASE_URL": "sqlite:///x.db",
        "DMS_DATA_DIR": str(tmp_path),
        "DMS_TIMEZONE": "Asia/Dubai",
        "DMS_NOW": "2026-11-20T10:30:00+05:30",
        "DMS_MODEL": "openai:m",
        "DMS_PREVIEW_TTL_MINUTES": "5",
        "DMS_RATE_LIMIT_PER_MINUTE": "7",
        "DMS_SIGNIN_FAILURES_PER_MINUTE": "3",
        "DMS_OUTBOX_INTERVAL_SECONDS": "0.5",
        "DMS_OUTBOX_MAX_ATTEMPTS": "2",
        "OPENAI_API_KEY": "sk-1",
        "OPENAI_BASE_URL": "http://llm/v1",
        "DMS_MODEL_TIMEOUT": "7.5",
        "DMS_MODEL_MAX_RETRIES": "4",
        "DMS_EMBEDDING_MODEL": "/m.onnx",
        "DMS_EMBEDDING_TOKENIZER": "/t.json",
        "DMS_EMBEDDING_THREADS": "2",
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": "http://slack/",
        "SLACK_RATE_PER_MINUTE": "9",
        "TELEGRAM_BOT_TOKEN": "1:a",
        "TELEGRAM_WEBHOOK_SECRET": "w",
        "TELEGRAM_API_URL": "http://tg/",
        "TELEGRAM_RATE_LIMIT": "8",
    }
    for name, value in values.items():
        env.setenv(name, value)
    s = load_settings()
    assert (s.database_url, s.data_dir, s.timezone, s.now, s.model, s.preview_ttl_minutes) == (
        "sqlite:///x.db",
        tmp_path,
        "Asia/Dubai",
        "2026-11-20T10:30:00+05:30",
        "openai:m",
        5,
    )
    assert s.server == ServerSettings(
        rate_limit_per_minute=7, signin_failures_per_minute=3, outbox_interval_seconds=0.5, outbox_max_attempts=2
    )
    assert (s.openai.api_key.get_secret_value(), s.openai.base_url, s.openai.timeout, s.openai.max_retries) == (
        "sk-1",
        "http://llm/v1",
        7.5,
        4,
    )
    assert (str(s.embedding.model), str(s.embedding.tokenizer), s.embedding.threads) == ("/m.onnx", "/t.json", 2)
    assert s.slack.enabled and (s.slack.bot_token.get_secret_value(), s.slack.api_url, s.slack.rate_per_minute) == (
        "xoxb-1",
        "http://slack/",
        9,
    )
    assert s.telegram.enabled and (
        s.telegram.webhook_secret.get_secret_value(),
        s.telegram.api_url,
        s.telegram.rate_limit,
    ) == ("w", "http://tg", 8)
    assert "xoxb-1" not in repr(s) and "sk-1" not in repr(s)  # secrets never reach a log line
    assert (s.knowledge_dir, s.index_dir) == (tmp_path / "knowledge", tmp_path / "chroma")


def test_defaults_and_empty_values(env):
    env.setenv("DMS_PREVIEW_TTL_MINUTES", "")  # empty counts as unset
    env.setenv("SLACK_BOT_TOKEN", "xoxb-1")  # without its signing secret Slack stays off
    s = load_settings()
    assert (s.timezone, s.now, s.model, s.preview_ttl_minutes) == ("Asia/Kolkata", None, "offline", 15)
    assert s.server == ServerSettings() and s.server.rate_limit_per_minute == 20
    assert not s.slack.enabled and not s.telegram.enabled and s.openai.timeout == 60.0


@pytest.mark.parametrize(
    "name, value, line",
    [
        ("DMS_PREVIEW_TTL_MINUTES", "soon", "DMS_PREVIEW_TTL_MINUTES must be a whole number, not 'soon'"),
        ("DMS_PREVIEW_TTL_MINUTES", "0", "DMS_PREVIEW_TTL_MINUTES must be at least 1, not '0'"),
        ("DMS_TIMEZONE", "Mars/Base", "DMS_TIMEZONE must be a time zone name such as Asia/Kolkata, not 'Mars/Base'"),
        (
            "DMS_NOW",
            "yesterday",
            "DMS_NOW must be an ISO 8601 timestamp such as 2026-11-20T10:30:00+05:30, not 'yesterday'",
        ),
        ("DMS_MODEL", "gpt-4o", "DMS_MODEL must be 'offline' or 'openai:<model>', not 'gpt-4o'"),
        ("DMS_MODEL_TIMEOUT", "-1", "DMS_MODEL_TIMEOUT must be at least 0, not '-1'"),
        ("DMS_MODEL_MAX_RETRIES", "2.5", "DMS_MODEL_MAX_RETRIES must be a whole number, not '2.5'"),
        ("DMS_OUTBOX_INTERVAL_SECONDS", "0", "DMS_OUTBOX_INTERVAL_SECONDS must be more than 0, not '0'"),
        ("DMS_RATE_LIMIT_PER_MINUTE", "lots", "DMS_RATE_LIMIT_PER_MINUTE must be a whole number, not 'lots'"),
        ("DMS_EMBEDDING_THREADS", "0", "DMS_EMBEDDING_THREADS must be at least 1, not '0'"),
        ("SLACK_RATE_PER_MINUTE", "0", "SLACK_RATE_PER_MINUTE must be at least 1, not '0'"),
        ("TELEGRAM_RATE_LIMIT", "x", "TELEGRAM_RATE_LIMIT must be a whole number, not 'x'"),
    ],
)
def test_a_bad_value_is_one_line_naming_its_variable(env, name, value, line):
    env.setenv(name, value)
    with pytest.raises(SettingsError) as e:
        load_settings()
    assert str(e.value) == line and isinstance(e.value, ValueError)


def test_sections_can_be_given_by_their_field_names():
    s = Settings(
        slack=SlackSettings(bot_token="xoxb-2", signing_secret="s"),
        telegram=TelegramSettings(bot_token="1:b", api_url="http://x/"),
    )
    assert s.slack.enabled and s.telegram.api_url == "http://x"


def test_the_cli_says_a_bad_value_in_one_line(env, sample):
    from channels.cli import app

    env.setenv("DMS_DATABASE_URL", sample.url_string)
    env.setenv("DMS_OUTBOX_MAX_ATTEMPTS", "never")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["state"], prog_name="dms")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines() == ["error: DMS_OUTBOX_MAX_ATTEMPTS must be a whole number, not 'never'"]
