"""The HTML report in a real headless Chromium, driven over the DevTools protocol.

Chromium talks the protocol over two pipes (--remote-debugging-pipe: it reads commands on
fd 3 and writes replies and events on fd 4, each message ending in a NUL byte), so no
websocket library and no port are needed. The test opens the exported file, waits for it
to load, and checks what a reader sees: the summary, a drawn chart per target with figures
(none for the others), axes and labels, a hostile name shown as text, Chinese text set in a
CJK font, no console error and no request other than the file itself; and the overview table:
a row per target, sorted by a click on a heading, each name leading to its card, printed
without its sort controls."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import Runner

AS_OF = "2022-08-01"


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """A headless Chromium and one page, spoken to over the DevTools pipe."""

    def __init__(self, binary: str, profile: Path, log: Path) -> None:
        to_child, self._write = os.pipe()
        self._read, from_child = os.pipe()
        # Move the child's ends out of the way of 3 and 4 before the child puts them there.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child, from_child)]
        for fd in (to_child, from_child):
            os.close(fd)

        def place() -> None:
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-pipe", f"--user-data-dir={profile}",
             "--disable-background-networking", "--disable-component-update",
             "--disable-default-apps", "--disable-extensions", "--disable-sync",
             "--mute-audio", "--window-size=1000,1400", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            pass_fds=(3, 4), preexec_fn=place)  # the pipes must sit at fds 3 and 4
        for fd in high:
            os.close(fd)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        self.session = ""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]

    def _send(self, message: dict[str, Any]) -> None:
        os.write(self._write, json.dumps(message).encode() + b"\0")

    def _messages(self, deadline: float) -> Iterator[dict[str, Any]]:
        while time.monotonic() < deadline:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                yield json.loads(raw)
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        raise TimeoutError("chromium did not answer in time")

    def call(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        self._send(message)
        for reply in self._messages(time.monotonic() + timeout):
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)
        raise AssertionError("unreachable")

    def wait_for(self, event: str, timeout: float = 30) -> dict[str, Any]:
        for seen in self.events:
            if seen.get("method") == event:
                return seen
        for message in self._messages(time.monotonic() + timeout):
            self.events.append(message)
            if message.get("method") == event:
                return message
        raise AssertionError("unreachable")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._read, self._write):
            os.close(fd)
        self._log.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    binary = chromium()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing; scripts/check installs it (apt: chromium "
                        "fonts-noto-cjk) and CI must run this test")
        pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk); "
                    "CI installs it and runs this test")
    started = Browser(binary, tmp_path / "profile", tmp_path / "chromium.log")
    try:
        yield started
    finally:
        started.close()


@pytest.fixture
def report(cli: Runner, shipped: Path) -> Path:
    plan = shipped / "targets.toml"  # a hostile name, as a plan file could hold one
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        'name = "区内全年投资"', 'name = "区内全年投资<script>alert(1)</script>"'),
        encoding="utf-8")
    (shipped / "figures.csv").write_text(
        "target,date,value,note,source\n"
        "investment,2022-03,90亿,,\n"
        'investment,2022-06,150亿,<script>alert(1)</script>,"=HYPERLINK(""http://x.invalid/"")"\n'
        "new-firms,2022-06,8000,,\n"
        "firms-total,2022-03,7.6万,,\n"
        "firms-total,2022-06,7.9万,,\n"
        "industry-share,2022-06,41.2%,,\n"
        "talent,2022-06,1.5万,,\n", encoding="utf-8")
    assert cli("import", "figures.csv", "--by", "tester", cwd=shipped).code == 0
    out = shipped / "report.html"
    result = cli("--lang", "zh", "export", "--format", "html", "--as-of", AS_OF, "-o", str(out),
                 cwd=shipped)
    assert result.code == 0, result.err
    return out


def test_report_in_a_real_browser(browser: Browser, report: Path) -> None:
    for domain in ("Page", "Runtime", "Log", "Network", "DOM", "CSS"):
        browser.call(f"{domain}.enable")
    url = report.resolve().as_uri()
    browser.call("Page.navigate", url=url)
    browser.wait_for("Page.loadEventFired")
    browser.evaluate("document.fonts.ready.then(() => true)")

    summary = browser.evaluate("document.querySelector('.summary').innerText")
    counts = browser.evaluate(
        "Object.fromEntries([...document.querySelectorAll('.count')].map("
        "c => [c.dataset.verdict, c.querySelector('b').innerText]))")
    assert counts["on_track"] == "4", summary  # investment, new firms, firms, share
    assert counts["behind"] == "1"  # talent: 1.5万 of 3.8万 at half-year
    assert counts["achieved"] == "0" and counts["missed"] == "0"
    assert counts["no_data"] == "7"
    assert "进度正常" in summary and "滞后" in summary and "未完成" in summary
    assert "共 12 项目标" in browser.evaluate("document.querySelector('.total').innerText")

    sections = browser.evaluate(
        "[...document.querySelectorAll('section.target')].map(s => {"
        " const svg = s.querySelector('.chart svg');"
        " if (!svg) return {id: s.id, chart: false,"
        "   note: s.querySelector('p.meta:last-child')?.innerText};"
        " const box = svg.getBoundingClientRect(); const ys = svg.querySelectorAll("
        "  '.y-axis text:not(.unit)'); const labels = [...ys].sort((a, b) =>"
        "  b.getBoundingClientRect().top - a.getBoundingClientRect().top);"
        " const axis = svg.querySelector('.axis').getBoundingClientRect();"
        " const zero = labels[0].getBoundingClientRect();"
        " return {id: s.id, chart: true, width: box.width, height: box.height,"
        "  title: svg.querySelector('title').textContent,"
        "  dots: svg.querySelectorAll('.actual circle').length,"
        "  target: svg.querySelectorAll('.target-line path').length,"
        "  pace: svg.querySelectorAll('.pace').length,"
        "  cut: svg.querySelectorAll('.axis-break').length,"
        "  bottom: labels[0].textContent,"
        "  bottom_at_axis: Math.abs((zero.top + zero.bottom) / 2 - axis.bottom) < 4,"
        "  texts: [...svg.querySelectorAll('text')].map(t => t.textContent)}; })")
    assert len(sections) == 12
    by_id = {s["id"]: s for s in sections}
    drawn = {"t-talent", "t-investment", "t-new-firms", "t-firms-total", "t-industry-share"}
    assert {s["id"] for s in sections if s["chart"]} == drawn  # the targets with figures
    for section in sections:
        if not section["chart"]:  # no empty chart: the records table says there is none
            assert section["note"] == "暂无数据记录", section
            continue
        assert section["width"] > 500 and 150 < section["height"] < 260, section
        assert section["target"] == 1, section  # every target has its line
        assert "2022-07" in section["texts"], section  # months as the report writes them
    investment = by_id["t-investment"]
    assert investment["title"] == "区内全年投资<script>alert(1)</script>"  # shown, not run
    assert investment["dots"] == 2  # one dot per figure
    assert investment["pace"] == 1
    assert investment["bottom"] == "0" and investment["bottom_at_axis"]  # amounts from zero
    assert investment["cut"] == 0
    assert "150亿元" in investment["texts"] and "目标 300亿元" in investment["texts"]
    assert by_id["t-firms-total"]["dots"] == 2 and by_id["t-firms-total"]["bottom"] == "0"
    share = by_id["t-industry-share"]  # a share held above a floor: no pace, a cut axis
    assert share["pace"] == 0
    assert share["bottom"] != "0" and share["cut"] == 2  # the cut is drawn on the axis

    # the hostile note is shown as text, never run
    notes = browser.evaluate("[...document.querySelectorAll('.records td')]"
                             ".map(td => td.innerText).join('|')")
    assert "<script>alert(1)</script>" in notes
    assert browser.evaluate("document.scripts.length") == 1  # the overview's sort, no other
    assert not [e for e in browser.events if e.get("method") == "Page.javascriptDialogOpening"]

    # Chinese text is set in a CJK font, not in boxes
    root = browser.call("DOM.getDocument")["root"]["nodeId"]
    heading = browser.call("DOM.querySelector", nodeId=root, selector="h1")["nodeId"]
    fonts = browser.call("CSS.getPlatformFontsForNode", nodeId=heading)["fonts"]
    assert any("CJK" in f["familyName"] or "Han" in f["familyName"] for f in fonts), fonts

    errors = [e for e in browser.events
              if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled"
                  and e["params"]["type"] in ("error", "assert", "warning"))
              or (e.get("method") == "Log.entryAdded"
                  and e["params"]["entry"]["level"] in ("error", "warning"))]
    assert errors == []
    requests = [e["params"]["request"]["url"] for e in browser.events
                if e.get("method") == "Network.requestWillBeSent"]
    assert requests == [url]

    # printed: A4 pages, several of them
    pdf = browser.call("Page.printToPDF", preferCSSPageSize=True, timeout=60)["data"]
    data = base64.b64decode(pdf)
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes, "no page sizes in the PDF"
    for width, height in boxes:  # A4 is 595 x 842 points
        assert abs(float(width) - 595.3) < 1.5 and abs(float(height) - 841.9) < 1.5
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", data)
    assert len(pages) >= 3  # twelve targets do not fit on one or two sheets


def _column(browser: Browser, index: int) -> list[str]:
    return list(browser.evaluate(
        f"[...document.querySelectorAll('#overview tbody tr')].map("
        f"r => r.cells[{index}].dataset.sort)"))


def test_overview_sorts_and_links_in_a_real_browser(browser: Browser, report: Path) -> None:
    for domain in ("Page", "Runtime", "Log"):
        browser.call(f"{domain}.enable")
    browser.call("Page.navigate", url=report.resolve().as_uri())
    browser.wait_for("Page.loadEventFired")

    names = browser.evaluate("[...document.querySelectorAll('#overview tbody tr')]"
                             ".map(r => r.cells[0].innerText)")
    assert len(names) == 12 and names[0] == "全年引进人才"  # the report's order at first
    heads = browser.evaluate("[...document.querySelectorAll('#overview th')]"
                             ".map(th => th.innerText.replace(/\\s*[\u2195\u25b2\u25bc]$/, ''))")
    assert heads == ["指标", "目标", "实际", "完成率", "时间进度(月)", "状态", "截至"]

    def click(index: int) -> None:
        browser.evaluate(f"document.querySelectorAll('#overview th button')[{index}].click()")

    click(3)  # 完成率, up: smallest first, the rows without a figure last
    keys = _column(browser, 3)
    numbers = [Decimal(k) for k in keys if k]
    assert numbers == sorted(numbers) and len(numbers) == 4  # the share held has none
    assert keys[len(numbers):] == [""] * 8
    assert browser.evaluate("document.querySelectorAll('#overview th')[3]"
                            ".getAttribute('aria-sort')") == "ascending"
    click(3)  # again: largest first
    numbers = [Decimal(k) for k in _column(browser, 3) if k]
    assert numbers == sorted(numbers, reverse=True)
    click(0)  # by name
    assert browser.evaluate("document.querySelectorAll('#overview th')[3]"
                            ".getAttribute('aria-sort')") is None
    click(5)  # by status: the worst last (no data after them all)
    ranks = [int(k) for k in _column(browser, 5)]
    assert ranks == sorted(ranks)

    # every name leads to its target's card
    links = browser.evaluate(
        "[...document.querySelectorAll('#overview td.name a')].map(a => {"
        " const card = document.getElementById(a.hash.slice(1));"
        " return {name: a.innerText, card: card && card.matches('section.target')"
        "  ? card.querySelector('h3').innerText : null}; })")
    assert len(links) == 12 and all(link["card"] == link["name"] for link in links), links
    browser.evaluate("document.querySelector('#overview a[href=\"#t-investment\"]').click()")
    assert browser.evaluate("location.hash") == "#t-investment"
    top = browser.evaluate("document.getElementById('t-investment').getBoundingClientRect().top")
    assert abs(top) < 5  # scrolled to the card

    # printed: the header repeats on each page, no sort arrows, no hint
    browser.call("Emulation.setEmulatedMedia", media="print")
    printed = browser.evaluate(
        "({head: getComputedStyle(document.querySelector('#overview thead')).display,"
        " arrow: getComputedStyle(document.querySelector('#overview th button'), '::after')"
        "  .content, hint: getComputedStyle(document.querySelector('.hint')).display,"
        " card: getComputedStyle(document.querySelector('section.target')).breakInside})")
    assert printed == {"head": "table-header-group", "arrow": "none", "hint": "none",
                       "card": "avoid"}, printed
    errors = [e for e in browser.events if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Log.entryAdded"
                  and e["params"]["entry"]["level"] == "error")]
    assert errors == []
