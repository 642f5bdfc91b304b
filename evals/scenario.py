"""Scenario files (spec/scenarios.md): reading and validating them before anything runs.

Every problem is reported with its file and place, and a suite with any problem does not
run at all: a misspelt check would otherwise pass silently.
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

CHANNELS = ("cli", "web", "slack", "telegram")
SCENARIO_KEYS = {"id", "world", "as", "channel", "now", "tags", "turns", "final"}
REQUIRED_KEYS = ("id", "world", "as", "now", "turns")
TURN_KEYS = {"user", "expect", "as", "channel"}
TEXT_CHECKS = ("reply_contains", "reply_contains_any", "reply_not_contains", "reply_matches")
BOOL_CHECKS = ("confirmation_requested", "refused", "state_unchanged")
EXPECT_KEYS = set(TEXT_CHECKS) | set(BOOL_CHECKS)

# Fields each item of a `final` list may give: name -> kind; (kinds: text, status, money, int, list, lines)
ORDER_FIELDS = {"customer": "text", "warehouse": "text", "status": "status", "total": "money", "lines": "lines"}
LINE_FIELDS = {"sku": "text", "qty": "int", "free_qty": "int", "unit_price": "money", "discount": "money"}
FINAL_LISTS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    # key: (fields, required fields)
    "orders_created": (ORDER_FIELDS, ()),
    "orders_changed": ({"order_no": "text", "status": "status"}, ("order_no", "status")),
    "payments_created": ({"customer": "text", "amount": "money", "method": "text"}, ()),
    "stock": (
        {"warehouse": "text", "sku": "text", "batch": "text", "available": "int", "reserved": "int", "damaged": "int"},
        ("warehouse", "sku"),
    ),
    "approvals_created": (
        {"order_customer": "text", "reasons": "list", "approver_role": "text", "status": "status"},
        (),
    ),
    # field work (scenarios.md): order_no true = some order is linked; open true = not yet checked out
    "visits_created": (
        {
            "user": "text",
            "customer": "text",
            "outcome": "text",
            "reason": "text",
            "order_no": "text_or_true",
            "off_site": "bool",
        },
        (),
    ),
    "attendance_created": ({"user": "text", "open": "bool"}, ()),
    "customers_created": ({"name": "text", "type": "text", "region": "text", "status": "status"}, ()),
    "customers_changed": (
        {
            "code": "text",
            "status": "text",
            "phone": "text",
            "contact_person": "text",
            "class": "text",
            "latitude": "money",
            "longitude": "money",
        },
        ("code",),
    ),
}
FINAL_KEYS = set(FINAL_LISTS) | {"no_changes"}


class ScenarioLoader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false, so `user: yes` stays the word "yes"."""


ScenarioLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class LoadError(Exception):
    """Problems found in scenario files; `errors` holds one "file: where: what" line each."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class TurnSpec:
    user: str
    expect: dict[str, Any] = field(default_factory=dict)
    as_user: str | None = None  # another user of the world says this turn (their own conversation)
    channel: str | None = None


@dataclass
class Scenario:
    id: str
    world: Path  # resolved, absolute
    user: str  # the `as` user id
    now: datetime
    turns: list[TurnSpec]
    channel: str = "cli"
    tags: list[str] = field(default_factory=list)
    final: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    role: str | None = None  # the user's role, from the world's users.csv


def scenario_files(paths: list[Path]) -> list[Path]:
    """The files named, and every *.yaml / *.yml under the folders named, in a stable order."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.suffix in (".yaml", ".yml") and f.is_file()))
        else:
            files.append(p)
    return list(dict.fromkeys(files))


def load_paths(paths: list[Path], default_tz: str = "Asia/Kolkata") -> list[Scenario]:
    """Load every scenario under `paths`; raises LoadError listing every problem found."""
    errors: list[str] = []
    scenarios: list[Scenario] = []
    files = scenario_files(paths)
    if not files:
        raise LoadError([f"{', '.join(map(str, paths)) or '(no path)'}: no scenario files found"])
    for f in files:
        scenarios.extend(load_file(f, errors, default_tz))
    seen: dict[str, Path | None] = {}
    for s in scenarios:
        if s.id in seen:
            errors.append(f"{s.source}: id {s.id!r}: duplicate id (also in {seen[s.id]})")
        seen.setdefault(s.id, s.source)
    if errors:
        raise LoadError(errors)
    return scenarios


