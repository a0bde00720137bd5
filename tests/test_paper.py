"""The notice and the cards on paper: printed by headless Chromium to PDF, read back from the PDF.

Nothing here reads the HTML source. The PDF's text is what a reader sees (pypdfium2 extracts it
line by line, so a word broken over two lines is not found whole), its pages rasterised are what
a phone camera sees (every QR code is decoded with zxing-cpp, a real decoder), and pixel columns
of the raster say whether a border was drawn.

The pages are printed with a Chinese and a Tibetan font installed (.ci/run installs Debian's
fonts-noto-cjk and fonts-tibetan-machine when missing): without them Chromium draws empty boxes
and breaks lines where no real font would, which is not what the village board gets.
"""

from __future__ import annotations

import csv
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
import zxingcpp
from conftest import Jifen, earn
from headless import print_to_pdf

pytestmark = pytest.mark.browser

LONG_TIBETAN = "ངག་དབང་བློ་བཟང་བསྟན་འཛིན་རྒྱ་མཚོ་"
LONG_CHINESE = "阿旺罗布次仁多吉"
NAMES = ("次仁卓玛", "བཀྲ་ཤིས་", "王建国", "ཚེ་རིང་སྒྲོལ་མ་", LONG_TIBETAN, LONG_CHINESE)
GROUPS = ("一组", "二组", "三组", "十二组")
TITLE = "扎西岗村 2024年第二季度积分公示"


def require_fonts() -> None:
    for lang, package in (("zh", "fonts-noto-cjk"), ("bo", "fonts-tibetan-machine")):
        found = subprocess.run(["fc-list", f":lang={lang}"], capture_output=True, text=True)
        if not found.stdout.strip():
            pytest.fail(f"no font for :lang={lang}: the printed pages would show empty boxes. "
                        f"Install one with `apt-get install -y {package}` (.ci/run does this).")


# --- reading a PDF ----------------------------------------------------------------------------


def page_texts(pdf: Path) -> list[str]:
    """Each page's text as pdfium extracts it: a line of the page per line of text."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]
    finally:
        document.close()


def rasters(pdf: Path, dpi: int) -> list[np.ndarray]:
    """Each page as a greyscale image at `dpi` (0 black, 255 white)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_numpy().squeeze()
                for page in document]
    finally:
        document.close()


def decode(image: np.ndarray, *, text_mode=zxingcpp.TextMode.HRI) -> list:
    return [code for code in zxingcpp.read_barcodes(image, text_mode=text_mode)
            if code.format == zxingcpp.BarcodeFormat.QRCode and code.valid]


def printed_whole(code, image: np.ndarray, dpi: int) -> tuple[float, float]:
    """(size, module) in mm of a code on paper, quiet zone included, once it is seen whole: the
    decoder needed none of its error correction (a cropped or smudged code uses some up, and a
    phone's blurrier picture then fails), and 4 modules of white surround it."""
    assert code.extra["UEC"] >= 0.9, code.extra  # unused error correction: 1.0 is none used
    corners = [(p.x, p.y) for p in (code.position.top_left, code.position.top_right,
                                    code.position.bottom_right, code.position.bottom_left)]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    modules = 17 + 4 * int(code.extra["Version"])
    module = (max(xs) - min(xs) + max(ys) - min(ys)) / 2 / modules  # pixels
    quiet = round(3.5 * module)
    top, bottom = min(ys) - quiet, max(ys) + quiet
    left, right = min(xs) - quiet, max(xs) + quiet
    ring = np.concatenate([image[top:min(ys) - 1, left:right].ravel(),
                           image[max(ys) + 2:bottom, left:right].ravel(),
                           image[top:bottom, left:min(xs) - 1].ravel(),
                           image[top:bottom, max(xs) + 2:right].ravel()])
    assert (ring > 128).mean() > 0.995, (ring > 128).mean()
    return (modules + 8) * module / dpi * 25.4, module / dpi * 25.4


def run_length(flags: np.ndarray) -> int:
    """How many leading entries of `flags` are true."""
    falses = np.flatnonzero(~flags)
    return int(falses[0]) if falses.size else int(flags.size)


def row_borders(image: np.ndarray, px: float) -> list[tuple[int, int, int]]:
    """For each row of a table on the page (between two consecutive horizontal rules), the
    thickness in pixels of the vertical line at its left end and at its right end: the pixel
    columns inked over the row's whole height."""
    dark = image < 200
    width = image.shape[1]
    rules = [y for y in range(image.shape[0]) if dark[y].sum() > 0.44 * width]
    starts = [y for i, y in enumerate(rules) if i == 0 or y - rules[i - 1] > 2]
    borders = []
    for top, bottom in zip(starts, starts[1:]):
        if not 3 < bottom - top < 15 * px:
            continue
        inked = np.flatnonzero(dark[top])
        left, right = inked.min(), inked.max()
        full = dark[top + 4:bottom - 1, left:right + 1].mean(axis=0) > 0.9
        if not full[8:-8].any():
            continue  # no column border inside: the gap between two tables, not a row
        borders.append((top, run_length(full), run_length(full[::-1])))
    return borders


