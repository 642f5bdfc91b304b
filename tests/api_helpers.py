"""The REST API under test: a TestClient on the real app over a test database, and tokens."""

from fastapi.testclient import TestClient

from agent.runtime import Assistant
from channels.web.app import create_app
from core.db import transaction
from core.identities import issue_token
from core.settings import ServerSettings


class Api:
    """One app; `as_(user)` gives the headers of that user's bearer token."""

    def __init__(self, engine, clock):
        self.engine, self.clock = engine, clock
        server = ServerSettings(signin_failures_per_minute=1000)  # tests send many bad tokens on purpose
        self.client = TestClient(create_app(engine, clock, Assistant(engine, clock), server=server))
        self._tokens: dict[str, str] = {}

    def as_(self, user: str, **extra: str) -> dict[str, str]:
        if user not in self._tokens:
            with transaction(self.engine) as s:
                self._tokens[user] = issue_token(s, user, clock=self.clock)
        return {"Authorization": f"Bearer {self._tokens[user]}", **extra}

    def get(self, user: str, path: str, **params):
        return self.client.get("/api/v1" + path, headers=self.as_(user), params=params)

    def post(self, user: str, path: str, body=None, key: str | None = None):
        headers = self.as_(user, **({"Idempotency-Key": key} if key else {}))
        return self.client.post("/api/v1" + path, headers=headers, json=body)