def load_file(path: Path, errors: list[str], default_tz: str = "Asia/Kolkata") -> list[Scenario]:
    path = Path(path)
    if not path.is_file():
        errors.append(f"{path}: file not found")
        return []
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=ScenarioLoader)
    except yaml.YAMLError as e:
        errors.append(f"{path}: not valid YAML: {e}")
        return []
    items = data if isinstance(data, list) else [data]
    out = []
    for i, item in enumerate(items, 1):
        where = f"{path}" + (f": scenario {i}" if isinstance(data, list) else "")
        before = len(errors)
        s = _scenario(item, path, where, errors, default_tz)
        if s is not None and len(errors) == before:
            out.append(s)
    return out


def _scenario(d: Any, path: Path, where: str, errors: list[str], default_tz: str) -> Scenario | None:
    if not isinstance(d, dict):
        errors.append(f"{where}: a scenario must be a mapping of keys (id, world, as, now, turns, ...)")
        return None
    if isinstance(d.get("id"), str):
        where = f"{path}: scenario {d['id']!r}"
    err = errors.append
    for key in d:
        if key not in SCENARIO_KEYS:
            err(f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(SCENARIO_KEYS))})")
    for key in REQUIRED_KEYS:
        if d.get(key) in (None, "", []):
            err(f"{where}: missing required key {key!r}")
    sid = d.get("id")
    if sid is not None and not isinstance(sid, str):
        err(f"{where}: id: must be text")
    world = None
    if isinstance(d.get("world"), str):
        world = (path.parent / d["world"]).resolve()
        if not world.is_dir():
            err(f"{where}: world: folder not found: {d['world']} (looked in {world})")
    elif d.get("world") is not None:
        err(f"{where}: world: must be a folder path")
    user = d.get("as")
    if user is not None and not isinstance(user, str):
        err(f"{where}: as: must be a user id")
    role = None
    if world is not None and world.is_dir() and isinstance(user, str):
        role = _user_role(world, user, where, errors)
    channel = d.get("channel", "cli")
    if channel not in CHANNELS:
        err(f"{where}: channel: {channel!r} is not one of {', '.join(CHANNELS)}")
    now = _now(d.get("now"), where, errors, default_tz) if d.get("now") is not None else None
    tags = d.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        err(f"{where}: tags: must be a list of words")
        tags = []
    turns = _turns(d.get("turns"), where, errors) if d.get("turns") is not None else []
    for n, t in enumerate(turns, 1):
        if t.as_user is not None and world is not None and world.is_dir():
            _user_role(world, t.as_user, f"{where}: turn {n}", errors)
    final = _final(d.get("final"), where, errors)
    if not isinstance(sid, str) or world is None or now is None or not turns or not isinstance(user, str):
        return None
    return Scenario(
        id=sid,
        world=world,
        user=user,
        now=now,
        turns=turns,
        channel=channel,
        tags=list(tags),
        final=final,
        source=path,
        role=role,
    )


def _user_role(world: Path, user: str, where: str, errors: list[str]) -> str | None:
    users = world / "users.csv"
    if not users.is_file():
        errors.append(f"{where}: as: the world {world} has no users.csv, so user {user!r} cannot exist")
        return None
    with users.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if (row.get("id") or "").strip() == user:
                return (row.get("role") or "").strip() or None
    errors.append(f"{where}: as: user {user!r} is not in {users}")
    return None


def _now(value: Any, where: str, errors: list[str], default_tz: str) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            errors.append(f"{where}: now: {value!r} is not an ISO 8601 timestamp (e.g. 2026-11-20T10:30:00+05:30)")
            return None
    if not isinstance(value, datetime):
        errors.append(f"{where}: now: must be a timestamp such as 2026-11-20T10:30:00+05:30")
        return None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(default_tz))


def _turns(value: Any, where: str, errors: list[str]) -> list[TurnSpec]:
    if not isinstance(value, list) or not value:
        errors.append(f"{where}: turns: must be a non-empty list of {{user, expect}}")
        return []
    out = []
    for n, t in enumerate(value, 1):
        here = f"{where}: turn {n}"
        if not isinstance(t, dict):
            errors.append(f"{here}: must be a mapping with `user` (and optionally `expect`)")
            continue
        for key in t:
            if key not in TURN_KEYS:
                errors.append(f"{here}: unknown key {key!r} (allowed: {', '.join(sorted(TURN_KEYS))})")
        user = t.get("user")
        if isinstance(user, (int, float)) and not isinstance(user, bool):
            user = str(user)
        if not isinstance(user, str) or not user.strip():
            errors.append(f"{here}: user: the message must be non-empty text")
            user = ""
        expect = t.get("expect") or {}
        if not isinstance(expect, dict):
            errors.append(f"{here}: expect: must be a mapping of checks")
            expect = {}
        as_user, channel = t.get("as"), t.get("channel")
        if as_user is not None and not isinstance(as_user, str):
            errors.append(f"{here}: as: must be a user id")
            as_user = None
        if channel is not None and channel not in CHANNELS:
            errors.append(f"{here}: channel: {channel!r} is not one of {', '.join(CHANNELS)}")
            channel = None
        out.append(TurnSpec(user=user, expect=_expect(expect, here, errors), as_user=as_user, channel=channel))
    return out