# --- a village whose notice runs to several pages ----------------------------------------------


@dataclass
class Printed:
    out: Path
    pdf: Path
    manifest: dict
    ledger: list[dict]
    redemptions: list[dict]
    honour: list[dict]


def build_long_village(tmp: Path) -> Jifen:
    """扎西岗村 with 134 households (Chinese and long Tibetan names, groups up to 十二组), a
    reward for each, two redemptions: its notice prints on 5 A4 pages or more."""
    jifen = Jifen(tmp / "village.db")
    jifen.ok("init", "--village", "扎西岗村", "--township", "罗玛镇", "--county", "色尼区",
             "--class", "2", "--mode", "both")
    jifen.ok("reviewer", "add", "格桑")
    households, records = tmp / "households.csv", tmp / "records.csv"
    with households.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["户号", "户主", "组别"])
        for n in range(1, 135):
            writer.writerow([f"H{n:03d}", NAMES[n % len(NAMES)], GROUPS[n % len(GROUPS)]])
    with records.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["户号", "指标编号", "日期", "数量", "流水号"])
        for n in range(1, 135):
            writer.writerow([f"H{n:03d}", "A01", "2024-05-02", 1 + n % 7, f"R{n}"])
    jifen.ok("import", "households", str(households))
    jifen.ok("rule", "add", "A01", "--category", "人居环境", "--title", "庭院整洁", "--points", "5")
    jifen.ok("item", "add", "G001", "酥油", "--points", "30", "--value", "35.00", "--stock", "10",
             "--date", "2024-04-01")
    jifen.ok("import", "records", str(records))
    jifen.ok("review", "approve", "--all", operator="格桑")
    jifen.ok("redeem", "H006", "G001", "--date", "2024-05-10")
    jifen.ok("redeem", "H013", "G001", "--date", "2024-05-11")
    return jifen


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Printed:
    require_fonts()
    tmp = tmp_path_factory.mktemp("long-notice")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("JIFEN_DB", str(tmp / "village.db"))
        env.setenv("JIFEN_TODAY", "2024-06-30")
        env.delenv("JIFEN_OPERATOR", raising=False)
        env.delenv("JIFEN_LANG", raising=False)
        jifen = build_long_village(tmp)
        out = tmp / "board"
        jifen.ok("publish", "--quarter", "2024Q2", "--out", str(out))
    pdf = print_to_pdf(tmp, out / "notice.html", tmp / "notice.pdf")

    def rows(name, first, fields=("code", "name", "group")):  # by position: headings are words
        with (out / name).open(encoding="utf-8-sig") as f:
            return [dict(zip(fields, row[first:first + len(fields)]))
                    for row in list(csv.reader(f))[1:]]

    return Printed(out, pdf, json.loads((out / "manifest.json").read_text("utf-8")),
                   rows("ledger.csv", 0), rows("redemptions.csv", 1, ("code", "name")),
                   rows("honour.csv", 1))


def test_the_long_notice_prints_on_several_pages(printed):
    texts = page_texts(printed.pdf)
    assert len(texts) >= 5
    assert len(printed.ledger) == 134
    codes = "\n".join(texts)
    assert all(row["code"] in codes for row in printed.ledger)


def test_each_total_row_is_printed_once_after_the_last_row_of_its_table(printed):
    texts = page_texts(printed.pdf)
    whole = "\n".join(texts)
    # three tables have a 合计 row (ledger, redemptions, categories): three on the whole
    # notice, not one at the foot of every page the ledger runs over
    assert whole.count("合计") == 3, [text.count("合计") for text in texts]
    last_household = printed.ledger[-1]["code"]
    before, after = whole.split(f"\n{last_household} ", 1)
    assert "合计" not in before
    assert after.split("\n", 2)[1].startswith("合计 ")  # the row right after the last one
    totals = after.split("\n", 2)[1].split()
    assert totals[1:] == [str(printed.manifest["totals"][key]) for key in (
        "opening", "earned", "deducted", "redeemed", "adjusted", "closing", "entries")]


