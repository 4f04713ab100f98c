"""Plain text of what a running app shows (for assertions and for eyeballing layouts)."""

from __future__ import annotations

import io

from rich.console import Console
from textual.app import App


def screen_text(app: App[object]) -> str:
    """The whole screen as text, one line a row (like export_screenshot, without SVG)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text(styles=False)


def screen_segments_text(app: App[object]) -> str:
    """Raw text of every segment on screen (no styles): to check no control character leaks."""
    return "".join(
        seg.text
        for strip in app.screen._compositor.render_full_update().strips  # type: ignore[attr-defined]
        for seg in strip
    )
