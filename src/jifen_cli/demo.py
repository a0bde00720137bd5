"""`jifen demo`: the sample village 扎西岗村 built from `sample_data/` through the real import path.

Every step is what a village would do with the commands (init, reviewers, `jifen import`, the
monthly review, redemptions, verify), called through the same domain functions, with the clock
pinned to just after the sample quarter (2024Q2) so every run builds the same ledger. The body of
`Demo.build` is the list of steps; a new step is one method added to that list.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from jifen_cli import claims, households, imports, ledger, village
from jifen_cli.errors import LedgerDamaged

VILLAGE = {"name": "扎西岗村", "township": "罗玛镇", "county": "色尼区", "klass": 2, "mode": "both"}
CLERK = "次仁（文书）"
REVIEWERS = ("格桑", "罗布")
TODAY = "2024-07-01"  # the day after the sample quarter ends: its dates are all in the past
STOCK_DATE = "2024-04-01"  # the store's opening stock comes in on the quarter's first day
QUARTER = "2024Q2"
FUND_YUAN = "30000.00"  # class 2: ¥30,000 a year
SHOPS = (  # the partner shops the village redeems through (合作商超), as registered
    ("罗玛镇惠民超市", "罗玛镇商业街 8 号"),
    ("罗玛镇格桑便利店", "罗玛镇政府对面"),
    ("色尼区藏家乐商店", "色尼区那曲路"),
)
FILES = (  # (kind, file) in the order a village would bring them in
    ("households", "households.csv"),  # GBK, as Excel saves it on Chinese Windows
    ("households", "households_extra.csv"),  # UTF-8 with BOM: Tibetan script
    ("rules", "rules.csv"),
    ("items", "items.xlsx"),
)

Step = Callable[[str, dict], None]  # (message key, params) -> shown by the command line


def sample_dir() -> Path:
    """`sample_data/`: inside the installed package (the wheel force-includes it), else the repo's."""
    from importlib.resources import files

    packaged = files("jifen_cli") / "sample_data"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "sample_data"


