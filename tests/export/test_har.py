from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import jsonschema
import pytest

from inspector.export import export_view
from inspector.importer import import_file
from inspector.store import Store

from .har12_schema import HAR_1_2


def _har(store: Store, flt: str = "") -> dict:
    buf = io.BytesIO()
    export_view(store, flt, "har", buf, include_hidden=True)
    return json.loads(buf.getvalue())


def test_schema_itself_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(HAR_1_2)


async def test_har_validates_and_holds_every_request(session: Store) -> None:
    har = _har(session)
    jsonschema.validate(har, HAR_1_2, cls=jsonschema.Draft202012Validator)
    entries = har["log"]["entries"]
    reqs = list(session.iter_requests())
    assert len(entries) == len(reqs) == 9
    for e, r in zip(entries, reqs, strict=True):
        assert e["startedDateTime"] == r.received_at
        assert e["request"]["method"] == r.method
        assert e["request"]["url"].endswith(r.path)
        assert e["response"]["status"] == r.status
        assert e["request"]["headers"] == [{"name": k, "value": v} for k, v in r.headers]
        if r.method == "POST":
            post = e["request"]["postData"]
            raw = (
                base64.b64decode(post["text"])
                if post.get("_encoding") == "base64"
                else post["text"].encode()
            )
            assert raw == r.body  # byte for byte (inflated when it came gzip)
            assert e["request"]["bodySize"] == r.wire_size


async def test_rejected_and_odd_bodies(session: Store) -> None:
    entries = _har(session)["log"]["entries"]
    by_path = {e["request"]["url"].split("/", 3)[3]: e for e in entries}
    bad_json = entries[3]
    assert bad_json["response"]["status"] == 400
    assert bad_json["request"]["postData"]["text"] == '{"batch": ['
    assert bad_json["_inspector"]["reason"]
    not_utf8 = by_path["v1/track"]
    assert not_utf8["request"]["postData"]["_encoding"] == "base64"
    assert base64.b64decode(not_utf8["request"]["postData"]["text"]) == b'{"event":"\xff\xfe"}'
    assert by_path["v1/nope"]["response"]["status"] == 404
    gz = entries[1]
    assert {"name": "Content-Encoding", "value": "gzip"} in gz["request"]["headers"]
    assert gz["request"]["postData"]["text"].startswith("{\n")
    assert gz["request"]["bodySize"] < len(gz["request"]["postData"]["text"])
    assert by_path["v1/projects/wk3/settings"]["request"]["method"] == "GET"
    assert "postData" not in by_path["v1/projects/wk3/settings"]["request"]
    assert entries[0]["request"]["url"].startswith("http://127.0.0.1:")


async def test_filtered_har_has_only_requests_with_matching_messages(session: Store) -> None:
    entries = _har(session, "type:page")["log"]["entries"]
    assert len(entries) == 1
    assert entries[0]["_inspector"]["messageCount"] == 1
    jsonschema.validate(_har(session, "user:nobody"), HAR_1_2)


async def test_har_reopens_through_the_capture_pipeline(session: Store, tmp_path: Path) -> None:
    path = tmp_path / "s.har"
    export_view(session, None, "har", path, include_hidden=True)
    reopened = import_file(path, tmp_path / "from-har.sqlite")
    try:
        a = [(m.received_at, m.endpoint, m.raw, m.data) for m in session.iter_messages()]
        b = [(m.received_at, m.endpoint, m.raw, m.data) for m in reopened.iter_messages()]
        assert a == b
        assert reopened.rejected_count() == session.rejected_count() == 3
        kinds = [r.kind for r in reopened.iter_requests()]
        assert kinds == [r.kind for r in session.iter_requests()]
        gz = list(reopened.iter_requests())[1]
        assert gz.body_encoding == "gzip"
    finally:
        reopened.close()


@pytest.mark.parametrize("fmt", ["har", "json"])
async def test_empty_session_is_valid(tmp_path: Path, fmt: str) -> None:
    s = Store(tmp_path / "empty.sqlite")
    try:
        buf = io.BytesIO()
        assert export_view(s, None, fmt, buf) == 0
        doc = json.loads(buf.getvalue())
        if fmt == "har":
            jsonschema.validate(doc, HAR_1_2)
            assert doc["log"]["entries"] == []
        else:
            assert doc["messages"] == [] and doc["rejected"] == []
    finally:
        s.close()


def test_browser_devtools_har_opens(tmp_path: Path) -> None:
    """A HAR saved from a browser's network panel: Segment calls among the page's traffic."""
    body = '{"type":"track","event":"Video Played","anonymousId":"a1","messageId":"ajs-1"}'

    def entry(method: str, url: str, text: str | None = None) -> dict:
        req = {
            "method": method,
            "url": url,
            "httpVersion": "h2",
            "headers": [{"name": ":authority", "value": "api.segment.io"}]
            + [{"name": "content-type", "value": "text/plain"}],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": len(text or ""),
        }
        if text is not None:
            req["postData"] = {"mimeType": "text/plain", "text": text}
        return {
            "startedDateTime": "2024-05-01T10:00:00.123+02:00",
            "time": 12.5,
            "request": req,
            "response": {"status": 200},
            "cache": {},
            "timings": {"send": 1, "wait": 10, "receive": 1.5},
        }

    har = {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "entries": [
                entry("GET", "https://example.com/"),
                entry("OPTIONS", "https://api.segment.io/v1/t"),
                entry("POST", "https://api.segment.io/v1/t", body),
                entry("GET", "https://cdn.segment.com/v1/projects/wk/settings"),
                entry("POST", "https://example.com/api/login", '{"user":"x"}'),
            ],
        }
    }
    path = tmp_path / "devtools.har"
    path.write_text(json.dumps(har))
    s = import_file(path, tmp_path / "devtools.sqlite")
    try:
        msgs = list(s.iter_messages())
        assert len(msgs) == 1
        assert msgs[0].data["event"] == "Video Played" and msgs[0].endpoint == "/v1/t"
        assert msgs[0].received_at == "2024-05-01T08:00:00.123Z"
        assert [r.kind for r in s.iter_requests()] == ["ingest", "settings"]
    finally:
        s.close()


async def test_har_open_har_keeps_every_recorded_header(session: Store, tmp_path: Path) -> None:
    """har -> open -> har gives the same requests: the re-ingested ones keep the headers
    as recorded (Content-Length included), as the copied ones do."""
    path = tmp_path / "s.har"
    export_view(session, None, "har", path, include_hidden=True)
    with import_file(path, tmp_path / "from-har.sqlite") as reopened:
        again = _har(reopened)
        headers = [r.headers for r in reopened.iter_requests()]
    first = json.loads(path.read_bytes())
    assert headers == [r.headers for r in session.iter_requests()]
    assert ("Content-Length", "472") in headers[0] or any(
        k == "Content-Length" for k, _ in headers[0]
    )

    def requests(har: dict) -> list:
        return [e["request"] for e in har["log"]["entries"]]

    assert requests(again) == requests(first)
