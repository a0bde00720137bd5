"""The notice opened in a real headless browser (Debian's chromium): what the village board gets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import earn
from headless import Page, print_to_pdf, run_chromium

pytestmark = pytest.mark.browser

HOSTILE = {
    "H101": "=HYPERLINK(\"http://x\",\"y\")",
    "H102": "<script>document.title='pwned';document.body.dataset.pwned=1</script>",
    "H103": "<img src=x onerror=\"document.title='pwned'\">",
}
TITLE = "扎西岗村 2024年第二季度积分公示"


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
