"""How to point each Segment SDK at a running inspector: the exact snippets.

Shared by the terminal UI (empty state and help screen), the README and the tests. No
Textual import here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_WRITE_KEY = "YOUR_WRITE_KEY"


@dataclass(frozen=True)
class Snippet:
    sdk: str
    language: str
    code: str
    note: str = ""


def host_port(url: str) -> str:
    """``http://127.0.0.1:8787`` -> ``127.0.0.1:8787`` (what apiHost/cdnHost want)."""
    parts = urlsplit(url)
    return parts.netloc or url.removeprefix("http://").removeprefix("https://").rstrip("/")


def snippets(url: str, write_key: str | None = None) -> list[Snippet]:
    """One snippet per SDK family, for an inspector listening on ``url``."""
    url = url.rstrip("/")
    wk = write_key or DEFAULT_WRITE_KEY
    hp = host_port(url)
    return [
        Snippet(
            "curl",
            "bash",
            f"curl -X POST {url}/v1/track \\\n"
            "  -H 'Content-Type: application/json' \\\n"
            f'  -d \'{{"userId":"u1","event":"Order Completed","properties":{{"revenue":19.99}}}}\'',
        ),
        Snippet(
            "Python",
            "python",
            "import segment.analytics as analytics\n"
            f"analytics.write_key = '{wk}'\n"
            f"analytics.host = '{url}'",
        ),
        Snippet(
            "Node",
            "javascript",
            "import { Analytics } from '@segment/analytics-node'\n"
            "const analytics = new Analytics({\n"
            f"  writeKey: '{wk}', host: '{url}' }})",
        ),
        Snippet(
            "analytics.js",
            "javascript",
            "AnalyticsBrowser.load(\n"
            f"  {{ writeKey: '{wk}', cdnURL: '{url}' }},\n"
            "  { integrations: { 'Segment.io': {\n"
            f"      apiHost: '{hp}/v1', protocol: 'http' }} }} }})",
        ),
        Snippet(
            "Swift",
            "swift",
            f'Configuration(writeKey: "{wk}")\n'
            f'  .apiHost("{hp}/v1")\n'
            f'  .cdnHost("{hp}/v1")\n'
            "  .requestFactory { req in\n"
            "    var r = req\n"
            "    var c = URLComponents(url: req.url!,\n"
            "      resolvingAgainstBaseURL: false)!\n"
            '    c.scheme = "http"\n'
            "    r.url = c.url\n"
            "    return r\n"
            "  }",
            "The SDK hard-codes https; the requestFactory makes it http.",
        ),
        Snippet(
            "Kotlin",
            "kotlin",
            f'Analytics("{wk}", applicationContext) {{\n'
            f'  apiHost = "{hp}/v1"\n'
            f'  cdnHost = "{hp}/v1"\n'
            "  requestFactory = object : RequestFactory() {\n"
            "    override fun openConnection(url: String) =\n"
            "      super.openConnection(\n"
            '        url.replace("https://", "http://"))\n'
            "  }\n"
            "}",
            "The SDK hard-codes https; the RequestFactory makes it http.",
        ),
    ]


def as_text(url: str, write_key: str | None = None) -> str:
    """All snippets as plain text (for the README or a terminal)."""
    out = []
    for s in snippets(url, write_key):
        out.append(f"{s.sdk}:\n{s.code}")
        if s.note:
            out.append(f"  ({s.note})")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
