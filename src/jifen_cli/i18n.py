"""Every user-facing string, in Chinese and English.

`t(key, lang, **params)` formats one. Keys are grouped by the noun they talk about. A test checks
that every key has both languages and the same placeholders in each.
"""

from __future__ import annotations

import os

LANGS = ("zh", "en")
LIST_SEPARATOR = ("; ", "；")  # [lang == "zh"]


def default_lang(environ=os.environ) -> str:
    """`--lang` default: JIFEN_LANG, else Chinese when LANG starts with zh, else English."""
    explicit = environ.get("JIFEN_LANG", "")
    if explicit in LANGS:
        return explicit
    return "zh" if environ.get("LANG", "").lower().startswith("zh") else "en"


def t(key: str, lang: str = "en", /, **params) -> str:
    zh, en = MESSAGES.get(key, (key, key))
    template = zh if lang == "zh" else en
    if "what" in params:  # a noun named by key: "household" -> 户 / Household
        params["what"] = t(f"what_{params['what']}", lang)
    if f"field_{params.get('field')}" in MESSAGES:  # an input named by its code: qty -> 数量
        params["field"] = t(f"field_{params['field']}", lang)
    for name in [p for p in params if p.endswith("_key")]:  # a nested message, e.g. detail_key
        inner = {k: v for k, v in params.items() if not k.endswith("_key")}
        params[name[:-4]] = t(params[name], lang, **inner)
    params = {name: _in(lang, value) for name, value in params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def join(lang: str, items) -> str:
    """Items listed in `lang`: 甲；乙 or a; b."""
    return LIST_SEPARATOR[lang == "zh"].join(str(_in(lang, item)) for item in items)


def _in(lang: str, value):
    """A parameter as said in `lang`: a Message translated, a list of them joined (；/ ; )."""
    if isinstance(value, Message):
        return value.message(lang)
    if isinstance(value, list):
        return join(lang, value)
    return value


def _rebuild(cls: type, key: str, params: dict) -> Message:
    return cls(key, **params)


class Message(str):
    """Words to be said later, in whichever language the reader wants. The string itself is the
    English text (what `--json` and scripts see, stable); `message(lang)` says it in `lang`.
    Parameters may be Messages or lists of them (joined with ；or ;), said in the same lang.
    A domain module that describes something (a check, a roll-up row) returns one of these."""

    key: str
    params: dict

    def __new__(cls, key: str, /, **params):
        text = super().__new__(cls, t(key, "en", **params))
        text.key, text.params = key, params
        return text

    def __reduce__(self):  # to worker processes and through dataclasses.asdict
        return _rebuild, (type(self), self.key, self.params)

    def message(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.params)


def said(value, lang: str) -> str:
    """Any text in `lang`: a Message translated, anything else as it is."""
    return value.message(lang) if isinstance(value, Message) else "" if value is None else str(value)


MESSAGES: dict[str, tuple[str, str]] = {
    # --- the village file ---------------------------------------------------------------
    "error": ("出错了：{detail}", "Error: {detail}"),
    "village_is_folder": (
        "{path} 是文件夹，不是村台账文件：请写出其中的村台账文件，如 --db {path}/村名.db。",
        "{path} is a folder, not a village file: name the file in it, e.g. --db {path}/VILLAGE.db.",
    ),
    "no_village": (
        "找不到村台账文件 {path}。先运行 `jifen init --village 村名` 创建，或用 --db / JIFEN_DB 指定文件。",
        "No village file at {path}. Create one with `jifen init --village NAME`, "
        "or point --db / JIFEN_DB at it.",
    ),
    "village_exists": (
        "{path} 已存在，不会覆盖。换一个路径，或删除旧文件后再试。",
        "{path} already exists; it is never overwritten. Choose another path.",
    ),
    "not_a_village": (
        "{path} 不是 jifen 村台账文件（{detail}）。",
        "{path} is not a jifen village file ({detail}).",
    ),
    "village_damaged": (
        "村台账文件 {path} 已损坏（{detail}）。运行 `jifen check` 查看，并用 `jifen restore` 从备份恢复。",
        "The village file {path} is damaged ({detail}). Run `jifen check`, and restore a backup "
        "with `jifen restore`.",
    ),
    "interrupted_write": (
        "{path} 的上一次写入被中断（旁边有 -journal 文件）。这不是损坏，已保存的数据不会丢失。"
        "`jifen check` 只读、不改动文件：运行 `{command}`（或对它运行任意一条 jifen 命令）"
        "即可撤回未完成的写入，然后再检查。",
        "The last write to {path} was interrupted (a -journal file lies beside it). It is not "
        "damage, and nothing committed is lost. `jifen check` only reads and never changes the "
        "file: run `{command}` (or any jifen command on it) to roll the unfinished write back, "
        "then check it again.",
    ),
    "newer_schema": (
        "{path} 由更新版本的 jifen 创建（结构版本 {found}，本程序支持到 {known}）。请升级 jifen。",
        "{path} was written by a newer jifen (schema {found}; this one knows up to {known}). "
        "Upgrade jifen.",
    ),
    "storage_problem": (
        "无法读写 {path}：{detail}。之前已保存的数据没有丢失。",
        "Cannot use {path}: {detail}. Nothing committed before was lost.",
    ),
    "file_busy": (
        "文件被另一个 jifen 命令占用太久，请稍后再试",
        "another jifen command kept the file busy for too long; try again",
    ),
    "at_path": ("文件 {path}：{detail}", "{path}: {detail}"),
    "no_such_folder": ("没有这个文件夹", "no such folder"),
    "no_village_row": ("缺少村信息", "no village row"),
    # Common reasons the system gives (errors.os_reason); other reasons are shown as the system says.
    "os_ENOENT": ("没有这个文件或文件夹", "No such file or directory"),
    "os_EACCES": ("没有权限", "Permission denied"),
    "os_EPERM": ("不允许这样操作", "Operation not permitted"),
    "os_ENOSPC": ("磁盘已满", "No space left on device"),
    "os_EROFS": ("磁盘或U盘是只读的", "Read-only file system"),
    "os_EISDIR": ("这是一个文件夹", "Is a directory"),
    "os_ENOTDIR": ("路径中有一段不是文件夹", "Not a directory"),
    "os_ENAMETOOLONG": ("文件名太长", "File name too long"),
    "os_EEXIST": ("文件已存在", "File exists"),
    "os_EIO": ("读写磁盘出错", "Input/output error"),
    "operator_required": (
        "此命令会写入台账，需要注明操作人：加 --operator 姓名，或设置环境变量 JIFEN_OPERATOR。",
        "This command writes to the ledger and must name who does it: "
        "add --operator NAME or set JIFEN_OPERATOR.",
    ),
    "bad_input": ("{detail}", "{detail}"),
    "duplicate": (
        "{what} {code} 已存在，编号不能重复。",
        "{what} {code} already exists; codes are unique.",
    ),
    "what_household": ("户", "Household"),
    "what_rule": ("评分指标", "Rule"),
    "what_item": ("商品", "Item"),
    "what_reviewer": ("审核人", "Reviewer"),
    "duplicate_reviewer": ("审核人 {code} 已在工作领导小组中。", "Reviewer {code} already exists."),
    "unknown_household": (
        "没有户号为 {code} 的农户。用 `jifen household list` 查看。",
        "No household {code}. See `jifen household list`.",
    ),
    "unknown_household_or_name": (
        "没有户号为 {code} 的农户（也没有户主叫这个名字）。用 `jifen household list --search` 查找。",
        "No household {code} (as a code or a head's name). Look with `jifen household list "
        "--search`.",
    ),
    "unknown_rule": (
        "没有编号为 {code} 的评分指标。用 `jifen rule list` 查看。",
        "No rule {code}. See `jifen rule list`.",
    ),
    "unknown_item": (
        "没有编号为 {code} 的商品。用 `jifen item list` 查看。",
        "No item {code}. See `jifen item list`.",
    ),
    "unknown_claim": (
        "没有编号为 {id} 的记录。用 `jifen review list` 查看。",
        "No claim {id}. See `jifen review list`.",
    ),
    "unknown_posting": (
        "台账中没有序号为 {seq} 的条目。用 `jifen history 户号` 查看。",
        "No posting #{seq} in the ledger. See `jifen history HOUSEHOLD`.",
    ),
    "no_village_store_restock": (
        "本村只通过合作商超兑换（--mode partner），没有自己的积分超市：{code} 不进货。",
        "This village redeems only at partner shops (mode partner): it has no store of its own "
        "to restock {code} for.",
    ),
    "no_partner_shops_add": (
        "本村只有自己的积分超市（--mode store），没有合作商超：不能登记 {shop}。",
        "This village has only its own store (mode store), no partner shops: {shop} cannot be "
        "registered.",
    ),
    "retire_before_activity": (
        "{what} {code} 在 {date} 之后还有台账记录（#{seq}，{later}）：停用日期不能早于它。",
        "{what} {code} has a posting dated after {date} (#{seq}, {later}): it cannot be retired "
        "before it.",
    ),
    "not_reviewer_to_retire": (
        "{name} 不是工作领导小组的审核人，无需停用。用 `jifen reviewer list` 查看。",
        "{name} is not a reviewer of the working group: there is nothing to retire. See `jifen "
        "reviewer list`.",
    ),
    "not_reviewer": (
        "{name} 不是积分超市工作领导小组的审核人。先运行 `jifen reviewer add {name}`。",
        "{name} is not a reviewer of the working group. Add them with `jifen reviewer add {name}`.",
    ),
    "own_claim": (
        "记录 {id} 是 {name} 本人录入的，不能自己审核。请由另一位审核人审核。",
        "Claim {id} was recorded by {name}, who cannot review it. Another reviewer must.",
    ),
    "claim_not_pending": (
        "记录 {id} 已{status}，不能再审核。",
        "Claim {id} is already {status}; only pending claims can be reviewed.",
    ),
    "claim_not_in_month": (
        "记录 {id} 的日期是 {date}，不在 {month}；没有审核任何记录。去掉 --month，或改正记录编号。",
        "Claim {id} is dated {date}, not in {month}; nothing was approved. Leave out --month "
        "or correct the claim ids.",
    ),
    "insufficient_points": (
        "{household} 可用积分 {available}，不够兑换 {needed} 分。",
        "{household} has {available} points available; {needed} are needed.",
    ),
    "insufficient_stock": (
        "商品 {item} 库存 {stock}，不够 {qty} 件。先 `jifen item restock {item} 数量 --cost 金额`。",
        "Item {item} has {stock} in stock; {qty} are needed. Restock with "
        "`jifen item restock {item} QTY --cost YUAN`.",
    ),
    "period_locked": (
        "{date} 在已锁定的期间内：最近公示的季度是 {quarter}，{through} 及以前的日期都已锁定，"
        "不能再记入。更正请用 `jifen reverse`，日期放在 {through} 之后。",
        "{date} lies in the locked period: {quarter}, the latest published quarter, locks every "
        "date up to {through}. Correct a mistake with `jifen reverse`, dated after {through}.",
    ),
    "already_reversed": (
        "条目 #{seq} 已被 #{by} 冲正，不能再次冲正。",
        "Posting #{seq} was already reversed by #{by}; it cannot be reversed twice.",
    ),
    "reverse_before_original": (
        "冲正日期 {date} 早于被冲正的条目 #{seq}（{original}），请用不早于 {original} 的日期",
        "a correction dated {date} cannot come before posting #{seq} ({original}); "
        "date it {original} or later",
    ),
    "no_village_store": (
        "本村只通过合作商超兑换（模式 partner），没有村积分超市：请用 --shop 注明商店",
        "This village redeems only at partner shops (mode partner): name the shop with --shop",
    ),
    "no_partner_shops": (
        "本村只有村积分超市（模式 store），没有合作商超 {shop}：去掉商店，或由县乡调整本村模式",
        "This village has only its own store (mode store), no partner shop {shop}: "
        "leave the shop out",
    ),
    "cannot_reverse_reversal": (
        "条目 #{seq} 本身就是冲正，不能再冲正。如需恢复，请重新录入。",
        "Posting #{seq} is itself a reversal and cannot be reversed; record the event again.",
    ),
    "evidence_problem": ("佐证材料 {file}：{detail}", "Evidence {file}: {detail}"),
    "evidence_missing": ("文件不存在或无法读取", "cannot be read"),
    "evidence_is_folder": ("是文件夹，不是照片或扫描件：请写出其中的文件", "is a folder, not a photo or scan: name the files in it"),
    "evidence_out_is_file": ("是文件，不是文件夹：--out 要写一个文件夹", "is a file, not a folder: --out names a folder"),
    "evidence_too_big": (
        "大小 {size} 超过上限 {limit}，请压缩后再附上",
        "is {size}, over the {limit} limit; shrink it first",
    ),
    "import_rejected": (
        "{count} 行有误，什么都没有写入。改正后重新导入。",
        "{count} invalid row(s); nothing was written. Fix them and import again.",
    ),
    # --- imports (jifen import, jifen demo) ----------------------------------------------------
    "import_no_file": ("找不到导入文件 {file}", "No file to import at {file}"),
    "import_empty": ("{file} 是空文件：第一行应为表头", "{file} is empty: the first row must be a header"),
    "import_unknown_kind": ("导入类型 {kind} 无效，可用：{kinds}", "cannot import {kind}; use one of {kinds}"),
    "import_approve_records_only": (
        "--approve 只用于导入 records（记录）",
        "--approve applies only to importing records",
    ),
    "import_utf16": (
        "文件是 UTF-16 编码，请在 Excel 中另存为“CSV UTF-8”或“CSV（逗号分隔）”",
        "the file is UTF-16; save it from Excel as \"CSV UTF-8\" or \"CSV (comma delimited)\"",
    ),
    "import_bad_bytes": (
        "这一行含有既不是 UTF-8 也不是 GB18030（GBK）的字节，请检查文件编码（可在 Excel 中另存为“CSV UTF-8”）",
        "this row holds bytes that are neither UTF-8 nor GB18030 (GBK) text; check the file's"
        " encoding (Excel can save it as \"CSV UTF-8\")",
    ),
    "import_ole2": (
        "这是旧版 Excel（.xls）文件或加了密码的 Excel 文件：请在 Excel 中去掉密码，另存为 .xlsx 或 CSV 后再导入",
        "this is an old Excel (.xls) workbook or a password-protected Excel file: remove the"
        " password and save it from Excel as .xlsx or CSV, then import that",
    ),
    "import_rounded_number": (
        "单元格 {cell} 是数字 {value}，超过 Excel 能精确保存的 15 位，末几位可能已丢失：请把该列设为“文本”格式后重新输入",
        "cell {cell} holds the number {value}, longer than the 15 digits Excel keeps exactly, so"
        " its last digits may be lost: format the column as Text and type it again",
    ),
    "import_bad_csv": ("CSV 格式错误：{detail}", "not readable as CSV: {detail}"),
    "import_bad_xlsx": (
        "不是可读取的 Excel（.xlsx）文件（{detail}）",
        "not a readable Excel (.xlsx) file ({detail})",
    ),
    "import_unknown_columns": (
        "未知的列：{names}。可用的列：{expected}",
        "unknown column(s): {names}. Columns are: {expected}",
    ),
    "import_repeated_columns": ("列重复：{names}", "column(s) given twice: {names}"),
    "import_missing_columns": ("缺少必需的列：{names}", "missing required column(s): {names}"),
    "import_duplicate_code": (
        "编号 {code} 与第 {row} 行重复",
        "code {code} repeats row {row} of this file",
    ),
    "import_duplicate_ref": (
        "流水号 {ref} 与第 {row} 行重复",
        "ref {ref} repeats row {row} of this file",
    ),
    "import_duplicate_ref_earlier": (
        "流水号 {ref} 在本文件前面已出现过",
        "ref {ref} already appears earlier in this file",
    ),
    "import_extra_cells": (
        "本行有 {count} 个单元格，多于表头的 {width} 列",
        "this row has {count} cells, more than the header's {width} columns",
    ),
    "import_qty_too_big": ("数量 {value} 过大（最多 {most}）", "qty {value} is too large (at most {most})"),
    "import_done": (
        "已导入 {file}（导入 #{id}）：{rows} 行，写入 {written}",
        "Imported {file} (import #{id}): {rows} rows, {written} written",
    ),
    "import_done_skipped": (
        "已导入 {file}（导入 #{id}）：{rows} 行，写入 {written}，跳过已有流水号 {skipped}",
        "Imported {file} (import #{id}): {rows} rows, {written} written, {skipped} skipped "
        "(ref already imported)",
    ),
    "import_dry_run": (
        "试导入 {file}：{rows} 行全部有效，将写入 {written}，跳过 {skipped}。什么都没有写入。",
        "Dry run of {file}: all {rows} rows valid; {written} would be written, {skipped} skipped. "
        "Nothing was written.",
    ),
    "import_already": (
        "{file} 已于 {when} 由 {operator} 导入（导入 #{id}），内容相同，本次未做任何改动。",
        "{file} was already imported on {when} by {operator} (import #{id}); same content, "
        "nothing changed.",
    ),
    "import_count_households": ("  农户 {count} 户", "  households: {count}"),
    "import_count_rules": ("  评分指标 {count} 条", "  rules: {count}"),
    "import_count_items": ("  商品 {count} 种", "  items: {count}"),
    "import_count_restock": ("  期初库存入库 {count} 条", "  opening-stock postings: {count}"),
    "import_count_claims": ("  记录 {count} 条", "  claims: {count}"),
    "import_count_earn": ("  加分入账 {count} 条", "  earn postings: {count}"),
    "import_count_deduct": ("  扣分入账 {count} 条", "  deduct postings: {count}"),
    "import_count_redeem": ("  兑换入账 {count} 条", "  redeem postings: {count}"),
    "import_count_capped": ("  按月上限计入 {count} 条", "  capped at the monthly limit: {count}"),
    "import_count_rejected_at_cap": (
        "  已达月上限而驳回 {count} 条",
        "  rejected, monthly cap already reached: {count}",
    ),
    "import_totals": ("  积分合计 {points:+d}，库存合计 {stock:+d}", "  points {points:+d}, stock {stock:+d}"),
    "import_points": ("  积分合计 {points:+d}", "  points {points:+d}"),
    "import_progress": ("导入中", "Importing"),
    "demo_top": ("可用积分最多的 10 户", "The 10 households with the most points"),
    "demo_done": (
        "示例村已建成：{path}。试试 `jifen --db {path} balance`、`review list --status all`、`verify`。",
        "The sample village is ready: {path}. Try `jifen --db {path} balance`, "
        "`review list --status all`, `verify`.",
    ),
    "publish_refused": ("{detail}", "{detail}"),
    # --- publication (一季度一公示) and the fund ---------------------------------------------
    "publish_already": (
        "{quarter} 已于 {published} 公示，摘要 {digest}。已公示的季度不能重新公示；更正请用 `jifen reverse`，日期放在未公示的期间。",
        "{quarter} was published on {published} with digest {digest}; a published quarter is never "
        "published again. Correct mistakes with `jifen reverse`, dated in an open period.",
    ),
    "publish_before_latest": (
        "{quarter} 在已公示的 {latest} 之前，已随之锁定，不能再公示。",
        "{quarter} comes before {latest}, which is already published, so it is locked too.",
    ),
    "publish_not_over": (
        "{quarter} 到 {last} 才结束，结束后才能公示（公示会锁定整个季度）。",
        "{quarter} runs until {last}; publish it after that (publishing locks the whole quarter).",
    ),
    "publish_earlier": (
        "{earlier} 有台账记录但还没有公示。请先公示 {earlier}：`jifen publish --quarter {earlier}`，再公示 {quarter}。",
        "{earlier} has postings but is not published yet. Publish it first "
        "(`jifen publish --quarter {earlier}`), then {quarter}.",
    ),
    "publish_pending": (
        "{quarter} 还有 {count} 条待审核记录（编号 户号 日期）：\n{claims}\n先用 `jifen review approve` 或 `jifen review reject` 审核，再公示。",
        "{quarter} still has {count} pending claim(s) (id household date):\n{claims}\n"
        "Approve or reject them with `jifen review`, then publish.",
    ),
    "publish_out_is_file": (
        "{out} 是文件，不是文件夹：--out 要写一个新的或空的文件夹。",
        "{out} is a file, not a folder: --out names a new or empty folder.",
    ),
    "publish_out_exists": (
        "{out} 已存在且不是空文件夹（也不是只装着本季度一次未改动的试运行结果），不会覆盖。"
        "换一个 --out，或先移走它。",
        "{out} exists and is not an empty folder (nor one holding only an untouched dry run of "
        "this quarter); it is never overwritten. Choose another --out or move it away.",
    ),
    "published": (
        "已公示 {quarter} 并锁定本季台账（截至第 {head_seq} 条）。\n摘要：{digest}\n"
        "公示期：{first} 至 {last}\n公示文件：{out}\n张贴用公告：{notice}",
        "Published {quarter} and locked it (ledger up to posting #{head_seq}).\n"
        "Digest: {digest}\nObjection period: {first} to {last}\nFiles: {out}\n"
        "Notice for the board: {notice}",
    ),
    "published_dry_run": (
        "预览：已写出 {quarter} 的公示文件，但没有锁定，也没有记录公示。\n摘要：{digest}\n公示文件：{out}\n公告：{notice}",
        "Preview only: wrote the {quarter} disclosure but did not lock or record it.\n"
        "Digest: {digest}\nFiles: {out}\nNotice: {notice}",
    ),
    "amount_not_positive": (
        "{field}应大于 0，收到 {value}", "{field} must be more than 0, got {value}",
    ),
    "settle_too_much": (
        "截至 {date}，本村欠 {shop} ¥{owed}，不能结算 ¥{amount}。",
        "As of {date} the village owes {shop} ¥{owed}; it cannot pay ¥{amount}.",
    ),
    "settle_too_much_later": (
        "截至 {date}，本村欠 {shop} ¥{owed}；但算上之后（到 {later}）已记的结算，这笔最多只能付 ¥{room}，不能结算 ¥{amount}。",
        "As of {date} the village owed {shop} ¥{owed}, but payments up to {later} already cover "
        "all but ¥{room} of it; it cannot pay ¥{amount}.",
    ),
    "fund_granted_ok": (
        "已记入拨付资金 ¥{amount}，台账 #{seq}，资金结余 ¥{balance}",
        "Recorded ¥{amount} of fund received; posting #{seq}; balance ¥{balance}",
    ),
    "settled": (
        "已向 {shop} 结算 ¥{amount}，台账 #{seq}，尚欠 ¥{owed}",
        "Paid {shop} ¥{amount}; posting #{seq}; still owed ¥{owed}",
    ),
    "title_fund": ("积分超市资金", "The fund"),
    "kind_grant": ("拨款", "grant"),
    "kind_restock": ("进货", "restock"),
    "kind_settle": ("结算", "settle"),
    "table_ledger": ("积分台账", "Points ledger"),
    "table_redemptions": ("兑换明细", "Redemptions"),
    "table_categories": ("分类统计", "By category"),
    "table_honour": ("光明榜", "Honour board"),
    "table_fund": ("资金收支", "Fund"),
    "pub_total": ("合计", "total"),
    "pub_household": ("户号", "household"),
    "pub_name": ("户主", "name"),
    "pub_group": ("组别", "group"),
    "pub_opening": ("期初积分", "opening"),
    "pub_earned": ("本季获得", "earned"),
    "pub_deducted": ("本季扣减", "deducted"),
    "pub_redeemed": ("本季兑换", "redeemed"),
    "pub_adjusted": ("本季调整", "adjusted"),
    "pub_closing": ("期末积分", "closing"),
    "pub_entries": ("记录数", "entries"),
    "pub_date": ("日期", "date"),
    "pub_item": ("商品", "item"),
    "pub_qty": ("数量", "qty"),
    "pub_points": ("积分", "points"),
    "pub_value": ("价值(元)", "value"),
    "pub_shop": ("商店", "shop"),
    "pub_note": ("备注", "note"),
    "pub_returned": ("已退回（#{seq}，{date}）", "returned (#{seq}, {date})"),
    "pub_category": ("类别", "category"),
    "pub_cat_earned": ("获得积分", "points earned"),
    "pub_cat_deducted": ("扣减积分", "points deducted"),
    "pub_rank": ("名次", "rank"),
    "pub_net": ("本季净得分", "net"),
    "pub_fund_item": ("项目", "item"),
    "pub_this_quarter": ("本季发生(元)", "this quarter (movement)"),
    "pub_cumulative": ("截至季末(元)", "at the quarter's end"),
    "fund_granted": ("拨付资金", "fund granted"),
    "fund_spent": ("购货支出", "spent on stock"),
    "fund_owed_accrued": ("合作商超兑换货值（扣除退回）", "redeemed at partner shops (net of returns)"),
    "fund_paid": ("已付合作商超", "paid to partner shops"),
    "fund_owed": ("尚欠合作商超", "owed to partner shops"),
    "fund_owed_shop": ("其中欠 {shop}", "of which owed to {shop}"),
    "fund_balance": ("资金结余", "balance"),
    "col_shop": ("商店", "shop"),
    "col_owed": ("尚欠(元)", "owed (¥)"),
    "ledger_damaged": (
        "台账已损坏或被篡改：{detail}",
        "The ledger is damaged or has been tampered with: {detail}",
    ),
    # What `jifen verify` finds (the English text is also the stable `--json` text).
    "verify_missing": ("第 #{seq} 条记录缺失（下一条是 #{next}）",
                       "posting #{seq} is missing (the next one is #{next})"),
    "verify_out_of_order": ("第 #{seq} 条记录顺序错乱", "posting #{seq} is out of order"),
    "verify_hash": (
        "第 #{seq} 条记录与其哈希不符（被修改、插入，或前面有记录被删除）",
        "posting #{seq} does not match its hash (changed, inserted, or an earlier one removed)",
    ),
    "verify_forged_date": (
        "第 #{seq} 条记录日期为 {date}，在已公示的季度内，却是公示之后才加入的",
        "posting #{seq} is dated {date}, inside a published quarter, but was added after its "
        "publication",
    ),
    "verify_head": (
        "台账到 #{seq} 为止，但文件记录的链头是 #{head_seq}：有记录在 jifen 之外被删除或添加",
        "the ledger ends at #{seq} but the file records its head as #{head_seq}: postings were "
        "removed or added behind jifen's back",
    ),
    "verify_balance": (
        "户 {code}：保存的余额 {stored}（可用/荣誉）与其记录（{derived}）不符",
        "household {code}: stored balance {stored} does not match its postings ({derived})",
    ),
    "verify_unknown_household": ("有记录指向户 {code}，但户籍登记中没有该户",
                                 "postings name household {code}, which is not in the register"),
    "verify_stock": (
        "商品 {code}：保存的库存 {stored} 与其记录（{derived}）不符",
        "item {code}: stored stock {stored} does not match its postings ({derived})",
    ),
    "verify_negative_stock": ("商品 {code}：按记录计算库存为负（{derived}）",
                              "item {code}: its postings take the stock below zero ({derived})"),
    "verify_unknown_item": ("有记录变动了商品 {code} 的库存，但商品目录中没有该商品",
                            "postings move stock of item {code}, which is not in the catalogue"),
    "verify_digest": (
        "{quarter} 公示时的摘要为 {digest}…（截至 #{seq}），台账已与之不符",
        "{quarter} was published with digest {digest}… at posting #{seq}; the ledger no longer "
        "matches it",
    ),
    "verify_file_damaged": ("文件已损坏：{detail}", "the file is damaged: {detail}"),
    # --- input checks -----------------------------------------------------------------------
    "bad_date": (
        "日期 {value} 无效，应为 YYYY-MM-DD（如 2024-05-01）",
        "bad date {value}: use YYYY-MM-DD (e.g. 2024-05-01)",
    ),
    "bad_month": ("月份 {value} 无效，应为 YYYY-MM", "bad month {value}: use YYYY-MM"),
    "bad_quarter": (
        "季度 {value} 无效，应为 2024Q2 或 2024-Q2",
        "bad quarter {value}: use 2024Q2 or 2024-Q2",
    ),
    "bad_code": (
        "编号 {value} 无效：只能用字母、数字、- 和 _，不超过 32 个字符",
        "bad code {value}: letters, digits, - and _ only, at most 32 characters",
    ),
    "bad_name": ("{field}不能为空", "{field} cannot be empty"),
    "bad_control": (
        "{field}含有不可见的控制字符，请删去后重新输入",
        "{field} holds invisible control characters; remove them and type it again",
    ),
    "name_lost_characters": (
        "户主 {value} 含有“?”：文件另存为 GBK 的 CSV 时丢失了藏文等字符。请在 Excel 中另存为“CSV UTF-8”后重新导入",
        "name {value} holds '?': characters (Tibetan script) were lost when the file was saved as "
        "GBK CSV. Save it from Excel as \"CSV UTF-8\" and import it again",
    ),
    "bad_int": ("{field}应为整数，收到 {value}", "{field} must be a whole number, got {value}"),
    "bad_positive": ("{field}应为正整数，收到 {value}", "{field} must be a positive whole number, got {value}"),
    "bad_nonnegative": ("{field}不能为负数，收到 {value}", "{field} cannot be negative, got {value}"),
    "bad_too_large": ("{field}数值过大（最多 {limit}），收到 {value}",
                      "{field} is too large (at most {limit}), got {value}"),
    # The inputs a message names by `field` (t() translates field=qty into 数量 / qty).
    "field_household": ("户号", "household"),
    "field_name": ("户主", "name"),
    "field_group": ("组别", "group"),
    "field_members": ("人口", "members"),
    "field_rule": ("指标编号", "rule"),
    "field_category": ("类别", "category"),
    "field_title": ("指标", "title"),
    "field_points": ("分值", "points"),
    "field_cap_month": ("月上限", "cap_month"),
    "field_item": ("商品编号", "item"),
    "field_item_name": ("名称", "name"),
    "field_item_points": ("积分", "points"),
    "field_value": ("价值", "value"),
    "field_stock": ("库存", "stock"),
    "field_cost": ("进货款", "cost"),
    "field_qty": ("数量", "qty"),
    "field_date": ("日期", "date"),
    "field_note": ("备注", "note"),
    "field_reason": ("原因", "reason"),
    "field_shop": ("商店", "shop"),
    "field_amount": ("金额", "amount"),
    "field_year": ("年份", "year"),
    "field_village": ("村名", "village"),
    "field_reviewer": ("审核人", "reviewer"),
    "bad_zero_points": ("分值不能为 0", "points cannot be 0"),
    "bad_yuan": (
        "{field}应以元为单位，最多两位小数，收到 {value}",
        "{field} must be an amount in yuan (at most 2 decimals), got {value}",
    ),
    "bad_class": ("村类别只能是 1、2、3", "village class must be 1, 2 or 3"),
    "bad_mode": ("模式只能是 store、partner、both", "mode must be store, partner or both"),
    "bad_id_number": (
        "身份证号 {value} 无效：应为 18 位（最后一位可为 X）",
        "bad ID number {value}: 18 characters, digits with a final digit or X",
    ),
    "bad_phone": ("电话 {value} 无效", "bad phone number {value}"),
    "future_date": ("日期 {value} 在今天之后（今天是 {today}）：不能记录还没发生的事",
                    "date {value} is in the future (today is {today}): nothing is recorded "
                    "before it happens"),
    "review_needs_ids": (
        "请给出记录编号，或用 --all 审核全部待审记录。",
        "Name the claims to approve, or use --all.",
    ),
    "review_ids_or_all": (
        "请只给出记录编号，或只用 --all，不要同时使用。",
        "Name the claims to approve or use --all, not both.",
    ),
    "cap_reached": (
        "指标 {rule} 每户每月上限 {cap} 分，{household} 在 {month} {taken}",
        "rule {rule} caps at {cap} points a month per household; {household} {taken} in {month}",
    ),
    # --- outputs -----------------------------------------------------------------------------
    "created_village": ("已创建村台账：{village}（{path}）", "Created village file for {village} ({path})"),
    "added_reviewer": ("已添加审核人：{name}", "Added reviewer {name}"),
    "added_household": ("已添加农户 {code} {name}", "Added household {code} {name}"),
    "added_rule": ("已添加评分指标 {code} {title}（{points:+d} 分）", "Added rule {code} {title} ({points:+d} points)"),
    "added_item": ("已添加商品 {code} {name}（{points} 分，¥{value}）", "Added item {code} {name} ({points} points, ¥{value})"),
    "restocked": ("商品 {code} 入库 {qty} 件，库存 {stock}，台账 #{seq}", "Restocked {code} by {qty}; stock {stock}; posting #{seq}"),
    "recorded": ("已录入记录 {id}（待审核）", "Recorded claim {id} (pending review)"),
    "approved": ("已审核通过 {count} 条，记入台账 {points:+d} 分", "Approved {count} claim(s), {points:+d} points posted"),
    "approved_capped": (
        "记录 {id}：{detail}，按上限计入 {points:+d} 分",
        "claim {id}: {detail}; posted {points:+d} up to the cap",
    ),
    "rejected_capped": (
        "记录 {id}：{detail}，已驳回",
        "claim {id}: {detail}; rejected",
    ),
    "rejected": ("已驳回 {count} 条记录", "Rejected {count} claim(s)"),
    "redeemed": (
        "{household} 兑换 {item} ×{qty}，扣 {points} 分，余 {available} 分，台账 #{seq}",
        "{household} redeemed {item} ×{qty} for {points} points; {available} left; posting #{seq}",
    ),
    "reversed": ("已冲正 #{original}，冲正条目 #{seq}", "Reversed #{original} with posting #{seq}"),
    "verify_ok": (
        "台账完好：{postings} 条记录，哈希链、余额、库存、{publications} 次公示的摘要全部一致。链头 {head}",
        "Ledger intact: {postings} postings; chain, balances, stock and {publications} published "
        "digest(s) all match. Head {head}",
    ),
    "own_claims_left": (
        "以下记录是你本人录入的，留给其他审核人：{ids}",
        "Left for another reviewer (you recorded them): {ids}",
    ),
    "nothing_pending": ("没有待审核的记录", "No pending claims"),
    "no_postings": ("{household} 还没有台账记录", "{household} has no postings yet"),
    # --- table headings ----------------------------------------------------------------------
    "col_code": ("户号", "code"),
    "col_name": ("户主", "name"),
    "col_group": ("组别", "group"),
    "col_members": ("人口", "members"),
    "col_id_number": ("身份证号", "ID number"),
    "col_phone": ("电话", "phone"),
    "col_available": ("可用积分", "available"),
    "col_honour": ("荣誉积分", "honour"),
    "col_seq": ("序号", "seq"),
    "col_date": ("日期", "date"),
    "col_kind": ("类型", "kind"),
    "col_points": ("积分", "points"),
    "col_rule_item": ("指标/商品", "rule/item"),
    "col_note": ("备注", "note"),
    "col_rule_code": ("编号", "code"),
    "col_category": ("类别", "category"),
    "col_title": ("指标", "title"),
    "col_cap": ("月上限", "cap/month"),
    "col_item_name": ("名称", "name"),
    "col_value": ("价值(元)", "value (¥)"),
    "col_stock": ("库存", "stock"),
    "col_id": ("编号", "id"),
    "col_household": ("户号", "household"),
    "col_rule": ("指标", "rule"),
    "col_qty": ("数量", "qty"),
    "col_status": ("状态", "status"),
    "col_recorded_by": ("录入人", "recorded by"),
    "col_evidence": ("佐证", "evidence"),
    "kind_earn": ("加分", "earn"),
    "kind_deduct": ("扣分", "deduct"),
    "kind_redeem": ("兑换", "redeem"),
    "kind_reverse": ("冲正", "reverse"),
    "kind_expire": ("清零", "expire"),
    "status_pending": ("待审核", "pending"),
    "status_approved": ("通过", "approved"),
    "status_rejected": ("驳回", "rejected"),
    "title_balances": ("积分余额", "Balances"),
    "title_history": ("{household} {name} 的台账", "Ledger of {household} {name}"),
    "title_claims": ("积分记录", "Claims"),
    "title_households": ("农户名册", "Households"),
    "title_rules": ("评分指标", "Rule book"),
    "title_items": ("商品目录", "Store catalogue"),
    # --- operations: year-end clearing, backups, cards, check (cli/operations.py) ------------
    "expire_done": (
        "{year} 年度清零已经做过，不能重复。个别有误请用 `jifen reverse` 冲正。",
        "The year-end clearing of {year} was already done; it cannot be done twice. "
        "Correct a single household with `jifen reverse`.",
    ),
    "expire_unpublished": (
        "{year} 年的账还没有结清：先公示 {quarter}（`jifen publish --quarter {quarter}`），再做年度清零。",
        "{year} is not closed yet: publish {quarter} first (`jifen publish --quarter {quarter}`), "
        "then clear the year.",
    ),
    "expire_date": (
        "年度清零的日期 {date} 应在 {year} 年之后",
        "the clearing of {year} must be dated after the year, not {date}",
    ),
    "expire_preview": (
        "{year} 年度清零（预览，未写入）：{count} 户，共 {points} 分",
        "Year-end clearing of {year} (preview, nothing written): {count} household(s), "
        "{points} points",
    ),
    "expire_nothing": ("{year} 年没有未用完的积分，无需清零", "Nothing left from {year} to clear"),
    "expired": (
        "{year} 年度清零：{count} 户共 {points} 分，日期 {date}，台账 #{first}–#{last}。荣誉积分不变。",
        "Cleared {year}: {count} household(s), {points} points, dated {date}, postings "
        "#{first}–#{last}. Honour points are unchanged.",
    ),
    "title_expire": ("{year} 年度清零", "Year-end clearing of {year}"),
    "col_expire": ("清零积分", "expires"),
    "backed_up": (
        "已备份 {village} 到 {path}，副本已校验：{postings} 条记录，链头 {head}…",
        "Backed up {village} to {path}; the copy is verified: {postings} postings, head {head}…",
    ),
    "restored": (
        "已从备份恢复 {village} 到 {path}，已校验：{postings} 条记录，链头 {head}…",
        "Restored {village} to {path}, verified: {postings} postings, head {head}…",
    ),
    "card_needs_households": (
        "请给出户号，或用 --all / --group 组别。",
        "Name the households, or use --all or --group G.",
    ),
    "cards_written": ("已生成 {count} 张积分卡：{path}", "Wrote {count} household card(s) to {path}"),
    "card_title": ("积分卡", "Points card"),
    "card_available": ("可用积分", "available"),
    "card_honour": ("荣誉积分", "honour"),
    "card_date": ("日期", "date"),
    "card_kind": ("类型", "kind"),
    "card_what": ("事项", "what"),
    "card_points": ("积分", "points"),
    "card_none": ("暂无记录", "no postings yet"),
    "card_printed": ("打印日期", "printed"),
    "card_digest": ("台账摘要", "ledger digest"),
    "title_check": ("{path} 体检报告", "Health check of {path}"),
    "col_check": ("检查项", "check"),
    "col_detail": ("详情", "detail"),
    "status_ok": ("正常", "ok"),
    "status_warn": ("提醒", "warn"),
    "status_fail": ("损坏", "FAIL"),
    "check_ok": ("文件完好，没有需要跟进的事项。", "The file is sound; nothing to follow up."),
    "check_warn": (
        "文件完好，但有需要跟进的事项（见“提醒”）。",
        "The file is sound, with things to follow up (see warn).",
    ),
    "check_fail": (
        "文件已损坏或被篡改（见“损坏”）。请用备份恢复：`jifen restore 备份文件 --to 新文件`。",
        "The file is damaged or tampered with (see FAIL). Restore a backup with "
        "`jifen restore BACKUP --to NEWFILE`.",
    ),
    # What `jifen check` found, per check (health.py). The English is also the `--json` detail.
    "check_item_file": ("文件", "file"),
    "check_item_integrity": ("完整性", "integrity"),
    "check_item_schema": ("表结构", "schema"),
    "check_item_foreign_keys": ("外键", "foreign_keys"),
    "check_item_chain": ("哈希链", "chain"),
    "check_item_balances": ("积分余额", "balances"),
    "check_item_stock": ("库存", "stock"),
    "check_item_digests": ("公示摘要", "digests"),
    "check_item_claims": ("待审核记录", "claims"),
    "check_item_publication": ("季度公示", "publication"),
    "check_sample": ("{items}", "{items}"),
    "check_sample_more": ("{items}（另有 {more} 项）", "{items} (+{more} more)"),
    "check_not_sqlite": ("不是可读取的 SQLite 数据库：{error}", "not a readable SQLite database: {error}"),
    "check_not_village": ("不是 jifen 村台账文件（application_id 不符）",
                          "not a jifen village file (application_id)"),
    "check_older": ("结构版本 {version}，本程序为 {latest}", "schema {version}; this jifen knows {latest}"),
    "check_file_ok": ("jifen 村台账文件，结构版本 {version}", "jifen village file, schema {version}"),
    "check_unreadable": ("无法读取：{error}", "cannot be read: {error}"),
    "check_detail_ok": ("完好", "ok"),
    "check_schema_other": ("结构版本 {version}，未比对（本程序写的是 {latest}）",
                           "schema {version} is not compared (this jifen writes {latest})"),
    "check_schema_ok": ("{count} 个表、索引和触发器与原样一致",
                        "{count} tables, indexes and triggers as made"),
    "check_schema_changed": ("被修改、添加或删除：{items}", "changed, added or removed: {items}"),
    "check_schema_object": ("{kind} {name}", "{kind} {name}"),
    "sqlite_table": ("表", "table"),
    "sqlite_index": ("索引", "index"),
    "sqlite_trigger": ("触发器", "trigger"),
    "sqlite_view": ("视图", "view"),
    "check_foreign_key": ("{table} 表第 {rowid} 行指向不存在的 {parent}",
                          "{table} row {rowid} names a missing {parent}"),
    "check_chain_ok": ("{postings} 条记录，链头 {head}", "{postings} postings, head {head}"),
    "check_balance": ("{code}：保存的可用/荣誉积分 {stored}，按记录应为 {derived}",
                      "{code}: stored {stored}, postings {derived}"),
    "check_code_value": ("{code}：{value} 分", "{code}: {value}"),
    "check_orphan": ("有记录指向户 {code}，但户籍登记中没有该户",
                     "postings name household {code}, not in the register"),
    "check_negative": ("冲正后低于零：{items}", "below zero after a correction: {items}"),
    "check_balances_ok": ("{count} 户的积分与记录一致", "{count} households match their postings"),
    "check_stock": ("{code}：保存的库存 {stored}，按记录应为 {derived}",
                    "{code}: stored {stored}, postings {derived}"),
    "check_stock_ok": ("{count} 种商品的库存与记录一致", "{count} items match their postings"),
    "check_digest": ("{quarter} 公示时的摘要 {digest}…（截至 #{seq}）与台账不符",
                     "{quarter} published {digest}… at #{seq}"),
    "check_digests_ok": ("{count} 次公示的摘要与台账一致", "{count} publication(s) match the ledger"),
    "check_claims_late": ("{count} 条记录超过 {days} 天未审核，最早的是 {oldest}",
                          "{count} claim(s) unreviewed for over {days} days, oldest {oldest}"),
    "check_claims_ok": ("{count} 条待审核，没有超过 {days} 天的",
                        "{count} pending, none older than {days} days"),
    "check_overdue": ("季度已结束但还没有公示：{quarters}", "finished but not published: {quarters}"),
    "check_publication_ok": ("已公示 {count} 个季度，没有逾期",
                             "{count} quarter(s) published, none overdue"),
    # --- roll-up and the Parquet export (rollup.py, dataset.py) ------------------------------
    "rollup_title": ("{quarter} 积分超市汇总（{count} 个文件）", "Roll-up {quarter} ({count} files)"),
    "rollup_col_village": ("村", "village"),
    "rollup_col_township": ("乡镇", "township"),
    "rollup_col_county": ("县区", "county"),
    "rollup_col_class": ("类别", "class"),
    "rollup_col_mode": ("模式", "mode"),
    "rollup_col_households": ("户数", "households"),
    "rollup_col_participating": ("参与户数", "participating households"),
    "rollup_col_entries": ("记录数(人次)", "entries"),
    "rollup_col_earned": ("获得积分", "earned"),
    "rollup_col_deducted": ("扣减积分", "deducted"),
    "rollup_col_redeemed": ("兑换积分", "redeemed"),
    "rollup_col_redeemed_value": ("兑换物品价值(元)", "value of goods redeemed (yuan)"),
    "rollup_col_fund_granted": ("本季拨付经费(元)", "fund granted (¥)"),
    "rollup_col_objections": ("收到异议", "objections received"),
    "rollup_col_objections_upheld": ("异议成立", "objections upheld"),
    "rollup_col_fund_balance": ("经费余额(元)", "fund balance (¥)"),
    "rollup_col_published": ("本季已公示", "published"),
    "rollup_col_verified": ("校验", "verified"),
    "rollup_col_status": ("状态", "status"),
    "rollup_col_detail": ("说明", "notes"),
    "rollup_col_file": ("文件", "file"),
    "rollup_subtotal": ("小计 {name}", "subtotal {name}"),
    "rollup_total": ("合计（{villages} 个村）", "total ({villages} villages)"),
    "rollup_yes": ("是", "yes"),
    "rollup_no": ("否", "no"),
    "rollup_verified_yes": ("通过", "yes"),
    "rollup_verified_no": ("未校验", "no"),
    "rollup_verified_damaged": ("已损坏", "no"),  # SPEC: verified yes/no; status says why
    "rollup_status_ok": ("正常", "ok"),
    "rollup_status_damaged": ("台账损坏", "damaged"),
    "rollup_status_duplicate": ("重复", "duplicate"),
    "rollup_status_not_village": ("不是村台账", "not a village file"),
    "rollup_status_newer_schema": ("版本过新", "newer schema"),
    "rollup_status_older_schema": ("版本过旧", "older schema"),
    "rollup_status_interrupted": ("写入中断", "interrupted write"),
    "rollup_status_truncated": ("文件不完整", "truncated"),
    "rollup_status_unreadable": ("无法读取", "unreadable"),
    "rollup_status_missing": ("找不到文件", "missing"),
    # What a roll-up row says about its file (rollup.py, dataset.py); English as in --json.
    "rollup_no_such_file": ("找不到该文件", "no such file"),
    "rollup_empty_file": ("空文件", "empty file"),
    "rollup_not_sqlite": ("不是 SQLite 数据库", "not an SQLite database"),
    "rollup_foreign_sqlite": ("是 SQLite 数据库，但不是 jifen 村台账",
                              "an SQLite database, but not a jifen village"),
    "rollup_truncated": ("只有 {size:,} 字节，应有 {full:,} 字节",
                         "the file is cut short: {size:,} of {full:,} bytes"),
    "rollup_interrupted": (
        "上一次写入被中断：对它运行一次任意 jifen 命令，如 `{command}`（会撤回未完成的写入，"
        "已保存的数据不会丢失），然后重新汇总",
        "a write to it was interrupted; run any jifen command on it once, e.g. `{command}` (it "
        "rolls the unfinished write back, losing nothing committed), then roll up again",
    ),
    "rollup_newer": ("由更新版本的 jifen 创建（结构版本 {version}，本程序支持到 {latest}）",
                     "written by a newer jifen (schema {version}; this one knows up to {latest})"),
    "rollup_older": (
        "由旧版本 jifen 创建（结构版本 {version}）：对它运行一次任意 jifen 命令即可升级，然后重新汇总",
        "written by an older jifen (schema {version}); run any jifen command on it once to "
        "upgrade it, then roll up again",
    ),
    "rollup_copy": ("{why}；已计入：{path}", "{why}; counted: {path}"),
    "rollup_copy_damaged": ("同一个村的损坏副本（{detail}）", "a damaged copy of the same village ({detail})"),
    "rollup_copy_identical": ("同一个村的相同副本", "an identical copy of the same village"),
    "rollup_copy_older": (
        "同一个村的旧副本（台账到 #{seq}，计入的那份到 #{kept_seq}）",
        "an older copy of the same village (ledger to #{seq}, the counted one to #{kept_seq})",
    ),
    "rollup_copy_conflicting": (
        "同一个村的冲突副本：记录条数相同但内容不同，需要人工确认哪份是对的",
        "a conflicting copy of the same village: the same length, different postings — a person "
        "must decide which is right",
    ),
    "rollup_same_file": ("与 {path} 是同一个文件", "the same file as {path}"),
    "export_other_copy": ("同一个村的另一份副本；已导出：{path}",
                          "another copy of the same village; exported: {path}"),
    "export_named_twice": ("重复列出（列表第 {n} 项）", "named twice (#{n} on the list)"),
    "rollup_mode_store": ("自营超市", "store"),
    "rollup_mode_partner": ("合作商超", "partner"),
    "rollup_mode_both": ("两者", "both"),
    "rollup_written": ("已写入 {path}：{villages} 个村，{files} 个文件。",
                       "Wrote {path}: {villages} villages from {files} files."),
    "rollup_not_counted": (
        "注意：{count} 个文件未计入合计（见“状态”和“说明”两栏）。",
        "Note: {count} file(s) not counted in the totals (see the status and notes columns).",
    ),
    "rollup_bad_out": ("--out 只能是 .csv 或 .xlsx 文件：{path}", "--out must name a .csv or .xlsx file: {path}"),
    "rollup_nothing": ("在 {paths} 中没有找到村台账文件。", "No village files found in {paths}."),
    "rollup_progress": ("汇总村台账", "Rolling up"),
    "export_progress": ("导出村台账", "Exporting"),
    "export_needs_pyarrow": (
        "导出 Parquet 需要 pyarrow：pip install 'jifen[parquet]'",
        "Writing Parquet needs pyarrow: pip install 'jifen[parquet]'",
    ),
    "export_done": ("已导出 {villages} 个村的 {postings} 条台账记录到 {path}。",
                    "Exported {postings} postings of {villages} villages to {path}."),
    "export_skipped": ("未导出 {path}：{status}（{detail}）", "Not exported {path}: {status} ({detail})"),
    # --- registers that change (registers.py, households/rules/store/shops, changes) -------
    "field_since": ("{field}（{date} 起）", "{field} (from {date})"),
    "field_latest_version": ("最新版本（指标、分值、月上限）", "latest version (title, points, cap)"),
    "change_field": ("{field} {value}", "{field} {value}"),
    "changed_field": ("{field}：{old} → {new}", "{field}: {old} → {new}"),
    "check_registers_ok": ("登记变更 {count} 条，登记表与之一致", "{count} register changes; every register row matches them"),
    "check_item_registers": ("登记记录", "registers"),
    "what_shop": ("合作商超", "Shop"),
    "field_id_number": ("身份证号", "ID number"),
    "field_phone": ("电话", "phone"),
    "field_contact": ("联系方式", "contact"),
    "field_closed": ("销户日期", "closed"),
    "field_merged_into": ("并入", "merged into"),
    "field_retired": ("停用日期", "retired"),
    "field_value_fen": ("价值（分）", "value (fen)"),
    "household_ambiguous": (
        "有 {count} 户的户主叫“{name}”：{households}。请用户号。",
        "{count} households have the head's name {name}: {households}. Use the household code.",
    ),
    "household_match": ("{code} {name}（组别 {group}）", "{code} {name} ({group})"),
    "household_match_closed": ("{code} {name}（{group}，{closed} 已销户）",
                               "{code} {name} ({group}, closed {closed})"),
    "household_closed": (
        "户 {code} 已于 {date} 销户（{reason}），不能再记录、兑换或修改。",
        "Household {code} was closed on {date} ({reason}): it takes no more records, "
        "redemptions or edits.",
    ),
    "household_merged": (
        "户 {code} 已于 {date} 并入 {into}（{reason}），请对 {into} 操作。",
        "Household {code} was merged into {into} on {date} ({reason}): use {into}.",
    ),
    "household_has_pending": (
        "户 {code} 还有 {count} 条待审核记录（{claims}）：请先审核，再销户或合并。",
        "Household {code} has {count} pending claim(s) ({claims}): review them first, then "
        "close or merge it.",
    ),
    "household_posted_after": (
        "户 {code} 在 {date} 之后还有台账记录（#{seq}，{later}）：销户或合并日期不能早于它。",
        "Household {code} has a posting dated after {date} (#{seq}, {later}): it cannot leave "
        "before it.",
    ),
    "merge_same": ("不能把户 {code} 并入它自己。", "Household {code} cannot be merged into itself."),
    "edit_nothing": ("{code} 没有要修改的内容：请给出要改的项（例如 --name）。",
                     "Nothing to change for {code}: give what changes (e.g. --name)."),
    "edit_no_change": ("{code} 已经是这些值，没有修改。", "{code} already has these values: nothing changed."),
    "cannot_reverse_leaving": (
        "#{seq} 是户 {household} 销户或合并的记录，不能冲正。",
        "#{seq} records household {household} leaving (closed or merged): it cannot be reversed.",
    ),
    "household_edited": ("已修改户 {code}：{changes}", "Changed household {code}: {changes}"),
    "household_closed_ok": (
        "户 {code} 已于 {date} 销户：清零 {points} 分（#{seq}）。",
        "Closed household {code} on {date}: {points} points cleared (#{seq}).",
    ),
    "household_merged_ok": (
        "户 {source} 已于 {date} 并入 {target}：可用积分 {points}、荣誉积分 {honour} 转入"
        "（#{out_seq} → #{in_seq}），{source} 已销户。",
        "Merged household {source} into {target} on {date}: {points} available and {honour} "
        "honour points moved (#{out_seq} → #{in_seq}); {source} is closed.",
    ),
    "household_not_closed": ("户 {code} 没有销户，不需要恢复。", "Household {code} is not closed: nothing to reopen."),
    "reopen_before_closing": (
        "户 {code} 于 {closed} 销户，恢复日期 {date} 不能早于它。",
        "Household {code} was closed on {closed}: it cannot be reopened on {date}, before that.",
    ),
    "reopen_spent": (
        "户 {code} 并入 {into} 的 {points} 分，{into} 现只有 {available} 分可用：无法全部移回。",
        "{into} got {points} points from {code} but has only {available} available now: they "
        "cannot all be moved back.",
    ),
    "household_reopened": (
        "户 {code} 已于 {date} 恢复：{points} 分退回（{seqs}）。",
        "Reopened household {code} on {date}: {points} points back ({seqs}).",
    ),
    "household_reopened_merge": (
        "户 {code} 已于 {date} 从 {into} 移回：可用积分 {points}、荣誉积分 {honour}（{seqs}）。",
        "Reopened household {code} on {date}, moved back from {into}: {points} available and "
        "{honour} honour points ({seqs}).",
    ),
    "change_reopen": ("恢复", "reopened"),
    "merged_label": ("已并入 {into}", "merged into {into}"),
    "no_households_found": ("没有找到相符的农户。", "No household matches."),
    "closed_label": ("已销户", "closed"),
    "retired_label": ("已停用", "retired"),
    "title_household_changes": ("{code} 的登记变更", "Changes to {code}"),
    "title_changes": ("登记变更记录", "Register changes"),
    "no_changes": ("没有登记变更。", "No register changes."),
    "col_when": ("时间", "when"),
    "col_by": ("操作人", "by"),
    "col_what": ("对象", "what"),
    "col_action": ("变更", "change"),
    "col_old": ("原值", "old"),
    "col_new": ("新值", "new"),
    "col_effective": ("生效", "from"),
    "col_reason": ("原因", "reason"),
    "col_from": ("起用", "from"),
    "col_retired": ("停用", "retired"),
    "col_contact": ("联系方式", "contact"),
    "col_paid": ("已付", "paid"),
    "col_credit": ("应退", "credit"),
    "title_shops": ("合作商超", "Partner shops"),
    "change_add": ("登记", "added"),
    "change_edit": ("修改", "edited"),
    "change_close": ("销户", "closed"),
    "change_merge": ("合并", "merged"),
    "change_version": ("新版本", "new version"),
    "change_retire": ("停用", "retired"),
    "rule_retired": (
        "指标 {code} 已于 {retired} 起停用：{date} 的记录不能再用它。",
        "Rule {code} is retired from {retired}: it takes no claims dated {date}.",
    ),
    "rule_retired_already": ("指标 {code} 已于 {retired} 起停用。", "Rule {code} is retired from {retired}."),
    "rule_posted_from": (
        "指标 {code} 在 {date} 及以后已有入账记录（#{seq}，{posted}），它们按原版本计分："
        "请选更晚的日期，或先冲正这些记录。",
        "Rule {code} already has postings dated {date} or later (#{seq}, {posted}), posted "
        "under the version before: choose a later date, or reverse them first.",
    ),
    "rule_version_exists": ("指标 {code} 已有从 {date} 起的版本。", "Rule {code} already has a version from {date}."),
    "rule_retire_pending": (
        "指标 {code} 还有 {count} 条 {date} 及以后的待审核记录（{claims}）：请先审核，再停用。",
        "Rule {code} has {count} pending claim(s) dated {date} or later ({claims}): review "
        "them first, then retire it.",
    ),
    "rule_edited": (
        "指标 {code} 从 {date} 起：{title}，{points} 分，月上限 {cap}。",
        "Rule {code} from {date}: {title}, {points} points, monthly cap {cap}.",
    ),
    "rule_retired_ok": ("指标 {code} 从 {date} 起停用。", "Rule {code} is retired from {date}."),
    "item_retired": (
        "商品 {code} {name} 已于 {date} 停用：不能再兑换或进货。",
        "Item {code} {name} was retired on {date}: no more redemptions or restocking.",
    ),
    "item_edited": ("已修改商品 {code}：{changes}（此后生效，以往兑换不变）",
                    "Changed item {code}: {changes} (from now on; past redemptions keep theirs)"),
    "item_retired_ok": ("商品 {code} {name} 已停用（库存 {stock} 仍计入核对）。",
                        "Retired item {code} {name} (its stock of {stock} is still counted)."),
    "reviewer_retired": (
        "{name} 已于 {date} 离开工作领导小组，不能再审核。",
        "{name} left the working group on {date} and can no longer review.",
    ),
    "reviewer_retired_ok": ("{name} 已离开工作领导小组；其以往审核记录不变。",
                            "{name} has left the working group; their past reviews stay theirs."),
    "unknown_shop": (
        "没有登记的合作商超“{name}”。相近的有：{close}。（新商店请先 jifen shop add）",
        "No registered partner shop {name}. Closest: {close}. (Register a new one with "
        "jifen shop add.)",
    ),
    "unknown_shop_far": (
        "没有登记的合作商超“{name}”。已登记：{known}。（新商店请先 jifen shop add）",
        "No registered partner shop {name}. Registered: {known}. (Register a new one with "
        "jifen shop add.)",
    ),
    "unknown_shop_none": (
        "没有登记的合作商超“{name}”：本村还没有登记合作商超，请先 jifen shop add。",
        "No registered partner shop {name}: register it first with jifen shop add.",
    ),
    "duplicate_shop": ("合作商超 {code} 已登记。", "Shop {code} is already registered."),
    "shop_added": ("已登记合作商超 {name}", "Registered partner shop {name}"),
    "kind_close": ("销户清零", "close"),
    "kind_merge": ("合并转移", "merge"),
    "registers_missing": ("登记变更 #{seq} 缺失", "register change #{seq} is missing"),
    "registers_hash": (
        "登记变更 #{seq} 与哈希链不符（在 jifen 之外被改动）",
        "register change #{seq} does not match the chain (changed outside jifen)",
    ),
    "registers_unreadable": ("登记变更 #{seq} 无法读取", "register change #{seq} cannot be read"),
    "registers_head": (
        "登记变更记录到 #{seq}，但村台账记录的是 #{head_seq}",
        "the register history ends at #{seq} but the village file says #{head_seq}",
    ),
    "registers_row_added": (
        "{register} {code} 不在登记变更记录中（在 jifen 之外添加）",
        "{register} {code} is not in the register history (added outside jifen)",
    ),
    "registers_row_removed": (
        "{register} {code} 在登记变更记录中，但登记表中没有（在 jifen 之外删除）",
        "{register} {code} is in the register history but not in the register (removed "
        "outside jifen)",
    ),
    "registers_row_changed": (
        "{register} {code} 的{field}是“{stored}”，但登记变更记录是“{history}”（在 jifen 之外被改动）",
        "{register} {code}: {field} is “{stored}” but its history says “{history}” (changed "
        "outside jifen)",
    ),
    "registers_pin": (
        "{quarter} 公示时的登记记录（到变更 #{seq}）已被改写",
        "the registers as published for {quarter} (to change #{seq}) have been rewritten",
    ),
    # --- the 公示 loop: public language, written again, posted copies, objections ----------
    "check_item_objections": ("异议", "objections"),
    "check_objections_ok": ("没有过了公示期仍未处理的异议（待处理 {count} 件）",
                            "no objection open past its period ({count} open)"),
    "check_objections_overdue": ("{count} 件异议已过公示期仍未处理：{items}",
                                 "{count} objection(s) still open past their period: {items}"),
    "check_objection": ("#{id}（{quarter}，公示期至 {end}）", "#{id} ({quarter}, period ended {end})"),
    "xlsx_disclosure_title": ("{village} {quarter} 积分公示", "{village} {quarter} points disclosure"),
    "bad_public_lang": ("公示语言只能是 zh 或 en：{value}", "The public language is zh or en: {value}"),
    "table_objections": ("异议处理", "Objections"),
    "pub_objection": ("编号", "no."),
    "pub_quarter": ("公示季度", "quarter"),
    "pub_objection_text": ("异议内容", "objection"),
    "pub_outcome": ("处理结果", "outcome"),
    "pub_outcome_reason": ("处理意见", "answer"),
    "pub_reversals": ("冲正记录", "reversals"),
    "objection_open": ("待处理", "open"),
    "objection_upheld": ("异议成立", "upheld"),
    "objection_dismissed": ("异议不成立", "dismissed"),
    "objection_late_mark": ("（逾期）", "(late)"),
    "objection_added": ("已记录对 {quarter} 公示的异议 #{id}。", "Recorded objection #{id} to the {quarter} disclosure."),
    "objection_late": (
        "已记录对 {quarter} 公示的异议 #{id}（公示期已过，记为逾期）。",
        "Recorded objection #{id} to the {quarter} disclosure (after its objection period: "
        "marked late).",
    ),
    "objection_resolved_upheld": ("异议 #{id} 成立，已处理。", "Objection #{id} upheld."),
    "objection_resolved_dismissed": ("异议 #{id} 不成立，已答复。", "Objection #{id} dismissed."),
    "objection_upheld_or_dismissed": ("请选择 --upheld 或 --dismissed 之一", "give one of --upheld or --dismissed"),
    "objection_unpublished": (
        "{quarter} 还没有公示，不能对它提异议。", "{quarter} is not published: there is nothing to object to.",
    ),
    "objection_before": (
        "{quarter} 于 {first} 公示，异议日期 {date} 不能早于公示日期。",
        "{quarter} was published on {first}: an objection cannot be dated {date}, before it.",
    ),
    "objection_reverse_dismissed": (
        "只有成立的异议（--upheld）才能冲正台账记录。",
        "Only an upheld objection (--upheld) reverses postings.",
    ),
    "objection_resolved": ("异议 #{id} 已处理（{status}），不能再改。", "Objection #{id} is already {status}."),
    "unknown_objection": ("没有编号为 {id} 的异议。见 `jifen objection list`。", "No objection {id}. See `jifen objection list`."),
    "no_objections": ("没有异议。", "No objections."),
    "title_objections": ("异议", "Objections"),
    "col_quarter": ("季度", "quarter"),
    "col_text": ("内容", "text"),
    "published_again": (
        "{quarter} 已于 {published} 公示（摘要 {digest}），这里按原样重新写出，一字节不差；"
        "不是第二次公示。\n公示文件：{out}\n张贴用公告：{notice}",
        "{quarter} was published on {published} (digest {digest}); its files are written "
        "again, byte for byte — not a second publication.\nFiles: {out}\nNotice: {notice}",
    ),
    "objection_misreported": (
        "异议 #{id} 记为已在 {reported} 公示，应为 {due}（在 jifen 之外被改动）",
        "objection #{id} is marked reported in {reported} but belongs to {due} (changed outside "
        "jifen)",
    ),
    "objection_other_household": (
        "异议 #{id} 针对户 {household}，但台账记录 #{seq} 属于 {other}：只能冲正该户的记录。",
        "Objection #{id} concerns household {household}, but posting #{seq} is {other}'s: only "
        "that household's postings are reversed by it.",
    ),
    "publication_files_differ": (
        "{quarter} 公示时保存的文件 {name} 与公示清单不符（在 jifen 之外被改动）",
        "the {name} kept for {quarter} no longer matches its manifest (changed outside jifen)",
    ),
    "publication_manifest_digest": (
        "{quarter} 的公示清单与公示记录的摘要不符（在 jifen 之外被改动）",
        "the manifest recorded for {quarter} does not carry its publication's digest (changed "
        "outside jifen)",
    ),
    "published_again_ignored": (
        "（{options} 对已公示的季度不起作用：公示期和文件都按公示时的原样。）",
        "({options}: not for a quarter already published; its period and files stand as "
        "published.)",
    ),
    "published_again_kept": (
        "（本版本 jifen 生成的文件与公示时不同，写出的是公示时保存在村台账里的原件。）",
        "(This jifen draws the files differently from the one that published them: the copies "
        "kept in the village file at publication were written.)",
    ),
    "publish_again_impossible": (
        "{quarter} 是由旧版本 jifen 于 {published} 公示的，当时没有保存文件原件，本版本生成的 {files} "
        "与公示时不同，无法一字节不差地重写。可用 `jifen verify --disclosure 文件夹` 核对张贴的副本。",
        "{quarter} was published on {published} by an earlier jifen that did not keep its files, "
        "and this one draws {files} differently: they cannot be written again byte for byte. "
        "`jifen verify --disclosure FOLDER` still checks a posted copy.",
    ),
    "objection_days": ("公示期天数应在 1 到 366 之间：{value}", "The objection period is 1 to 366 days: {value}"),
    "disclosure_unpublished": ("{quarter} 没有公示记录。", "{quarter} has not been published."),
    "disclosure_manifest_unreadable": ("{quarter} 的公示清单无法读取", "the manifest recorded for {quarter} cannot be read"),
    "disclosure_which_quarter": (
        "看不出 {folder} 是哪个季度的公示：请用 --quarter 指明。",
        "Cannot tell which quarter {folder} holds: name it with --quarter.",
    ),
    "disclosure_no_folder": ("{folder} 不是文件夹。", "{folder} is not a folder."),
    "disclosure_no_such_folder": ("找不到文件夹 {folder}。", "There is no folder {folder}."),
    "disclosure_matches": (
        "{folder} 与 {published} 公示的 {quarter} 完全一致：{files} 个文件，一字节不差（摘要 {digest}）。",
        "{folder} is the {quarter} disclosure published on {published}: all {files} files, "
        "byte for byte (digest {digest}).",
    ),
    "disclosure_missing": ("缺少文件：{name}", "missing: {name}"),
    "disclosure_extra": ("多出文件：{name}", "not part of the disclosure: {name}"),
    "disclosure_changed": ("文件被改动：{name}", "changed: {name}"),
    "disclosure_differs": (
        "{folder} 与 {published} 公示的 {quarter} 不一致（{count} 处，见上）。",
        "{folder} differs from the {quarter} disclosure published on {published} ({count} "
        "difference(s), listed above).",
    ),
    # --- issue 9: money per shop, points bound, ID numbers, order and names, the roll-up -----
    "claim_points_too_many": (
        "{household} 按指标 {rule}（{points:+d} 分）记 {qty} 次，共 {total:+,d} 分，超过一条记录的上限 ±{limit:,} 分。请核对数量。",
        "{household}: {qty} × rule {rule} ({points:+d} points) makes {total:+,d} points, more than "
        "one claim may carry (±{limit:,}). Check the quantity.",
    ),
    "claim_points_too_many_pending": (
        "记录 {id}：{household} 按指标 {rule}（{points:+d} 分）记 {qty} 次，共 {total:+,d} 分，超过一条记录的上限 ±{limit:,} 分，不能入账。请用 `jifen review reject {id} --reason …` 驳回它。",
        "claim {id}: {household}, {qty} × rule {rule} ({points:+d} points) makes {total:+,d} "
        "points, more than one claim may carry (±{limit:,}); it cannot be posted. Reject it "
        "with `jifen review reject {id} --reason …`.",
    ),
    "cap_taken_earned": ("已得 {used} 分", "has {used}"),
    "cap_taken_deducted": ("已扣 {used} 分", "has had {used} deducted"),
    "bad_yuan_too_large": (
        "{field}金额过大（最多 ¥{limit}），收到 {value}",
        "{field} is too large (at most ¥{limit}), got {value}",
    ),
    "bad_yuan_negative": ("{field}不能为负数，收到 {value}", "{field} cannot be negative, got {value}"),
    "settle_negative": (
        "结算金额不能为负数（收到 {value}）。{shop} 退还给本村的钱请用 `jifen settle {shop} --refund 金额` 记录。",
        "A payment cannot be negative (got {value}). Record money {shop} pays back with "
        "`jifen settle {shop} --refund YUAN`.",
    ),
    "settle_needs_amount": (
        "请用 --amount 金额（付给商店）或 --refund 金额（商店退还）。",
        "Give --amount YUAN (paid to the shop) or --refund YUAN (paid back by it).",
    ),
    "settle_amount_or_refund": (
        "--amount 和 --refund 只能用一个：付款与退款分开记录。",
        "Use --amount or --refund, not both: a payment and a refund are recorded apart.",
    ),
    "field_refund": ("退款金额", "refund"),
    "settle_shop_in_credit": (
        "截至 {date}，本村欠 {shop} ¥0.00，反而是 {shop} 应退还本村 ¥{credit}，不能结算 ¥{amount}。{shop} 退还的钱请用 `jifen settle {shop} --refund 金额` 记录。",
        "As of {date} the village owes {shop} ¥0.00, and {shop} owes ¥{credit} back; it cannot "
        "pay ¥{amount}. Record money {shop} pays back with `jifen settle {shop} --refund YUAN`.",
    ),
    "refund_too_much": (
        "截至 {date}，{shop} 应退还本村 ¥{credit}，不能记退款 ¥{amount}。",
        "As of {date} {shop} owes the village ¥{credit} back; it cannot refund ¥{amount}.",
    ),
    "refund_too_much_later": (
        "截至 {date}，{shop} 应退还本村 ¥{credit}；但算上之后（到 {later}）已记的退款，这笔最多只能记 ¥{room}，不能记退款 ¥{amount}。",
        "As of {date} {shop} owed the village ¥{credit} back, but refunds up to {later} already "
        "cover all but ¥{room} of it; it cannot refund ¥{amount}.",
    ),
    "refunded": (
        "已记 {shop} 退款 ¥{amount}，台账 #{seq}，仍应退还 ¥{credit}",
        "{shop} paid back ¥{amount}; posting #{seq}; still owes back ¥{credit}",
    ),
    "fund_refunded": ("合作商超退款", "refunded by partner shops"),
    "fund_credit": ("合作商超应退还", "owed back by partner shops"),
    "fund_credit_shop": ("其中 {shop} 应退还", "of which owed back by {shop}"),
    "fund_what_restock": ("进货 {code} {qty} 件", "Restocking {qty} of {code}"),
    "fund_what_reverse": ("冲正 #{seq}", "Reversing #{seq}"),
    "fund_too_little": (
        "{what}需要 ¥{amount}，但 {date} 的资金结余只有 ¥{balance}，不能让结余低于零。资金到账请先记 `jifen fund grant 金额 --date 日期`。",
        "{what} takes ¥{amount} out of the fund, but its balance on {date} is ¥{balance}; the "
        "fund never goes below zero. Record money received first: `jifen fund grant YUAN "
        "--date D`.",
    ),
    "fund_too_little_later": (
        "{what}需要 ¥{amount}；{date} 的资金结余为 ¥{balance}，但算上之后已记的支出，{later} 的结余只有 ¥{lowest}，不能让结余低于零。",
        "{what} takes ¥{amount} out of the fund; its balance on {date} is ¥{balance}, but after "
        "what was spent later it is ¥{lowest} on {later}; the fund never goes below zero.",
    ),
    "bad_id_check_digit": (
        "身份证号 {value} 的校验位不对（GB 11643）：多半有一位输错了，请对照证件重新输入",
        "ID number {value} fails its check digit (GB 11643): a digit is probably mistyped; "
        "copy it from the card again",
    ),
    "bad_id_birth_date": (
        "身份证号 {value} 中的出生日期 {born} 无效（应为 1900 年以后、今天以前的真实日期）",
        "ID number {value} holds the birth date {born}, which is not a real date between 1900 "
        "and today",
    ),
    "id_number_taken": (
        "身份证号 {id_number} 已登记在 {code} {name} 名下：一个身份证号只能属于一户",
        "ID number {id_number} is already registered to {code} {name}: an ID number belongs "
        "to one household only",
    ),
    "import_duplicate_id_number": (
        "身份证号与第 {row} 行相同：一个身份证号只能属于一户",
        "the same ID number as row {row}: an ID number belongs to one household only",
    ),
    "rollup_col_returned": ("退回积分", "returned"),
    "rollup_col_returned_value": ("退回物品价值(元)", "value of goods returned (yuan)"),
    "rollup_col_village_id": ("村编号", "village id"),
    "rollup_screen_village": ("村", "village"),
    "rollup_screen_households": ("户数", "households"),
    "rollup_screen_entries": ("人次", "entries"),
    "rollup_screen_earned": ("获得", "earned"),
    "rollup_screen_deducted": ("扣减", "deducted"),
    "rollup_screen_redeemed": ("兑换", "redeemed"),
    "rollup_screen_redeemed_value": ("货值(元)", "goods ¥"),
    "rollup_screen_unpublished": ("{status}，未公示", "{status}, not published"),
    "rollup_screen_status": ("状态", "status"),
    "xlsx_page": ("第 {page} 页，共 {pages} 页", "page {page} of {pages}"),
    # --- imports, more (issue 9: four eyes, repeats, encodings, titles, --errors) ---------------
    "field_recorded_by": ("记录人", "recorded_by"),
    "name_question_mark": (
        "户主 {value} 含有“?”：名字里不能有问号。如果“?”代替的是终端打不出的字（如藏文），请在能输入这些字的窗口里重新输入",
        "name {value} holds '?': a name cannot hold a question mark. If it stands for letters "
        "your terminal cannot type (Tibetan script), type the name where they can be entered",
    ),
    "import_is_folder": (
        "{file} 是文件夹，不是文件：请给出要导入的 CSV 或 XLSX 文件",
        "{file} is a folder, not a file: name the CSV or XLSX file to import",
    ),
    "import_not_a_workbook": (
        "{file} 名为 Excel 文件，但不是 Excel 工作簿（可能是改了扩展名，或是网页、文本导出的）：请在 Excel 中打开，另存为 .xlsx 或 CSV 后再导入",
        "{file} is named as an Excel file but is not an Excel workbook (renamed, or an export "
        "in another format): open it in Excel, save it as .xlsx or CSV, and import that",
    ),
    "import_unclosed_quote": (
        "这一行的引号（\"）没有配对：从这里起到文件末尾都会被当成一个单元格。请补上或删去这个引号",
        "a quote (\") opened in this row is never closed: everything from here to the end of "
        "the file would be one cell. Close or remove it",
    ),
    "import_text_after_quote": (
        "这一行有用引号（\"）括起的单元格，但引号后面还有文字（可能是上面某行的引号没有配对）：请检查这一行的引号",
        "a quoted cell in this row has text after its closing quote (\"), or a quote opened "
        "here runs on into later rows: check the quotes of this row",
    ),
    "import_huge_cell": (
        "这一行有一个单元格超过 {limit:,} 个字符：多半是这一行的引号（\"）没有配对，后面的行都被并进了这个单元格。请检查这一行的引号",
        "a cell in this row is longer than {limit:,} characters: most likely a quote (\") "
        "opened here is never closed and the rows below ran into it. Check the quotes of this row",
    ),
    "import_utf8_row_in_gbk": (
        "这一行是 UTF-8 编码（内容应为“{text}”），而文件其余部分是 GBK：按 GBK 读会变成乱码。请重新输入这一行，或从原文件重新复制，使整个文件只用一种编码",
        "this row is saved as UTF-8 (it reads \"{text}\") while the rest of the file is GBK, "
        "as which it reads as mojibake: type the row again, or copy it again from its source, so "
        "that the whole file has one encoding",
    ),
    "import_gbk_row_in_utf8": (
        "这一行是 GBK 编码（内容应为“{text}”），而文件其余部分是 UTF-8：请重新输入这一行，或从原文件重新复制，使整个文件只用一种编码",
        "this row is saved as GBK (it reads \"{text}\") while the rest of the file is UTF-8: "
        "type the row again, or copy it again from its source, so that the whole file has one "
        "encoding",
    ),
    "import_recorded_by_records_only": (
        "--recorded-by 只用于导入 records（记录）",
        "--recorded-by applies only to importing records",
    ),
    "import_recorded_by_is_operator": (
        "--recorded-by {name} 就是本次审核人：自己记录的不能自己审核（四眼原则）。请由另一位审核人用 --approve 导入，或不加 --approve 导入，留待审核",
        "--recorded-by {name} is the operator: nobody approves what they recorded (four eyes). "
        "Have another reviewer import it with --approve, or import it without --approve for "
        "review",
    ),
    "import_no_recorder": (
        "用 --approve 导入记录时必须写明记录人（审核人不能是记录人）：在文件中加一列“记录人”（或 recorded_by），或用 --recorded-by 姓名 指明整个文件的记录人",
        "records imported with --approve must name who recorded them (the reviewer is never the "
        "recorder): add a column 记录人 (or recorded_by), or name the recorder of the whole file "
        "with --recorded-by NAME",
    ),
    "import_no_recorder_row": (
        "这一行没有填记录人：用 --approve 导入时每一行都要有记录人（或用 --recorded-by 姓名 指明）",
        "this row names no recorder: with --approve every row needs one (or give --recorded-by "
        "NAME)",
    ),
    "import_own_record": (
        "这一行的记录人是 {name}，也就是本次审核人：自己记录的不能自己审核（四眼原则）。请由另一位审核人导入，或不加 --approve 导入，留待审核",
        "this row was recorded by {name}, who is approving it: nobody approves what they "
        "recorded (four eyes). Have another reviewer import it, or import it without --approve "
        "for review",
    ),
    "import_repeat": (
        "与导入 #{id}（{file}，{date} 导入）第 {row} 行完全相同（户号、指标或商品、日期、数量、备注或商店都一样）：已导入过的行请从文件中删去；如确是又一件相同的事，加 --allow-repeats 导入",
        "repeats row {row} of import #{id} ({file}, imported {date}): same household, rule or "
        "item, date, qty and note or shop. Remove the rows already imported; if they are new events "
        "that look the same, import with --allow-repeats",
    ),
    "import_more_problems": (
        "……另有 {count:,} 行有误未显示；加 --errors 文件名 可把全部写入文件",
        "… and {count:,} more; write them all to a file with --errors FILE",
    ),
    "import_more_problems_in": (
        "……另有 {count:,} 行有误未显示；全部见 {file}",
        "… and {count:,} more; all of them in {file}",
    ),
    # The notice on paper (render/html.py): the margins of every page, what the 光明榜 ranks.
    "notice_page_title": ("{village} {quarter}积分公示", "{village} {quarter} points notice"),
    "notice_page": ("第 {page} 页，共 {pages} 页", "page {page} of {pages}"),
    "notice_honour_title": ("光明榜（按本季获得减扣减的净得分排名）",
                            "Honour board (ranked by points earned minus deducted this quarter)"),
    "notice_honour_explain": (
        "净得分为本季获得积分减去本季扣减积分，与兑换无关，被更正的记录不计；只列净得分为正的农户，"
        "取前 {top} 名；同分时本季扣减次数少者在前，再按户号。",
        "Net points are the points earned minus the points deducted in the quarter (corrected "
        "entries not counted), whatever was redeemed; only households with positive net points, "
        "the top {top}; ties go to fewer deductions in the quarter, then by household code.",
    ),
    # --- the reviewer's desk and the evidence archive (review list/show, evidence, event,
    # --- check's evidence; claims.py, evidence.py, events.py) ----------------------------------
    "evidence_damaged": (
        "记录 {claim} 的佐证材料 {file} 与其 SHA-256 不符（在 jifen 之外被改动），什么都没有写入。"
        "请用备份恢复：`jifen restore 备份文件 --to 新文件`。",
        "Evidence {file} of claim {claim} no longer matches its SHA-256 (changed outside "
        "jifen); nothing was written. Restore a backup with `jifen restore BACKUP --to NEWFILE`.",
    ),
    "evidence_claim_decided": (
        "记录 {id} 已{status}，不能再添加佐证材料：只有待审核的记录可以添加。",
        "Claim {id} is already {status}: evidence can be added only to a pending claim.",
    ),
    "evidence_exists": (
        "已存在，不会覆盖，什么都没有写入。换一个 --out 文件夹，或先移走它。",
        "already exists and is never overwritten; nothing was written. Choose another --out "
        "folder or move it away.",
    ),
    "evidence_out_exists": (
        "{out} 已存在且不是空文件夹，不会覆盖。换一个 --out，或先移走它。",
        "{out} exists and is not an empty folder; it is never overwritten. Choose another "
        "--out or move it away.",
    ),
    "evidence_added": ("已为记录 {id} 添加 {count} 个佐证材料", "Added {count} evidence file(s) to claim {id}"),
    "evidence_none": ("记录 {id} 没有佐证材料", "Claim {id} has no evidence"),
    "evidence_written": ("已写入 {path}（{size}）", "wrote {path} ({size})"),
    "evidence_got": (
        "记录 {id} 的 {count} 个佐证材料已写入 {out}，均与 SHA-256 核对无误",
        "Wrote {count} evidence file(s) of claim {id} into {out}, each checked against its "
        "SHA-256",
    ),
    "evidence_export_progress": ("导出佐证材料", "Exporting evidence"),
    "evidence_exported": (
        "{quarter} 佐证材料归档已写入 {out}：{households} 户 {claims} 条记录的 {files} 个文件，"
        "共 {size}（{stored} 个不同文件），均与 SHA-256 核对无误；目录见 index.csv",
        "Wrote the {quarter} evidence archive to {out}: {files} file(s) of {claims} claim(s) "
        "of {households} household(s), {size} ({stored} distinct), each checked against its "
        "SHA-256; see index.csv",
    ),
    "points_why": ("{points} 分 × {qty} = {total:+d}", "{points} × {qty} = {total:+d}"),
    "points_why_capped": (
        "{points} 分 × {qty} = {total:+d}；指标 {rule} 每户每月上限 {cap} 分，{household} 在 "
        "{month} 已有 {used} 分：按上限计入 {posted:+d}",
        "{points} × {qty} = {total:+d}; rule {rule} caps at {cap} a month per household and "
        "{household} has {used} in {month}: {posted:+d} up to the cap",
    ),
    "points_why_cap_full": (
        "{points} 分 × {qty} = {total:+d}；指标 {rule} 每户每月上限 {cap} 分，{household} 在 "
        "{month} 已有 {used} 分：已达上限，审核时将被驳回",
        "{points} × {qty} = {total:+d}; rule {rule} caps at {cap} a month per household and "
        "{household} has {used} in {month}: the cap is reached, approval rejects it",
    ),
    "points_why_posted": ("已记入台账 #{seq}：{posted:+d}", "posted as #{seq}: {posted:+d}"),
    "points_why_rejected": ("已驳回：{reason}", "rejected: {reason}"),
    "review_capped_footnote": (
        "* 按月上限计分，详见 `jifen review show 编号`",
        "* the monthly cap decides these points; see `jifen review show ID`",
    ),
    "col_files": ("佐证", "files"),
    "col_recorder": ("录入人", "recorder"),
    "show_col_field": ("项目", "field"),
    "show_col_value": ("内容", "value"),
    "col_file": ("文件", "file"),
    "col_size": ("大小", "size"),
    "title_claim": ("记录 {id}", "Claim {id}"),
    "title_claim_evidence": ("佐证材料（{count} 个，共 {size}）", "Evidence ({count} file(s), {size})"),
    "show_household": ("户", "household"),
    "show_household_value": ("{code} {name}（组别 {group}）", "{code} {name} (group {group})"),
    "show_rule": ("指标", "rule"),
    "show_rule_value": (
        "{rule} {title}（{category}，每次 {points} 分，月上限 {cap}）",
        "{rule} {title} ({category}, {points} points a unit, monthly cap {cap})",
    ),
    "show_qty": ("数量", "qty"),
    "show_date": ("日期", "date"),
    "show_note": ("备注", "note"),
    "show_points": ("积分", "points"),
    "show_why": ("计分", "why"),
    "show_ahead": (
        "；审核时先审待审核记录 {ids}（同户、同指标、同月，共用月上限）",
        "; approval takes pending claim(s) {ids} first (same household, rule and month: they "
        "share the cap)",
    ),
    "show_recorded": ("录入", "recorded"),
    "show_by_at": ("{by}，时间 {at}", "{by}, {at}"),
    "show_status": ("状态", "status"),
    "show_reviewed": ("审核", "reviewed"),
    "show_reason": ("原因", "reason"),
    "show_event": ("活动", "event"),
    "show_event_value": ("活动 {id}（{count} 户）", "event {id} ({count} households)"),
    "show_no_evidence": ("没有佐证材料。", "No evidence."),
    "event_refused": (
        "活动没有记录（所有户都没有写入）：{detail}",
        "The event was not recorded (nothing was written for any household): {detail}",
    ),
    "event_household_twice": ("户 {code} 列了两次，每户只列一次", "household {code} is listed twice; list each household once"),
    "event_empty_group": (
        "组别“{group}”没有未销户的农户，活动没有记录。用 `jifen household list` 查看组别。",
        "Group {group} has no open household; the event was not recorded. See "
        "`jifen household list` for the groups.",
    ),
    "event_needs_households": (
        "请用 --households 列出参加的户（H001 H002 …），或用 --group 给出组别。",
        "Name the households that took part with --households (H001 H002 …), or a group "
        "with --group.",
    ),
    "event_households_or_group": (
        "请给出参加的户（--households H001 H002 …）或组别（--group 组别），二者选一。",
        "Name the households that took part (--households H001 H002 …) or a group "
        "(--group G): one of the two.",
    ),
    "event_extra_arguments": (
        "多余的参数：{args}（户号请写在 --households 之后）",
        "unexpected extra arguments: {args} (household codes go after --households)",
    ),
    "event_recorded": (
        "已录入活动 {id}：{count} 户各一条待审核记录，佐证材料 {files} 个（只存一份）",
        "Recorded event {id}: {count} pending claim(s), one per household; {files} evidence "
        "file(s), stored once",
    ),
    "event_recorded_no_files": ("已录入活动 {id}：{count} 户各一条待审核记录",
                                "Recorded event {id}: {count} pending claim(s), one per household"),
    "event_claim": ("记录 {id}：{household}", "claim {id}: {household}"),
    "check_item_evidence": ("佐证材料", "evidence"),
    "check_evidence_ok": (
        "{claims} 条记录的 {files} 个佐证文件，存储 {stored} 个不同文件共 {size}，均与 SHA-256 一致",
        "{files} evidence file(s) on {claims} claim(s); {stored} stored, {size}, all match "
        "their SHA-256",
    ),
    "check_evidence_damaged": (
        "与 SHA-256 不符（在 jifen 之外被改动）：{items}",
        "no longer match their SHA-256 (changed outside jifen): {items}",
    ),
    "check_evidence_file": ("记录 {claim} 的 {file}", "claim {claim} file {file}"),
    # --- file integrity, interrupted writes, backups and restores, cards (issue 9) ------------
    "verify_pages_damaged": (
        "文件的数据页已损坏（SQLite quick_check：{detail}），经由它们读出的数字可能是错的；"
        "请用 `jifen restore` 从备份恢复",
        "the file's pages are damaged (SQLite's quick_check: {detail}); figures read through "
        "them can be wrong: restore a backup with `jifen restore`",
    ),
    "backup_exists": (
        "{path} 已是 {village} 当前台账的备份（已校验：{postings} 条记录，链头 {head}…），无需再写一份。",
        "Already backed up: {path} is a verified copy of {village} as it stands ({postings} "
        "postings, head {head}…); nothing new was written.",
    ),
    "backup_name_taken": (
        "{path} 已存在，但不是当前台账的完好副本（{detail}），不会覆盖。先移走它，或换一个目标。",
        "{path} already exists but is not a sound copy of the ledger as it stands ({detail}); "
        "it is never overwritten. Move it away or choose another destination.",
    ),
    "backup_other_state": ("另一个村，或本村另一时刻的台账（记录、登记或异议已有变化）",
                           "another village, or this one at another time (claims, registers or "
                           "objections have changed since)"),
    "restore_source_is_folder": (
        "{path} 是文件夹，不是备份文件。请写出其中的备份文件，如 `jifen restore {example} --to 新文件.db`"
        "（`jifen backup` 写的备份名为 村名-日期-n记录数-链头.jifen.db）。",
        "{path} is a folder, not a backup file. Name the backup file in it, e.g. "
        "`jifen restore {example} --to NEW.db` (`jifen backup` names its copies "
        "VILLAGE-DATE-nPOSTINGS-HEAD.jifen.db).",
    ),
    "restore_folder_without_backup": (
        "{path} 是文件夹，不是备份文件，里面也没有备份（`jifen backup` 写的备份名为 "
        "村名-日期-n记录数-链头.jifen.db）。请写出备份文件本身的路径。",
        "{path} is a folder, not a backup file, and holds no backup (`jifen backup` names its "
        "copies VILLAGE-DATE-nPOSTINGS-HEAD.jifen.db). Name the backup file itself.",
    ),
    "restore_no_source": (
        "找不到备份文件 {path}。请写出要恢复的备份文件（`jifen backup` 写的备份名为 "
        "村名-日期-n记录数-链头.jifen.db）。",
        "No backup file at {path}. Name the backup file to restore (`jifen backup` names its "
        "copies VILLAGE-DATE-nPOSTINGS-HEAD.jifen.db).",
    ),
    "restore_target_exists": (
        "{path} 已存在：恢复只写新的村台账文件，已有的文件绝不覆盖。用 --to 新文件.db 指定一个还不存在的路径。",
        "{path} already exists: a restore writes a new village file; an existing file is never "
        "overwritten. Name a path that does not exist yet with --to NEW.db.",
    ),
    "card_no_such_group": (
        "没有组别“{group}”。现有组别：{groups}。",
        "There is no group {group}. The groups are: {groups}.",
    ),
    "card_no_groups": (
        "没有组别“{group}”：还没有哪一户登记了组别。请给出户号，或用 --all。",
        "There is no group {group}: no household has a group yet. Name the households, or use "
        "--all.",
    ),
    # The notice (templates/notice.html.j2), in the village's public language.
    "notice_title": ("{village} {quarter}积分公示", "{village}: points disclosure, {quarter}"),
    "notice_heading": ("{village}积分超市{quarter}积分公示",
                       "{village} points supermarket: disclosure for {quarter}"),
    "notice_place": ("{county}{township}{village}", "{village}, {township}, {county}"),
    "notice_quarter_1": ("{year}年第一季度", "Q1 {year}"),
    "notice_quarter_2": ("{year}年第二季度", "Q2 {year}"),
    "notice_quarter_3": ("{year}年第三季度", "Q3 {year}"),
    "notice_quarter_4": ("{year}年第四季度", "Q4 {year}"),
    "notice_date": ("{year}年{month}月{day}日", "{year}-{month:02d}-{day:02d}"),
    "notice_intro": (
        "根据“一事一记录、一月一审核、一季度一公示”的要求，现将本村{quarter}（{first}至{last}）"
        "各户积分获得、扣减、兑换情况和积分超市资金收支情况予以公示。",
        "One record per event, a review every month, a disclosure every quarter: here are the "
        "points each household earned, lost and exchanged in {quarter} ({first} to {last}), and "
        "the points supermarket's fund.",
    ),
    "notice_period": ("公示期：{first}至{last}（{days}天）。", "Objection period: {first} to {last} ({days} days). "),
    "notice_objection_route": (
        "公示期内对本公示有异议的，请向村积分超市工作领导小组口头或书面提出，写明所涉农户和事项；"
        "工作领导小组登记后逐件核实答复，处理结果在下一季度公示中公布。逾期提出的也予登记。",
        "Anyone who disagrees with this disclosure may tell the village's points supermarket "
        "working group, in person or in writing, naming the household and the matter, within the "
        "period; the working group records every objection, looks into it and answers, and the "
        "outcome is posted with the next quarter's disclosure. A late objection is recorded too.",
    ),
    "notice_sum_households": ("农户 {n} 户", "{n} households"),
    "notice_sum_participating": ("参与 {n} 户", "{n} taking part"),
    "notice_sum_entries": ("记录 {n} 条", "{n} entries"),
    "notice_sum_earned": ("获得 {n} 分", "{n} points earned"),
    "notice_sum_deducted": ("扣减 {n} 分", "{n} deducted"),
    "notice_sum_redeemed": ("兑换 {n} 分（价值 ¥{value}）", "{n} exchanged (goods worth ¥{value})"),
    "notice_empty": ("本季无记录。", "Nothing this quarter."),
    "notice_empty_objections": ("上期公示以来没有处理完毕的异议。",
                                "No objection was resolved since the last disclosure."),
    "notice_objections_explain": (
        "上期公示以来处理完毕的异议及处理结果；异议成立的，已按所列台账记录冲正。提出人姓名不公开。",
        "The objections resolved since the last disclosure, with their outcome; where one was "
        "upheld, the postings listed were reversed. Who raised an objection is not shown.",
    ),
    "notice_digest_head": ("截至第 {seq} 条台账记录的台账摘要（SHA-256）",
                           "Ledger digest (SHA-256) up to posting #{seq}"),
    "notice_digest_explain": (
        "本公示由台账自动生成。公示后本季台账即锁定，任何改动都会使摘要对不上；可用 jifen verify 核对。",
        "This disclosure is made from the ledger itself. The quarter is locked by it: any change "
        "would no longer match the digest, which `jifen verify` checks.",
    ),
    "notice_sign": ("{village}积分超市工作领导小组", "{village} points supermarket working group"),
    # --- the verification cache (issue 13: a roll-up never verifies the same bytes twice) ---
    "cache_not_both": ("--cache 和 --no-cache 只能选一个", "--cache and --no-cache: give one, not both"),
    "cache_rebuilt": (
        "提示：{detail}；已不使用，本次所有文件重新校验，缓存将重建。",
        "Note: {detail}; it was not used: every file is verified again and the cache is rebuilt.",
    ),
    "cache_corrupt": ("校验缓存 {path} 已损坏（{why}）", "the verification cache {path} is damaged ({why})"),
    "cache_not_readable": ("内容不完整或对不上摘要", "its content is incomplete or does not match its digest"),
    "cache_unwritable": (
        "提示：校验缓存 {path} 无法写入（{reason}），本次校验结果没有保存；汇总不受影响。",
        "Note: the verification cache {path} could not be written ({reason}); what this run "
        "verified was not kept. The roll-up itself is complete.",
    ),
    # lead, after the trial: what remained
    "disclosure_ignored": (
        "未核对文件管理器留下的文件（不属于公示）：{names}",
        "not checked, left by a file manager (not part of a disclosure): {names}",
    ),
    "rollup_wal": (
        "该文件处于 WAL 模式（被其他程序写过），最新的写入可能在旁边的 -wal 文件里：对它运行一次"
        "任意 jifen 命令，如 `{command}`（会把写入并回文件本身），然后重新汇总",
        "the file is in WAL mode (another program wrote it), so its latest writes may be in the "
        "-wal file beside it; run any jifen command on it once, e.g. `{command}` (it folds them "
        "back into the file itself), then roll up again",
    ),
    "cache_busy": ("另一次汇总 {seconds} 秒内一直占用着它", "another run held it for {seconds} s"),
}
