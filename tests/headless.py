"""Headless Chromium for the browser tests: a page's DOM as Chromium builds it, and a page printed
to PDF as it comes out of the printer. Shared by the tests marked `browser`."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest


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
