"""What an import file must hold: its columns, and the checks each row must pass.

Row checks reuse the registers' own `clean()` validators and raise the same JifenErrors, so a
bad cell reads the same whether it was typed at `jifen household add` or came in a file; the
importer only prefixes FILE:ROW. Checks that depend on the rows above (duplicates, balances,
stock) live in apply.py, where the running state is.
"""

from __future__ import annotations

import datetime as dt
from operator import itemgetter

from jifen_cli.errors import BadInput, UnknownHousehold, UnknownItem, UnknownRule
from jifen_cli.values import parse_date, parse_int

# kind -> ((column, 中文, required), ...). The column names are the command-line contract.
COLUMNS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "households": (
        ("code", "户号", True), ("name", "户主", True), ("group", "组别", False),
        ("members", "人口", False), ("id_number", "身份证号", False), ("phone", "电话", False),
    ),
    "rules": (
        ("code", "编号", True), ("category", "类别", True), ("title", "指标", True),
        ("points", "分值", True), ("cap_month", "月上限", False),
    ),
    "items": (
        ("code", "编号", True), ("name", "名称", True), ("points", "积分", True),
        ("value", "价值", True), ("stock", "库存", False),
    ),
    "records": (
        ("household", "户号", True), ("rule", "指标编号", True), ("date", "日期", True),
        ("qty", "数量", False), ("note", "备注", False), ("ref", "流水号", False),
        ("recorded_by", "记录人", False),
    ),
    "redemptions": (
        ("household", "户号", True), ("item", "商品编号", True), ("date", "日期", True),
        ("qty", "数量", False), ("shop", "商店", False), ("ref", "流水号", False),
    ),
}
KINDS = tuple(COLUMNS)
MAX_QTY = 1_000_000  # keeps points x qty far inside SQLite's 64-bit integers


def match_header(kind: str, header: list[str]) -> tuple[tuple[int, ...], list[tuple[str, dict]]]:
    """The cell index of each of the kind's columns (-1 when absent), and the header problems
    as (message key, params). Names match in English (any case) or Chinese, in any order."""
    spec = COLUMNS[kind]
    by_name: dict[str, int] = {}
    for position, (english, chinese, _) in enumerate(spec):
        by_name[english] = by_name[chinese] = position
    found = [-1] * len(spec)
    unknown, repeated = [], []
    for index, cell in enumerate(header):
        name = cell.strip().lstrip("\ufeff").strip()
        if not name:
            continue
        position = by_name.get(name.lower(), by_name.get(name))
        if position is None:
            unknown.append(name)
        elif found[position] >= 0:
            repeated.append(name)
        else:
            found[position] = index
    problems = []
    expected = ", ".join(f"{en}/{zh}" for en, zh, _ in spec)
    if unknown:
        problems.append(("import_unknown_columns", {"names": ", ".join(unknown),
                                                    "expected": expected}))
    if repeated:
        problems.append(("import_repeated_columns", {"names": ", ".join(repeated)}))
    missing = [f"{en}/{zh}" for (en, zh, required), i in zip(spec, found) if required and i < 0]
    if missing:
        problems.append(("import_missing_columns", {"names": ", ".join(missing)}))
    return tuple(found), problems


def pick(cells: list[str], index: tuple[int, ...]) -> list[str]:
    """The row's stripped value for each column ('' when the column is absent or the row is
    short)."""
    size = len(cells)
    return [cells[i].strip() if 0 <= i < size else "" for i in index]


class Picker:
    """`pick` for the rows of one header, at a third of its cost for a row that has every cell
    (a million rows pick seven cells each): one itemgetter, with an absent column's index -1
    pointing at an empty cell added at the row's end."""

    def __init__(self, index: tuple[int, ...]):
        self.index = index
        self.need = max(index, default=-1) + 1
        self.absent = any(i < 0 for i in index)
        self.get = itemgetter(*index, -1)  # the extra -1: a tuple even for a single column

    def __call__(self, cells: list[str]) -> list[str]:
        if len(cells) < self.need:
            return pick(cells, self.index)
        if self.absent:
            cells = [*cells, ""]
        return list(map(str.strip, self.get(cells)[:-1]))


def blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


class EventChecks:
    """Checks shared by records and redemptions, with caches so a million rows that name the
    same few hundred households, dates and quantities are parsed once per distinct value."""

    def __init__(self, *, households: set[str], locked: str, today: str | None,
                 rules: dict | None = None, items: dict | None = None,
                 closed: dict | None = None):
        self.households = households
        self.closed = closed or {}  # code -> the refusal for a household that has left
        self.rules = rules or {}
        self.items = items or {}
        self.locked = locked
        self.today = today
        self.dates: dict[str, str | BadInput] = {}
        self.qtys: dict[str, int | BadInput] = {}

    def household(self, code: str) -> str:
        if code in self.households:
            return code
        if code in self.closed:
            raise self.closed[code]
        if not code:
            raise BadInput("bad_name", field="household")
        raise UnknownHousehold(code=code)

    def rule(self, code: str) -> dict:
        rule = self.rules.get(code)
        if rule is None:
            if not code:
                raise BadInput("bad_name", field="rule")
            raise UnknownRule(code=code)
        return rule

    def item(self, code: str) -> tuple:
        item = self.items.get(code)
        if item is None:
            if not code:
                raise BadInput("bad_name", field="item")
            raise UnknownItem(code=code)
        return item

    def date(self, text: str) -> str:
        result = self.dates.get(text)
        if result is None:
            result = self._date(text)
            if len(self.dates) < 10_000:
                self.dates[text] = result
        if isinstance(result, Exception):
            raise result
        return result

    def _date(self, text: str):
        from jifen_cli.errors import PeriodLocked
        from jifen_cli.periods import locked_out

        try:
            if not text:
                raise BadInput("bad_name", field="date")
            day = parse_date(text)
            if day > dt.date(9999, 1, 1) or day < dt.date(1900, 1, 1):
                raise BadInput("bad_date", value=text)
            iso = day.isoformat()
            if self.today is not None and iso > self.today:
                raise BadInput("future_date", value=iso, today=self.today)
            if iso <= self.locked:
                raise locked_out(iso, self.locked)
            return iso
        except (BadInput, PeriodLocked) as exc:
            return exc

    def qty(self, text: str) -> int:
        result = self.qtys.get(text)
        if result is None:
            try:
                result = parse_int(text or 1, "qty", minimum=1)
                if result > MAX_QTY:
                    raise BadInput("import_qty_too_big", value=result, most=MAX_QTY)
            except BadInput as exc:
                result = exc
            if len(self.qtys) < 10_000:
                self.qtys[text] = result
        if isinstance(result, BadInput):
            raise result
        return result
