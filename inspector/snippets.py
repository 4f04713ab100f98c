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
            f"const analytics = new Analytics({{ writeKey: '{wk}', host: '{url}' }})",
        ),
        Snippet(
            "analytics.js",
            "javascript",
            "AnalyticsBrowser.load(\n"
            f"  {{ writeKey: '{wk}', cdnURL: '{url}' }},\n"
            f"  {{ integrations: {{ 'Segment.io': {{ apiHost: '{hp}/v1', protocol: 'http' }} }} }}\n"
            ")",
        ),
        Snippet(
            "Swift",
            "swift",
            f'Configuration(writeKey: "{wk}")\n'
            f'    .apiHost("{hp}/v1")\n'
            f'    .cdnHost("{hp}/v1")\n'
            "    .requestFactory { request in  // the SDK hard-codes https\n"
            "        var r = request\n"
            '        r.url = URL(string: request.url!.absoluteString.replacingOccurrences(of: "https://", with: "http://"))\n'
            "        return r\n"
            "    }",
            "analytics-swift always builds https:// URLs; the requestFactory switches them to http.",
        ),
        Snippet(
            "Kotlin",
            "kotlin",
            f'Analytics("{wk}", applicationContext) {{\n'
            f'    apiHost = "{hp}/v1"\n'
            f'    cdnHost = "{hp}/v1"\n'
            "    requestFactory = object : RequestFactory() {  // the SDK hard-codes https\n"
            "        override fun openConnection(url: String) =\n"
            '            super.openConnection(url.replace("https://", "http://"))\n'
            "    }\n"
            "}",
            "analytics-kotlin always builds https:// URLs; the RequestFactory switches them to http.",
        ),
        Snippet(
            "curl",
            "bash",
            f"curl -X POST {url}/v1/track -H 'Content-Type: application/json' \\\n"
            f'  -d \'{{"userId":"u1","event":"Order Completed","properties":{{"revenue":19.99}}}}\'',
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
