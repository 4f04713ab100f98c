"""HAR entry URLs survive a forged Host header and odd paths; settings answers are kept."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import jsonschema
import pytest
from click.testing import CliRunner

from inspector.cli import main
from inspector.export import export_view
from inspector.ingest import Capture, create_app, start_server
from inspector.spec import Engine
from inspector.store import Store

from .har12_schema import HAR_1_2

MSG = b'{"userId":"u","event":"Host Test","type":"track","messageId":"m-1"}'


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path / "data"))


def _session(path: Path, requests: list[tuple[str, str, bytes]]) -> Path:
    """(Host header, path, body) posted through the capture pipeline."""
    store = Store(path)
    capture = Capture(store, Engine())

    async def go() -> None:
        for host, rpath, body in requests:
            hdrs = [("Host", host), ("Content-Type", "application/json")]
            await capture.ingest("POST", rpath, hdrs, body, call_type="track", batch=False)

    asyncio.run(go())
    store.close()
    return path


def _har_entries(session: Path) -> list[dict]:
    s = Store(session, readonly=True)
    try:
        buf = io.BytesIO()
        export_view(s, None, "har", buf, include_hidden=True)
    finally:
        s.close()
    doc = json.loads(buf.getvalue())
    jsonschema.validate(doc, HAR_1_2)
    return doc["log"]["entries"]


def _ndjson_of(path: Path) -> list[dict]:
    r = CliRunner().invoke(main, ["export", str(path), "-f", "ndjson"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return [json.loads(line) for line in r.stdout.splitlines()]


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ('evil/"<>', "http://127.0.0.1/v1/track"),
        ("[::1", "http://127.0.0.1/v1/track"),
        ("a b", "http://127.0.0.1/v1/track"),
        ("h:99999", "http://127.0.0.1/v1/track"),
        ("", "http://127.0.0.1/v1/track"),
        ("127.0.0.1:8787", "http://127.0.0.1:8787/v1/track"),
        ("[::1]:8787", "http://[::1]:8787/v1/track"),
        ("api.example.com", "http://api.example.com/v1/track"),
    ],
)
def test_url_uses_the_host_header_only_when_it_is_a_host(
    tmp_path: Path, host: str, expected: str
) -> None:
    s = _session(tmp_path / "s.sqlite", [(host, "/v1/track", MSG)])
    [e] = _har_entries(s)
    assert e["request"]["url"] == expected
    # The Host header itself is kept as received.
    assert {"name": "Host", "value": host} in e["request"]["headers"]


def test_a_forged_host_does_not_lose_the_message_on_reimport(tmp_path: Path) -> None:
    s = _session(tmp_path / "s.sqlite", [('evil/"<>', "/v1/track", MSG)])
    har = tmp_path / "x.har"
    r = CliRunner().invoke(main, ["export", str(s), "-o", str(har)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert [m["event"] for m in _ndjson_of(har)] == ["Host Test"]


def test_an_older_har_with_the_raw_host_in_the_url_still_imports(tmp_path: Path) -> None:
    s = _session(
        tmp_path / "s.sqlite",
        [('evil/"<>', "/v1/track", MSG), ("[::1", "/v1/track", MSG.replace(b"m-1", b"m-2"))],
    )
    doc = {"log": {"version": "1.2", "creator": {"name": "x", "version": "1"}, "entries": []}}
    for e, host in zip(_har_entries(s), ('evil/"<>', "[::1"), strict=True):
        e["request"]["url"] = f"http://{host}/v1/track"  # what older exports wrote
        del e["_inspector"]["path"]
        doc["log"]["entries"].append(e)
    har = tmp_path / "old.har"
    har.write_text(json.dumps(doc))
    assert [m["messageId"] for m in _ndjson_of(har)] == ["m-1", "m-2"]


def test_an_odd_path_is_percent_encoded_and_comes_back_exactly(tmp_path: Path) -> None:
    odd = '/v1/track?q="a b"<x>#frag&p=%zz&ok=%41&é=1'
    s = _session(tmp_path / "s.sqlite", [("127.0.0.1:8787", odd, MSG)])
    [e] = _har_entries(s)
    url = e["request"]["url"]
    assert url == (
        "http://127.0.0.1:8787/v1/track?q=%22a%20b%22%3Cx%3E%23frag&p=%25zz&ok=%41&%C3%A9=1"
    )
    assert urlsplit(url).path == "/v1/track"
    assert e["_inspector"]["path"] == odd
    har = tmp_path / "odd.har"
    CliRunner().invoke(main, ["export", str(s), "-o", str(har)], catch_exceptions=False)
    copy = tmp_path / "copy.sqlite"
    r = CliRunner().invoke(main, ["export", str(har), "-f", "ndjson"], catch_exceptions=False)
    assert r.exit_code == 0 and json.loads(r.stdout)["messageId"] == "m-1"
    from inspector.importer import import_file

    st = import_file(har, copy)
    try:
        assert [r.path for r in st.iter_requests()] == [odd]
    finally:
        st.close()


async def test_settings_response_holds_what_the_inspector_answered(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    store = Store(path)
    runner, url = await start_server(create_app(Capture(store, Engine())), "127.0.0.1", 0)
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(url + "/v1/projects/wk%203/settings") as r,
        ):
            answered = await r.text()
    finally:
        await runner.cleanup()
        store.close()
    [e] = _har_entries(path)
    content = e["response"]["content"]
    assert json.loads(answered)["integrations"]["Segment.io"]["apiKey"] == "wk 3"
    assert content["text"] == answered
    assert content["size"] == len(answered.encode()) and content["mimeType"] == "application/json"
