"""The web channel: the HTTP server every channel is mounted on, and the web chat."""

from .app import create_app

__all__ = ["create_app"]
