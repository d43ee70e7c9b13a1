"""The HTML report built from a small finished run, checked as text and in headless Chromium.

Chromium (Debian package ``chromium``) is driven over the DevTools protocol with the
``websocket-client`` package: the page is opened from a ``file://`` URL, every image must
load with a non-zero natural width, every section must be present, the console must stay
free of errors, and a screenshot is saved.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request

import pytest

from wpimap.report import build_report, figures
from wpimap.report.html import SECTION_IDS

from .test_report_workbook import PERIODS, write_fixture_run

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("run")
    fr = write_fixture_run(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(figures, "DPI", 40)  # speed; 300 dpi output is checked in test_report_figures
        html = build_report({"results": str(root), "report": {"n_labels": 5}})
    return html, root, fr


def test_report_html_sections_captions_and_escaping(built):
    html, root, fr = built
    assert html == root / "report" / "index.html"
    text = html.read_text(encoding="utf-8")
    for sid in SECTION_IDS:
        assert f'id="{sid}"' in text
    positions = [text.index(f'<section id="{sid}"') for sid in SECTION_IDS]
    assert positions == sorted(positions)  # reading order
    assert "synthetic-banner" in text  # the indicators tables say data == synthetic
    assert "<b>x</b>" not in text and "&lt;b&gt;x&lt;/b&gt;" in text  # area labels escaped
    assert "http://" not in text and "https://" not in text  # nothing fetched from the network
    # Japan's participation share of the last period, from the fixture frame
    pc = fr["participation_countries"]
    jp = pc[(pc["entity"] == "JP") & (pc["period"] == PERIODS[-1])]["area_share"].iloc[0]
    assert f"{jp * 100:.1f}%" in text
    # highlighted map's caption: JP's areas counted by brute force over core papers × authorships
    core, auth = fr["core"], fr["authorships"]
    last = core[core["period"] == PERIODS[-1]]
    jp_works = set(auth.loc[auth["country"] == "JP", "work_id"])
    center_works = set(auth.loc[auth["center"].notna(), "work_id"])
    jp_areas = {a for w, a in zip(last["work_id"], last["area"], strict=True) if w in jp_works}
    c_areas = {a for w, a in zip(last["work_id"], last["area"], strict=True) if w in center_works}
    assert f"In {PERIODS[-1]}, JP takes part in {len(jp_areas)} of 12 areas" in text
    assert f"WPI centers in {len(c_areas)};" in text
    # the ingest summary: records and resolution rate of the TOTAL row
    assert "1,200 records read" in text and "70.0% of references resolved" in text
    figs = sorted(p.stem for p in (root / "report" / "figures").glob("*.png"))
    expected = {"participation", "transitions", "centers_q", "centers_trends", "center_fields", "emerging",
                "scigeo_composition", *(f"map_{p}" for p in PERIODS), *(f"map_highlight_{p}" for p in PERIODS)}
    assert set(figs) == expected
    for s in figs:
        assert f'src="figures/{s}.png"' in text
        assert (root / "report" / "figures" / f"{s}.svg").exists()


class CDP:
    """Minimal DevTools-protocol client over one page's websocket."""

    def __init__(self, ws_url: str) -> None:
        import websocket  # websocket-client

        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict:
        end = time.monotonic() + timeout
        for e in self.events:
            if e.get("method") == method:
                return e
        while time.monotonic() < end:
            msg = json.loads(self.ws.recv())
            self.events.append(msg)
            if msg.get("method") == method:
                return msg
        raise TimeoutError(method)

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def chromium(tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} absent: install the Debian package chromium (apt-get install chromium)")
    profile = tmp_path / "profile"
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-proxy-server", "--disable-extensions", "--remote-debugging-port=0",
            "--remote-allow-origins=*", f"--user-data-dir={profile}", "--window-size=1200,900", "about:blank"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        end = time.monotonic() + 60
        while time.monotonic() < end and port is None:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                break
            m = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if m:
                port = int(m.group(1))
        assert port, "chromium did not start its DevTools endpoint"
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(params=["fixture_tables", "tiny_synthetic_run"])
def report_html(request):
    """The report built from fixture tables, and the report of the tiny synthetic workflow run."""
    if request.param == "fixture_tables":
        return request.getfixturevalue("built")[0]
    return request.getfixturevalue("tiny_run") / "report" / "index.html"


def test_report_in_headless_chromium(report_html, chromium, tmp_path):
    html = report_html
    with urllib.request.urlopen(f"http://127.0.0.1:{chromium}/json/list", timeout=10) as r:
        pages = [t for t in json.load(r) if t["type"] == "page"]
    cdp = CDP(pages[0]["webSocketDebuggerUrl"])
    try:
        for domain in ("Page", "Runtime", "Log"):
            cdp.send(f"{domain}.enable")
        cdp.send("Emulation.setDeviceMetricsOverride", width=1200, height=900, deviceScaleFactor=1, mobile=False)
        cdp.send("Page.navigate", url=html.as_uri())
        cdp.wait_event("Page.loadEventFired", timeout=60)
        state = cdp.send("Runtime.evaluate", returnByValue=True, expression="""
            JSON.stringify({
              images: Array.from(document.images).map(i => ({src: i.getAttribute('src'),
                        complete: i.complete, w: i.naturalWidth, h: i.naturalHeight})),
              sections: Array.from(document.querySelectorAll('section[id]')).map(s => s.id),
              banner: !!document.getElementById('synthetic-banner'),
              sortable: document.querySelectorAll('table.sortable').length
            })""")
        info = json.loads(state["result"]["value"])
        # click the first header of the first sortable table twice: the script runs without errors
        cdp.send("Runtime.evaluate", expression="var th=document.querySelector('table.sortable th');"
                 "th.click(); th.click();")
        shot = cdp.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        time.sleep(0.2)
        cdp.send("Runtime.evaluate", expression="1")  # flush pending events
    finally:
        cdp.close()
    png = tmp_path / "report.png"  # the screenshot (kept in pytest's tmp folder)
    png.write_bytes(base64.b64decode(shot["data"]))
    assert png.stat().st_size > 10_000
    # every figure written beside the report is shown, and nothing else
    assert sorted(i["src"] for i in info["images"]) == sorted(
        f"figures/{f.name}" for f in (html.parent / "figures").glob("*.png")
    )
    assert len(info["images"]) >= 11
    bad = [i for i in info["images"] if not i["complete"] or i["w"] <= 0 or i["h"] <= 0]
    assert not bad, f"images not loaded: {bad}"
    assert info["sections"] == list(SECTION_IDS)
    assert info["banner"] and info["sortable"] >= 3
    errors = [e for e in cdp.events if e.get("method") == "Runtime.exceptionThrown"]
    errors += [e for e in cdp.events if e.get("method") == "Runtime.consoleAPICalled"
               and e["params"]["type"] in ("error", "assert")]
    errors += [e for e in cdp.events if e.get("method") == "Log.entryAdded"
               and e["params"]["entry"]["level"] == "error"]
    assert not errors, errors
