"""The HTML report in a real headless browser with the network off: it renders, its charts show,
and it asks for nothing outside the file (no script, style, font or image from the network).

The browser is Debian's ``chromium`` (``.ci/run`` installs it). Without one the test is skipped,
except under ``CI=true``, where a missing browser is a failure."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from simcoord.present.report import build_report
from support import ROOT

QUICKSTART = ROOT / "notebooks" / "01-quickstart.ipynb"
CLOSED_PORT_PROXY = "http://127.0.0.1:9"  # every request the page makes goes here and fails
#: Test-only script added to a copy of the page: after loading, it writes what the page fetched
#: (failed fetches included) and each image's rendered size into the DOM for --dump-dom to show.
PROBE = """<script>window.addEventListener("load", () => { const p = document.createElement("pre");
p.id = "probe"; p.textContent = JSON.stringify({
  resources: performance.getEntriesByType("resource").map(e => e.name),
  images: [...document.images].map(i => [i.naturalWidth, i.naturalHeight]),
  title: document.title, h1: [...document.querySelectorAll("h1")].map(h => h.textContent)});
document.body.appendChild(p); });</script>"""


def find_browser() -> str:
    """Path of a headless-capable Chromium; skip without one (fail under CI=true)."""
    found = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if found is None:
        message = "no chromium on PATH (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def probe(page: Path, tmp_path: Path) -> dict:
    """Open a copy of ``page`` with :data:`PROBE` in headless Chromium, network off; its findings."""
    copy = tmp_path / f"probed-{page.name}"
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>", 1), encoding="utf-8")
    command = [find_browser(), "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
               f"--user-data-dir={tmp_path / 'profile'}", f"--proxy-server={CLOSED_PORT_PROXY}",
               "--proxy-bypass-list=<-loopback>", "--virtual-time-budget=5000", "--dump-dom", copy.as_uri()]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, f"the page did not finish loading in the browser: {dom[-500:]}"
    return json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


@pytest.fixture(scope="module")
def quickstart_report(tmp_path_factory) -> Path:
    html = tmp_path_factory.mktemp("browser") / "quickstart.html"
    build_report(QUICKSTART, html, {"DAYS": 20})
    return html


def test_the_probe_sees_a_page_that_reaches_out(tmp_path):
    page = tmp_path / "leaky.html"
    page.write_text('<html><body><h1>x</h1><img src="http://example.invalid/chart.png">'
                    '<script src="https://cdn.example.invalid/lib.js"></script></body></html>')
    assert probe(page, tmp_path)["resources"] == ["http://example.invalid/chart.png",
                                                  "https://cdn.example.invalid/lib.js"]


def test_the_report_renders_offline_with_its_charts_and_requests_nothing(quickstart_report, tmp_path):
    found = probe(quickstart_report, tmp_path)
    assert [url for url in found["resources"] if not url.startswith("data:")] == []
    assert found["title"].startswith("01 · Quickstart") and found["h1"]
    assert len(found["images"]) >= 3 and all(width > 0 and height > 0 for width, height in found["images"])


def test_the_charts_are_embedded_pngs(quickstart_report):
    text = quickstart_report.read_text(encoding="utf-8")
    sources = re.findall(r'<img [^>]*src="([^"]+)"', text)
    assert sources and all(source.startswith("data:image/png;base64,") for source in sources)
    for source in sources:
        image = base64.b64decode(source.split(",", 1)[1])
        assert len(image) > 1000 and image[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', text)
