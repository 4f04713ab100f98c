"""The curl snippet the UI and help screen show really delivers an event."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

from inspector.snippets import snippets


async def test_curl_snippet_sends_an_event(live):
    assert shutil.which("curl"), "curl is needed for this test (apt-get install curl)"
    [curl] = [s for s in snippets(live.url) if s.sdk == "curl"]
    done = await asyncio.to_thread(
        subprocess.run, ["bash", "-c", curl.code], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '{"success":true}'
    [m] = live.store.messages()
    assert m.data["event"] == "Order Completed" and m.data["type"] == "track"