class Demo:
    def __init__(self, out: Path, on_step: Step, *, lang: str = "en"):
        self.out = Path(out)
        self.path = self.out / "jifen.db"
        self.disclosure = self.out / f"disclosure-{QUARTER}"
        self.say = on_step
        self.lang = lang
        self.samples = sample_dir()
        self.conn: sqlite3.Connection | None = None

    def build(self) -> Demo:
        from jifen_cli.errors import VillageExists
        from jifen_cli.publication import check_out

        # Refuse before anything is written, so a refusal never leaves a half-built village.
        if self.path.exists():
            raise VillageExists(path=str(self.path))
        check_out(self.disclosure)
        self.out.mkdir(parents=True, exist_ok=True)
        for step in (self.create_village, self.grant_fund, self.import_registers,
                     self.import_records, self.monthly_review, self.import_redemptions,
                     self.restock_and_settle, self.verify, self.publish, self.next_quarter,
                     self.verify):
            step()
        return self

    # --- the steps --------------------------------------------------------------------------

    def create_village(self) -> None:
        self.conn = village.init(self.path, operator=CLERK, **VILLAGE)
        self.say("created_village", {"village": VILLAGE["name"], "path": self.path})
        for name in REVIEWERS:
            village.add_reviewer(self.conn, name, operator=CLERK)
            self.say("added_reviewer", {"name": name})
        from jifen_cli import shops

        for name, contact in SHOPS:
            shops.add(self.conn, name, contact=contact, operator=CLERK)
            self.say("shop_added", {"name": name})

    def grant_fund(self) -> None:
        """The year's operating fund for a class-2 village arrives with the quarter."""
        from jifen_cli import fund
        from jifen_cli.values import yuan

        r = fund.grant(self.conn, FUND_YUAN, date=STOCK_DATE, operator=CLERK,
                       note="2024年度积分超市运营资金（二类村）")
        self.say("fund_granted_ok", {"amount": yuan(r["fen"]), "seq": r["seq"],
                                     "balance": yuan(r["balance"])})

    def restock_and_settle(self) -> None:
        """Butter sold out on 06-23: restock it from the fund; pay the partner shops what they
        are owed for the quarter."""
        from jifen_cli import fund, items
        from jifen_cli.values import yuan

        seq, stock = items.restock(self.conn, "G001", 20, cost="700.00", date="2024-06-26",
                                   operator=CLERK, note="那曲市场 酥油 20 斤")
        self.say("restocked", {"code": "G001", "qty": 20, "stock": stock, "seq": seq})
        for shop, owed in sorted(fund.owed_by_shop(self.conn).items()):
            if owed > 0:
                r = fund.settle(self.conn, shop, yuan(owed), date="2024-06-30", operator=CLERK)
                self.say("settled", {"shop": r["shop"], "amount": yuan(r["fen"]), "seq": r["seq"],
                                     "owed": yuan(r["owed"])})

    def import_registers(self) -> None:
        for kind, name in FILES:
            self._import(kind, name, date=STOCK_DATE)

    def import_records(self) -> None:
        """Pending claims, for the monthly review. The file names its recorder in its 记录人
        column (the clerk), as a reviewer would need to post it with `--approve`."""
        self._import("records", "records.csv")

    def monthly_review(self) -> None:
        review = claims.approve(self.conn, None, reviewer=REVIEWERS[0])
        self.say("approved", {"count": len(review.approved), "points": review.points})

    def import_redemptions(self) -> None:
        self._import("redemptions", "redemptions.csv")

    def verify(self) -> None:
        report = ledger.verify(self.conn)
        if not report.ok:
            raise LedgerDamaged(detail=report.problems[0])
        self.say("verify_ok", {"postings": report.postings, "publications": report.publications,
                               "head": report.head})

    def publish(self) -> None:
        """一季度一公示: the quarter's disclosure next to the village file, the quarter locked."""
        from jifen_cli import publication

        done = publication.publish(self.conn, QUARTER, out=self.disclosure,
                                   date=TODAY, operator=CLERK, today_=TODAY)
        self.say("published", {"quarter": done.quarter, "head_seq": done.head_seq,
                               "digest": done.digest, "out": done.out,
                               "notice": done.out / "notice.html",
                               "first": done.objection_period[0],
                               "last": done.objection_period[1]})

    def next_quarter(self) -> None:
        """The village lives on into July: the registers change, and keep what they said."""
        from jifen_cli import items, rules

        day = TODAY
        changed = households.edit(self.conn, "H004", operator=CLERK, name="边巴次仁",
                                  reason="原户主边巴去世，由长子边巴次仁继任户主")
        self.say("household_edited", {"code": "H004", "changes": "；".join(
            f"{old} → {new}" for old, new in changed.values())})
        version = rules.edit(self.conn, "A01", valid_from=day, points=3, cap_month=12,
                             reason="村民大会 2024-06-28 修订评分细则", operator=CLERK)
        self.say("rule_edited", {"code": version.code, "date": version.valid_from,
                                 "title": version.title, "points": version.points,
                                 "cap": version.cap_month})
        from jifen_cli.values import yuan

        item = items.get(self.conn, "G001")
        changed = items.edit(self.conn, "G001", operator=CLERK, reason="酥油进价上涨",
                             points=item["points"] + 5, value=yuan(item["value_fen"] + 500))
        self.say("item_edited", {"code": "G001", "changes": "；".join(
            f"{yuan(a) if k == 'value_fen' else a} → {yuan(b) if k == 'value_fen' else b}"
            for k, (a, b) in changed.items())})
        # A household's points are cleared or moved by a member of the working group.
        closed = households.close(self.conn, "H011", operator=REVIEWERS[0], reason="全家迁往拉萨",
                                  date=day)
        self.say("household_closed_ok", {"code": "H011", "date": day, "points": closed.points,
                                         "seq": closed.seqs[0]})
        merged = households.merge(self.conn, "H129", "H065", operator=REVIEWERS[0], date=day,
                                  reason="重复登记：藏文名 བཀྲ་ཤིས་ 与汉文名扎西多吉为同一户")
        self.say("household_merged_ok", {"source": "H129", "target": "H065", "date": day,
                                         "points": merged.points, "honour": merged.honour,
                                         "out_seq": merged.seqs[0], "in_seq": merged.seqs[1]})

    # --- helpers ----------------------------------------------------------------------------

    def _import(self, kind: str, name: str, **options) -> imports.Result:
        result = imports.run(self.conn, kind, self.samples / name, operator=CLERK,
                             lang=self.lang, today=TODAY, **options)
        self.say("import_result", {"result": result})
        return result

    def top(self, count: int = 10) -> list[dict]:
        """The households with the most available points."""
        rows = households.balances(self.conn)
        rows.sort(key=lambda b: (-b["available"], b["household"]))
        return rows[:count]

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