def _expect(expect: dict, where: str, errors: list[str]) -> dict:
    out: dict[str, Any] = {}
    for key, value in expect.items():
        if key not in EXPECT_KEYS:
            errors.append(f"{where}: expect: unknown key {key!r} (allowed: {', '.join(sorted(EXPECT_KEYS))})")
        elif key in TEXT_CHECKS:
            items = [value] if isinstance(value, (str, int, float)) and not isinstance(value, bool) else value
            if (
                not isinstance(items, list)
                or not items
                or not all(isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in items)
            ):
                errors.append(f"{where}: expect: {key}: must be a list of texts")
                continue
            texts = [str(x) for x in items]
            if key == "reply_matches":
                for rx in texts:
                    try:
                        re.compile(rx)
                    except re.error as e:
                        errors.append(f"{where}: expect: reply_matches: bad regular expression {rx!r}: {e}")
            out[key] = texts
        elif not isinstance(value, bool):
            errors.append(f"{where}: expect: {key}: must be true or false, not {value!r}")
        else:
            out[key] = value
    return out


def _final(value: Any, where: str, errors: list[str]) -> dict:
    if value is None:
        return {}
    here = f"{where}: final"
    if not isinstance(value, dict):
        errors.append(f"{here}: must be a mapping of checks")
        return {}
    out: dict[str, Any] = {}
    for key, v in value.items():
        if key not in FINAL_KEYS:
            errors.append(f"{here}: unknown key {key!r} (allowed: {', '.join(sorted(FINAL_KEYS))})")
        elif key == "no_changes":
            if not isinstance(v, bool):
                errors.append(f"{here}: no_changes: must be true or false")
            else:
                out[key] = v
        else:
            fields, required = FINAL_LISTS[key]
            if v is None:
                v = []
            if not isinstance(v, list):
                errors.append(f"{here}: {key}: must be a list")
                continue
            out[key] = [_item(item, fields, required, f"{here}: {key}[{n}]", errors) for n, item in enumerate(v, 1)]
    return out


def _item(item: Any, fields: dict[str, str], required: tuple[str, ...], where: str, errors: list[str]) -> dict:
    if not isinstance(item, dict):
        errors.append(f"{where}: must be a mapping with some of {', '.join(fields)}")
        return {}
    out = {}
    for key, value in item.items():
        kind = fields.get(key)
        if kind is None:
            errors.append(f"{where}: unknown key {key!r} (allowed: {', '.join(fields)})")
            continue
        out[key] = _value(value, kind, f"{where}: {key}", errors)
    for key in required:
        if key not in item:
            errors.append(f"{where}: missing required key {key!r}")
    return out


def _value(value: Any, kind: str, where: str, errors: list[str]) -> Any:
    if kind == "text":
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            errors.append(f"{where}: must be text")
        return str(value)
    if kind == "status":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(x, str) for x in items):
            errors.append(f"{where}: must be a status or a list of statuses")
            return []
        return items
    if kind == "list":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            errors.append(f"{where}: must be a list of texts")
            return []
        return items
    if kind == "bool":
        if not isinstance(value, bool):
            errors.append(f"{where}: must be true or false, not {value!r}")
        return value
    if kind == "text_or_true":
        if value is True:
            return True
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            errors.append(f"{where}: must be text or true")
        return str(value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{where}: must be a whole number, not {value!r}")
        return value
    if kind == "money":
        return parse_money(value, where, errors)
    if kind == "lines":
        if not isinstance(value, list):
            errors.append(f"{where}: must be a list of lines ({{sku, qty, ...}})")
            return []
        return [_item(ln, LINE_FIELDS, ("sku",), f"{where}[{n}]", errors) for n, ln in enumerate(value, 1)]
    raise AssertionError(kind)


def parse_money(value: Any, where: str = "", errors: list[str] | None = None) -> Decimal | None:
    """Money as written in a scenario ("1234.50", 1234.5) as a Decimal; floats via their text."""
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        d = Decimal(str(value).replace(",", "").strip())
        if not d.is_finite():
            raise InvalidOperation
        return d
    except (InvalidOperation, ValueError):
        if errors is not None:
            errors.append(f"{where}: {value!r} is not an amount")
        return None