def test_every_page_has_its_number_and_every_continuation_page_the_notices_title(printed):
    texts = page_texts(printed.pdf)
    pages = len(texts)
    for number, text in enumerate(texts, start=1):
        lines = text.split("\n")
        assert f"第 {number} 页，共 {pages} 页" in lines, (number, lines[:3])
        if number > 1:
            assert lines[0] == TITLE, (number, lines[:3])
    assert texts[0].count(TITLE) == 0  # the first page has the notice's own heading instead
    assert "扎西岗村积分超市2024年第二季度积分公示" in texts[0].split("\n")[:3]


def test_a_group_code_or_chinese_name_is_never_broken_over_lines(printed):
    """十二组 printed as 十二 / 组 (one character a line in a narrow font) is not found whole."""
    whole = "\n".join(page_texts(printed.pdf))
    rows = printed.ledger + printed.redemptions + printed.honour
    for group in ("十二组", "三组"):
        expected = sum(1 for row in rows if row.get("group") == group)
        assert expected and whole.count(group) == expected, (group, whole.count(group), expected)
    for name in ("次仁卓玛", LONG_CHINESE):
        expected = sum(1 for row in rows if row["name"] == name)
        assert expected and whole.count(name) == expected, (name, whole.count(name), expected)
    for row in printed.ledger:
        assert f"\n{row['code']} " in whole, row["code"]
    lines = whole.split("\n")
    headings = [line for line in lines if line.startswith("户号 户主 组别 ")]
    assert len(headings) >= 4  # the ledger's heading row, whole, on every page it runs over


def test_every_table_keeps_its_right_border_on_paper(printed):
    """Drawn whole, as thick as the left one: a border that ends exactly at the page area's edge
    is clipped there (by Chromium, by a printer driver) to a hairline or to nothing."""
    dpi = 300
    rows = 0
    pages = rasters(printed.pdf, dpi)
    for number, image in enumerate(pages, start=1):
        borders = row_borders(image, dpi / 25.4)
        if number < len(pages):  # the last may hold only the objections, the digest and the sign
            assert len(borders) >= 10, (number, len(borders))  # every other page has table rows
        for top, left, right in borders:
            assert left >= 2, (number, top, left)  # 1 CSS px is 3 pixels at 300 dpi
            assert right >= left - 1, (number, top, left, right)
        rows += len(borders)
    assert rows >= len(printed.ledger)


@pytest.mark.parametrize("dpi", [100, 200])
def test_the_notices_qr_code_decodes_to_the_digest(printed, dpi):
    found = [(code, image) for image in rasters(printed.pdf, dpi) for code in decode(image)]
    assert [code.text for code, _ in found] == [printed.manifest["digest"]]
    size, module = printed_whole(*found[0], dpi)
    assert 31 < size < 33 and module > 0.6, (size, module)  # 32 mm on the page


def test_the_digest_line_has_no_gap_and_the_honour_board_says_what_it_ranks(printed):
    whole = "\n".join(page_texts(printed.pdf))
    lines = whole.split("\n")
    heading = next(line for line in lines if "台账摘要" in line)
    # nothing after the bracket on its line
    assert heading == f"截至第 {printed.manifest['head_seq']} 条台账记录的台账摘要（SHA-256）"
    assert "），" not in whole  # a full-width bracket and comma print as a wide gap
    assert "4. 光明榜（按本季获得减扣减的净得分排名）" in lines
    assert any(line.startswith("净得分为本季获得积分减去本季扣减积分") for line in lines)


# --- hostile words in the page margins -------------------------------------------------------


def test_a_village_name_with_quotes_and_markup_prints_as_text_in_the_margins(jifen, tmp_path):
    require_fonts()
    name = '岗"村\\</style><b>x'
    jifen.ok("init", "--village", name)
    jifen.ok("household", "add", "H001", "次仁卓玛")
    for n in range(2, 90):  # enough rows for a second page
        jifen.ok("household", "add", f"H{n:03d}", f"户{n}")
    out = tmp_path / "board"
    jifen.ok("publish", "--quarter", "2024Q2", "--out", str(out))
    texts = page_texts(print_to_pdf(tmp_path, out / "notice.html", tmp_path / "n.pdf"))
    assert len(texts) >= 2
    assert texts[1].split("\n")[0] == f"{name} 2024年第二季度积分公示"
    assert "第 2 页" in texts[1]


# --- household cards -------------------------------------------------------------------------


def card_payload(jifen: Jifen, code: str, name: str, labels: tuple[str, str]) -> str:
    balance = jifen.json("balance", code)
    seq, head = jifen.sql("SELECT head_seq, head_hash FROM village")[0]
    return (f"jifen|扎西岗村|{code}|{name}|{labels[0]} {balance['available']}"
            f"|{labels[1]} {balance['honour']}|#{seq} {head}")


