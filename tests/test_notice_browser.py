"""The notice opened in a real headless browser (Debian's chromium): what the village board gets."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import earn

pytestmark = pytest.mark.browser

HOSTILE = {
    "H101": "=HYPERLINK(\"http://x\",\"y\")",
    "H102": "<script>document.title='pwned';document.body.dataset.pwned=1</script>",
    "H103": "<img src=x onerror=\"document.title='pwned'\">",
}
TITLE = "扎西岗村 2024年第二季度积分公示"


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is not installed: these tests drive Debian's chromium. Install it "
                    "with `apt-get install -y chromium` (.ci/run does this in CI).")
    return path


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    command = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}", *args,
    ]
    result = subprocess.run(command, capture_output=True, timeout=180)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return result


def print_to_pdf(tmp_path: Path, page: Path, pdf: Path) -> Path:
    """What comes out of the printer: `page` printed by Chromium, without its own header and
    footer (the page's CSS draws its margins)."""
    run_chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert pdf.is_file() and pdf.stat().st_size > 0, f"chromium printed nothing to {pdf}"
    return pdf


class Page(HTMLParser):
    """What a reader would see: the title, every element, each table's body rows and cells."""

    def __init__(self):
        super().__init__()
        self.title = ""
        self.tags: list[tuple[str, dict]] = []
        self.rows: dict[str, int] = {}
        self.cells: list[str] = []
        self._stack: list[str] = []
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        self._stack.append(tag)
        if tag == "table":
            self._table = attrs.get("id")
            self.rows[self._table] = 0
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows[self._table] += 1
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_data(self, data):
        if self._stack and self._stack[-1] == "title":
            self.title += data
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def notice(village, tmp_path) -> tuple[Path, dict]:
    for code, name in HOSTILE.items():
        village.ok("household", "add", "--group", "一组", "--", code, name)
        earn(village, code, "A01", 3, "2024-05-05")
    earn(village, "H001", "A01", 3, "2024-04-02")
    earn(village, "H002", "A02", 3, "2024-04-03")
    earn(village, "H004", "B01", 1, "2024-04-04")
    village.ok("redeem", "H001", "G002", "--date", "2024-05-01")
    village.ok("shop", "add", "<b>那曲</b>百货")
    village.ok("redeem", "H101", "G002", "--shop", "<b>那曲</b>百货", "--date", "2024-05-06")
    village.ok("fund", "grant", "30000", "--date", "2024-04-01")
    out = tmp_path / "board"
    village.ok("publish", "--quarter", "2024Q2", "--out", str(out))
    return out / "notice.html", json.loads((out / "manifest.json").read_text("utf-8"))


def test_the_notice_shows_every_table_and_hostile_names_only_as_text(notice, tmp_path):
    path, manifest = notice
    dom = run_chromium(tmp_path, "--dump-dom", path.as_uri()).stdout.decode("utf-8")
    page = Page()
    page.feed(dom)
    assert page.title.strip() == TITLE  # no injected script renamed the page
    tags = {tag for tag, _ in page.tags}
    assert "script" not in tags and "img" not in tags
    assert not any("onerror" in attrs or "data-pwned" in attrs for _, attrs in page.tags)
    counts = manifest["counts"]
    assert page.rows == {
        "table-ledger": counts["households"],
        "table-redemptions": counts["redemptions"],
        "table-categories": counts["categories"],
        "table-honour": counts["honour"],
        "table-fund": 8,  # granted, spent, redeemed at shops, paid, owed, of which, credit, balance
        "table-objections": counts["objections"],  # none resolved before this first disclosure
    }
    # H004 only lost points: it took part, but the 光明榜 honours gains only.
    assert counts == {"households": 7, "participating": 6, "redemptions": 2, "categories": 3,
                      "honour": 5, "objections": 0, "objections_upheld": 0}
    for name in HOSTILE.values():
        assert name in page.cells
    assert "<b>那曲</b>百货" in page.cells
    assert "次仁卓玛" in page.cells and "བཀྲ་ཤིས་" in page.cells
    assert manifest["digest"] in dom
    assert "<svg" in dom  # the digest's QR code


def test_the_notice_prints_on_a4(notice, tmp_path):
    path, _ = notice
    pdf = print_to_pdf(tmp_path, path, tmp_path / "notice.pdf")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes, "no page in the printed PDF"
    for width, height in boxes:  # A4 portrait: 595.28 x 841.89 points (Letter would be 612)
        assert abs(float(width) - 595.28) < 1 and abs(float(height) - 841.89) < 1
