"""Reporters: one module per output format, each `render(result, sources, console_or_stream)`."""

from __future__ import annotations

FORMATS = ("text", "concise", "json")