@pytest.mark.parametrize("lang, labels", [("zh", ("可用积分", "荣誉积分")),
                                          ("en", ("available", "honour"))])
def test_every_cards_qr_code_decodes_to_its_payload(village, tmp_path, lang, labels):
    require_fonts()
    earn(village, "H001", "A01", 3)
    earn(village, "H002", "A02", 2)
    village.ok("redeem", "H001", "G002")
    names = {"H001": "次仁卓玛", "H002": "བཀྲ་ཤིས་", "H003": "王建国",
             "H004": "ཚེ་རིང་སྒྲོལ་མ་"}
    more = {"H005": LONG_TIBETAN, "H006": LONG_CHINESE, "H007": "བསོད་ནམས་",
            "H008": LONG_TIBETAN * 2}
    for code, name in more.items():
        village.ok("household", "add", code, name, "--group", "十二组")
    names |= more
    village.ok("card", "--all", "--out", str(tmp_path / "cards"), lang=lang)
    pdf = print_to_pdf(tmp_path, tmp_path / "cards" / "cards.html", tmp_path / "cards.pdf")
    expected = sorted(card_payload(village, code, name, labels) for code, name in names.items())
    for dpi in (150, 300):
        images = rasters(pdf, dpi)
        assert len(images) == 2  # six cards to a page
        found = [(code, image) for image in images for code in decode(image)]
        assert sorted(code.text for code, _ in found) == expected, dpi
        for code, image in found:
            size, module = printed_whole(code, image, dpi)
            # 26 mm, grown up to 30 mm for a long name so that no module is below 0.4 mm
            assert 25 < size < 31 and module > 0.38, (code.text, size, module)
    # each code says its text is UTF-8 (ECI 26), so a phone shows the names, not mojibake
    for image in rasters(pdf, 150):
        for code in decode(image, text_mode=zxingcpp.TextMode.HexECI):
            assert bytes.fromhex(code.text).startswith(b"]Q2\\000026"), code.text[:40]
    for text in expected:
        assert "540102" not in text and "13800001234" not in text


@pytest.mark.slow
def test_every_card_of_the_demo_village_decodes(jifen, tmp_path, monkeypatch):
    require_fonts()
    jifen.ok("demo", "--out", str(tmp_path / "demo"))
    demo = Jifen(tmp_path / "demo" / "jifen.db")
    monkeypatch.setenv("JIFEN_DB", str(demo.db))
    demo.ok("card", "--all", "--out", str(tmp_path / "cards"), lang="zh")
    pdf = print_to_pdf(tmp_path, tmp_path / "cards" / "cards.html", tmp_path / "cards.pdf")
    households = demo.json("household", "list")
    balances = {b["household"]: b for b in demo.json("balance")}
    seq, head = demo.sql("SELECT head_seq, head_hash FROM village")[0]
    village_name = demo.sql("SELECT name FROM village")[0][0]
    expected = sorted(
        f"jifen|{village_name}|{h['code']}|{h['name']}|可用积分 {balances[h['code']]['available']}"
        f"|荣誉积分 {balances[h['code']]['honour']}|#{seq} {head}"
        for h in households
    )
    assert len(expected) == 132  # 134 households; one moved away and one was merged in July
    codes = [code.text for image in rasters(pdf, 150) for code in decode(image)]
    assert sorted(codes) == expected


def test_an_empty_section_is_never_split_from_its_heading_over_two_pages(village, tmp_path):
    """A section with nothing in it (heading, the table's heads, 本季无记录) stays on one page.
    The first disclosure's empty 异议处理 section is printed thirty times down the pages, each
    after a spacer a millimetre taller than the one before, so a page ends at every point of it
    in one copy or another; on each page every heading has its "nothing" line."""
    require_fonts()
    out = tmp_path / "posted"
    village.ok("publish", "--quarter", "2024Q2", "--out", str(out), "--date", "2024-06-30")
    html = (out / "notice.html").read_text(encoding="utf-8")
    start = html.index('<section id="objections"')
    end = html.index("</section>", start) + len("</section>")
    section = html[start:end]
    copies = "".join(f'<div style="height:{n}mm"></div>{section}' for n in range(1, 31))
    page = tmp_path / "sections.html"
    page.write_text(html[:start] + copies + html[end:], encoding="utf-8")
    pages = page_texts(print_to_pdf(tmp_path, page, tmp_path / "sections.pdf"))
    assert len(pages) >= 3
    nothing = "上期公示以来没有处理完毕的异议。"
    for number, text in enumerate(pages, start=1):
        headings = sum(line.strip().endswith("异议处理") for line in text.splitlines())
        assert headings == text.count(nothing), (number, text)
    assert sum(text.count(nothing) for text in pages) == 30
