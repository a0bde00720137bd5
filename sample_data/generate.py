#!/usr/bin/env python3
"""Generate the sample village 扎西岗村 (Tashigang) for jifen.

Deterministic: every random choice comes from ``random.Random(2024)`` and the files are
written byte for byte the same on every run (same Python and openpyxl versions).

    python sample_data/generate.py            # regenerate the files next to this script
    python sample_data/generate.py --check    # only re-read and check the committed files
    python sample_data/generate.py OUTDIR     # write somewhere else (then checked there)

Stdlib only, plus openpyxl for ``items.xlsx``. After generating, ``check()`` re-reads every
file with the encoding a village really uses and asserts the constraints described in
README.md (caps respected, balances and stock never negative, encodings as intended, ...).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import re
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path
from random import Random

HERE = Path(__file__).resolve().parent

VILLAGE = {
    "village": "扎西岗村",
    "village_en": "Tashigang",
    "township": "罗玛镇",
    "county": "色尼区",
    "class": 2,
    "mode": "both",
}

FILES = [
    "households.csv",
    "households_extra.csv",
    "rules.csv",
    "items.xlsx",
    "records.csv",
    "redemptions.csv",
]

Q_START = dt.date(2024, 4, 1)
Q_END = dt.date(2024, 6, 30)
DAYS = [Q_START + dt.timedelta(days=i) for i in range((Q_END - Q_START).days + 1)]
MONTH_ZH = {4: "四月", 5: "五月", 6: "六月"}

# Fixed timestamp for the workbook properties and the zip entries of items.xlsx.
XLSX_TIME = dt.datetime(2024, 3, 28, 10, 30, 0)

TARGET_REWARDS = 1275
TARGET_DEDUCTIONS = 225
TARGET_REDEMPTIONS = 300
N_INACTIVE = 10
N_SAVERS = 12

HH_HEADER = ["户号", "户主", "组别", "人口", "身份证号", "电话"]
RULE_HEADER = ["编号", "类别", "指标", "分值", "月上限"]
ITEM_HEADER = ["编号", "名称", "积分", "价值", "库存"]
REC_HEADER = ["户号", "指标编号", "日期", "数量", "备注", "流水号", "记录人"]
# Who recorded the events (一事一记录): the village clerk, named in every row, so that a reviewer
# may post the file at once (`import records --approve`) without approving his own records.
RECORDER = "次仁（文书）"
RED_HEADER = ["户号", "商品编号", "日期", "数量", "商店", "流水号"]

# fmt: off  (hand-aligned data tables below)
GROUPS = ["一组", "二组", "三组", "四组", "五组", "六组"]
CATEGORIES = [
    "爱党爱国", "遵纪守法", "维护团结", "政策响应", "人居环境", "家庭美德", "诚实守信", "勤劳致富",
    "树文明新风", "改陈规陋习", "建村规民约", "兴优秀传统文化", "美村容村貌", "强基层治理",
]
PARTNER_SHOPS = ["罗玛镇惠民超市", "色尼区藏家乐商店", "罗玛镇格桑便利店"]

# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

# Tibetan names written in Chinese characters. Day-of-week names (尼玛 达瓦 米玛 拉巴 普布
# 巴桑 边巴) and other common first elements, combined with a gendered second element.
TIB_FIRST = [
    "次仁", "扎西", "格桑", "达瓦", "尼玛", "普布", "拉巴", "米玛", "巴桑", "边巴",
    "索朗", "洛桑", "白玛", "旦增", "益西", "强巴", "阿旺", "贡嘎", "德吉", "嘎玛",
]
TIB_MALE_SECOND = [
    "顿珠", "多吉", "平措", "旺堆", "罗布", "桑珠", "加措", "朗杰", "欧珠", "群培",
    "次旦", "扎西", "次仁", "尼玛", "达瓦", "仁青", "土登", "坚参",
]
TIB_FEMALE_SECOND = [
    "卓玛", "央金", "央宗", "拉姆", "曲珍", "卓嘎", "旺姆", "玉珍", "措姆", "德吉",
    "次珍", "白珍", "琼达", "普赤",
]
TIB_SINGLE_MALE = [
    "扎西", "洛桑", "普布", "尼玛", "拉巴", "次仁", "多吉", "旺堆", "平措", "罗布",
    "强巴", "边巴", "格桑", "桑珠", "达瓦",
]
TIB_SINGLE_FEMALE = ["央宗", "卓玛", "拉姆", "曲珍", "央金", "措姆", "卓嘎", "德吉"]
HAN_NAMES = [  # (name, female?)
    ("王建国", False), ("李秀英", True), ("张伟", False), ("刘洋", False), ("陈红梅", True),
    ("杨志强", False), ("赵桂兰", True), ("黄海军", False), ("周丽华", True), ("吴国庆", False),
    ("徐建华", False), ("孙玉兰", True), ("马文斌", False), ("胡小燕", True), ("朱德明", False),
    ("郭建军", False), ("何春燕", True), ("高志刚", False), ("林秀珍", True), ("罗永平", False),
]
TIBETAN_SCRIPT_NAMES = [  # (name, female?) -- Tashi, Tsering Drolma, Pema Yangchen, ...
    ("བཀྲ་ཤིས་", False),
    ("ཚེ་རིང་སྒྲོལ་མ་", True),
    ("པདྨ་དབྱངས་ཅན་", True),
    ("བསོད་ནམས་", False),
    ("ཉི་མ་", False),
    ("ལྷ་མོ་", True),
]

# ---------------------------------------------------------------------------------------------
# Rule book. (code, category, title, points, monthly cap or None, weight, schedule, qty options,
# notes, flags). Schedule: "any", "mon", "sat", "apr-may", "may-jun", "monthend", "inspect" or
# an explicit list of days. Flags: "once" = at most once per household per quarter,
# "head" = only households whose head is a 双联户长.
# ---------------------------------------------------------------------------------------------

INSPECT = ["2024-04-20", "2024-05-20", "2024-06-20"]
MONTHEND = ["2024-04-28", "2024-05-30", "2024-06-28"]
MEETINGS = ["2024-04-10", "2024-05-10", "2024-05-25", "2024-06-12"]

RULES = [
    ("A01", "爱党爱国", "参加升国旗仪式", 2, 8, 40, "mon", [1],
     ["参加{md}升国旗仪式", "周一升旗", "参加升旗仪式"], ""),
    ("A02", "爱党爱国", "参加党的政策宣讲学习", 5, None, 18,
     ["2024-04-03", "2024-04-17", "2024-05-08", "2024-05-22", "2024-06-05", "2024-06-19"], [1],
     ["参加党的政策宣讲会", "学习宣讲{m}专题", "参加理论宣讲"], ""),
    ("A03", "爱党爱国", "家中规范悬挂国旗", 3, 3, 16, "inspect", [1],
     ["{m}检查国旗悬挂规范", "国旗悬挂规范"], ""),
    ("B01", "遵纪守法", "参加法治宣传教育", 5, None, 12,
     ["2024-04-12", "2024-05-17", "2024-06-26"], [1],
     ["参加普法讲座", "参加法治宣传活动", "观看普法宣传片"], ""),
    ("B02", "遵纪守法", "酒后滋事", -20, None, 4, "any", [1],
     ["酒后在村委会门口滋事", "酒后打架", "酒后扰乱村民大会秩序"], ""),
    ("B03", "遵纪守法", "越界或无证采挖虫草", -10, None, 3, "may-jun", [1],
     ["越界采挖虫草", "未办证采挖虫草"], ""),
    ("C01", "维护团结", "主动调解邻里纠纷", 10, None, 6, "any", [1],
     ["调解邻里草场纠纷", "调解邻里纠纷", "化解兄弟分家矛盾"], ""),
    ("C02", "维护团结", "参加民族团结进步创建活动", 5, None, 10,
     ["2024-05-11", "2024-05-18", "2024-06-15"], [1],
     ["参加民族团结进步月活动", "参加民族团结宣讲"], ""),
    ("C03", "维护团结", "挑起邻里纠纷", -10, None, 4, "any", [1],
     ["因草场边界与邻居争吵", "挑起邻里纠纷"], ""),
    ("D01", "政策响应", "主动缴纳城乡居民医保", 5, 5, 10, "apr-may", [1],
     ["主动缴纳2024年度医保", "缴纳城乡居民医保"], "once"),
    ("D02", "政策响应", "主动缴纳城乡居民养老保险", 5, None, 8, "any", [1],
     ["缴纳城乡居民养老保险", "主动缴纳养老保险"], "once"),
    ("D03", "政策响应", "落实草畜平衡和禁牧政策", 5, 5, 8, "monthend", [1],
     ["{m}落实草畜平衡", "配合禁牧区巡查"], ""),
    ("E01", "人居环境", "庭院整洁", 3, 3, 30, "inspect", [1],
     ["{m}人居环境检查庭院整洁", "庭院干净整洁"], ""),
    ("E02", "人居环境", "完成人畜分离改造", 20, None, 5, "any", [1],
     ["完成人畜分离改造", "新建牲畜暖棚实现人畜分离"], "once"),
    ("E03", "人居环境", "乱倒垃圾", -5, None, 15, "any", [1],
     ["往河道倒垃圾", "乱倒生活垃圾", "垃圾未入桶"], ""),
    ("E04", "人居环境", "乱堆乱放牛粪柴草", -3, None, 25, "inspect", [1],
     ["门前乱堆牛粪", "柴草乱堆乱放", "{m}检查屋前杂物乱放"], ""),
    ("F01", "家庭美德", "赡养老人", 5, 5, 20, "monthend", [1],
     ["{m}赡养老人评议", "照顾年迈父母", "照顾生病老人"], ""),
    ("F02", "家庭美德", "评为美丽家园幸福人家示范户", 20, None, 2, ["2024-06-28"], [1],
     ["评为“美丽家园 幸福人家”示范户"], "once"),
    ("F03", "家庭美德", "家庭暴力", -20, None, 1, "any", [1], ["家庭暴力经调解"], ""),
    ("G01", "诚实守信", "按时归还小额信贷", 5, None, 6, "any", [1],
     ["按时归还小额信贷", "按期还款"], "once"),
    ("G02", "诚实守信", "拾金不昧", 10, None, 3, "any", [1],
     ["拾到钱包交还失主", "拾到手机交还失主", "拾金不昧"], ""),
    ("H01", "勤劳致富", "参加职业技能培训", 5, 15, 12,
     ["2024-04-09", "2024-04-10", "2024-04-11", "2024-05-14", "2024-05-15", "2024-06-11",
      "2024-06-12", "2024-06-13"], [1, 1, 2, 3],
     ["参加{m}牦牛养殖技术培训", "参加驾驶技能培训", "参加厨师技能培训", "参加唐卡绘画培训"], ""),
    ("H02", "勤劳致富", "外出务工稳定就业满一月", 10, 10, 10, "monthend", [1],
     ["{m}在那曲市区稳定务工", "在工地务工满一月", "外出务工"], ""),
    ("I01", "树文明新风", "参加义务劳动", 5, 20, 45, "sat", [1, 1, 2],
     ["参加{m}义务劳动", "清理村道垃圾", "修缮村文化室", "疏通水渠"], ""),
    ("I02", "树文明新风", "参加志愿服务", 5, None, 15, "any", [1, 1, 2],
     ["参加志愿服务", "帮助五保户打扫卫生", "协助卫生院入户体检"], ""),
    ("I03", "树文明新风", "不文明行为", -2, None, 30, "any", [1],
     ["随地吐痰", "乱扔烟头", "公共场所大声喧哗"], ""),
    ("J01", "改陈规陋习", "婚事新办简办", 20, None, 2, "any", [1],
     ["婚事新办简办", "婚礼未收彩礼"], "once"),
    ("J02", "改陈规陋习", "高价彩礼", -10, None, 2, "any", [1],
     ["收取高价彩礼", "彩礼超出村规标准"], ""),
    ("J03", "改陈规陋习", "签订移风易俗承诺书", 2, None, 10,
     ["2024-04-15", "2024-04-16", "2024-04-22"], [1], ["签订移风易俗承诺书"], "once"),
    ("K01", "建村规民约", "参加村民大会", 5, 10, 35, MEETINGS, [1],
     ["参加{md}村民大会", "参加村民大会"], ""),
    ("K02", "建村规民约", "不按时参加会议", -2, 4, 50, MEETINGS, [1],
     ["{md}村民大会迟到", "无故缺席村民大会", "会议迟到"], ""),
    ("K03", "建村规民约", "违反村规民约", -5, None, 8, "any", [1],
     ["违反村规民约放养牲畜", "违反村规民约"], ""),
    ("L01", "兴优秀传统文化", "参加锅庄舞等传统文艺活动", 5, None, 15,
     ["2024-05-01", "2024-05-04", "2024-06-01", "2024-06-22"], [1],
     ["参加锅庄舞比赛", "参加传统文艺演出", "参加文艺汇演"], ""),
    ("L02", "兴优秀传统文化", "传承民间手工技艺", 10, None, 4, "any", [1, 2],
     ["传授牛毛编织技艺", "制作传统手工艺品参展"], ""),
    ("M01", "美村容村貌", "参加村庄环境集中整治", 5, 20, 30,
     ["2024-04-13", "2024-04-27", "2024-05-11", "2024-05-25", "2024-06-08", "2024-06-22"], [1],
     ["参加{md}村庄环境整治", "清理白色垃圾", "清扫村主干道"], ""),
    ("M02", "美村容村貌", "房前屋后植树种草", 5, None, 10, "apr-may", [1],
     ["房前屋后植树", "种植草坪", "补种树苗"], ""),
    ("M03", "美村容村貌", "损坏公共设施", -10, None, 3, "any", [1],
     ["损坏村道路灯", "损坏健身器材"], ""),
    ("N01", "强基层治理", "参加网格平安巡逻", 5, 20, 20, "any", [1, 1, 2],
     ["参加网格平安巡逻", "夜间平安巡逻", "参加{m}联防巡逻"], ""),
    ("N02", "强基层治理", "双联户长履职到位", 5, 5, 8, "monthend", [1],
     ["{m}双联户长履职到位", "双联户长入户走访"], "head"),
    ("N03", "强基层治理", "不配合网格员工作", -5, None, 5, "any", [1],
     ["不配合网格员入户登记", "不配合消防安全检查"], ""),
]
EXCLUSIVE = [("K01", "K02"), ("E01", "E04")]  # never both for one household on one day

# ---------------------------------------------------------------------------------------------
# Store catalogue: (code, name, value yuan as string, stock, popularity weight)
# ---------------------------------------------------------------------------------------------
ITEMS = [
    ("G001", "酥油（1斤）", "35.00", 16, 24),
    ("G002", "青稞面（5kg）", "55.00", 60, 6),
    ("G003", "砖茶（康砖500g）", "28.00", 120, 24),
    ("G004", "大米（10kg）", "65.00", 50, 4),
    ("G005", "菜籽油（5L）", "79.00", 40, 4),
    ("G006", "面粉（10kg）", "52.00", 40, 3),
    ("G007", "白糖（1kg）", "12.00", 100, 6),
    ("G008", "食盐（400g）", "3.50", 200, 10),
    ("G009", "洗衣粉（1.5kg）", "19.90", 120, 9),
    ("G010", "肥皂（2块装）", "9.00", 150, 9),
    ("G011", "牙膏（120g）", "12.50", 150, 9),
    ("G012", "牙刷（2支装）", "7.50", 150, 4),
    ("G013", "毛巾", "15.00", 100, 5),
    ("G014", "洗发水（400ml）", "32.00", 60, 3),
    ("G015", "卫生纸（10卷）", "25.80", 80, 5),
    ("G016", "暖水瓶（3.2L）", "48.00", 30, 3),
    ("G017", "铁锅（32cm）", "88.00", 20, 2),
    ("G018", "不锈钢盆", "35.00", 30, 2),
    ("G019", "保温杯（500ml）", "59.00", 25, 2),
    ("G020", "太阳能手电", "45.00", 30, 3),
    ("G021", "学生书包", "68.00", 25, 3),
    ("G022", "作业本（10本）", "10.00", 200, 9),
    ("G023", "铅笔（12支）", "6.00", 150, 3),
    ("G024", "文具盒", "15.00", 60, 2),
    ("G025", "解放鞋", "45.00", 30, 2),
    ("G026", "劳保手套（12双）", "24.00", 60, 3),
    ("G027", "羊毛毯", "128.00", 12, 1),
    ("G028", "电热水壶", "89.00", 15, 1),
    ("G029", "方便面（24袋装）", "52.00", 40, 3),
    ("G030", "纯牛奶（12盒装）", "58.00", 40, 3),
    ("G031", "挂面（2.5kg）", "22.00", 80, 4),
    ("G032", "洗洁精（1.5kg）", "13.80", 100, 4),
    ("G033", "电饭锅", "199.00", 10, 1),
    ("G034", "充电宝（10000mAh）", "79.00", 15, 1),
]

# fmt: on


def item_points(value: str) -> int:
    """About 1 point per yuan, rounded half up."""
    fen = round(float(value) * 100)
    return (fen + 50) // 100


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def weighted(rng: Random, options: list, weights: list[float]):
    """Weighted choice using only rng.random() (stable across Python versions)."""
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    i = bisect.bisect_right(cum, rng.random() * total)
    return options[min(i, len(options) - 1)]


ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a resident ID number (GB 11643)."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def make_id(rng: Random, female: bool, used: set[str]) -> str:
    while True:
        region = "540600" if rng.random() < 0.8 else "540102"
        lo, hi = dt.date(1950, 1, 1).toordinal(), dt.date(2000, 12, 31).toordinal()
        birth = dt.date.fromordinal(rng.randint(lo, hi))
        seq = rng.randint(0, 499) * 2 + (0 if female else 1)  # odd = male, even = female
        first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
        number = first17 + id_check_digit(first17)
        if number not in used:
            used.add(number)
            return number


PHONE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
]


def make_phone(rng: Random, used: set[str]) -> str:
    while True:
        number = rng.choice(PHONE_PREFIXES) + f"{rng.randint(0, 99999999):08d}"
        if number not in used:
            used.add(number)
            return number


def csv_bytes(header: list[str], rows: list[list], encoding: str, eol: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)


def schedule_days(spec) -> list[dt.date]:
    if isinstance(spec, list):
        return [dt.date.fromisoformat(d) for d in spec]
    if spec == "any":
        return list(DAYS)
    if spec == "mon":
        return [d for d in DAYS if d.weekday() == 0]
    if spec == "sat":
        return [d for d in DAYS if d.weekday() == 5]
    if spec == "apr-may":
        return [d for d in DAYS if d.month in (4, 5)]
    if spec == "may-jun":
        return [d for d in DAYS if d.month in (5, 6)]
    if spec == "monthend":
        return [dt.date.fromisoformat(d) for d in MONTHEND]
    if spec == "inspect":
        return [dt.date.fromisoformat(d) for d in INSPECT]
    raise ValueError(spec)


def note_for(rng: Random, templates: list[str], day: dt.date) -> str:
    if rng.random() < 0.08:
        return ""  # the clerk did not always write a note
    text = rng.choice(templates)
    return text.format(m=MONTH_ZH[day.month], md=f"{day.month}月{day.day}日")


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------

def gen_households(rng: Random):
    """128 GBK-safe households H001..H128 plus 6 with Tibetan-script names H129..H134."""
    n = 128
    n_han = round(n * 0.15)
    han_slots = set(rng.sample(range(n), n_han))
    han_names = rng.sample(HAN_NAMES, n_han)
    used_names: set[str] = set()
    used_ids: set[str] = set()
    used_phones: set[str] = set()
    members_opts = list(range(1, 10))
    members_w = [3, 8, 16, 22, 22, 16, 7, 4, 2]
    rows = []
    for i in range(n):
        if i in han_slots:
            name, female = han_names.pop()
        else:
            while True:
                female = rng.random() < 0.35
                if rng.random() < 0.25:
                    name = rng.choice(TIB_SINGLE_FEMALE if female else TIB_SINGLE_MALE)
                else:
                    first = rng.choice(TIB_FIRST)
                    second = rng.choice(TIB_FEMALE_SECOND if female else TIB_MALE_SECOND)
                    if first == second:
                        continue
                    name = first + second
                if name not in used_names:
                    break
        used_names.add(name)
        members = weighted(rng, members_opts, members_w)
        group = GROUPS[min(i * 6 // n + (1 if rng.random() < 0.1 else 0), 5)]
        id_number = make_id(rng, female, used_ids) if rng.random() < 0.40 else ""
        phone = make_phone(rng, used_phones) if rng.random() < 0.50 else ""
        rows.append([f"H{i + 1:03d}", name, group, members, id_number, phone])
    extra = []
    for j, (name, female) in enumerate(TIBETAN_SCRIPT_NAMES):
        members = weighted(rng, members_opts, members_w)
        id_number = make_id(rng, female, used_ids) if j % 2 == 0 else ""
        phone = make_phone(rng, used_phones) if j % 3 != 2 else ""
        extra.append([f"H{129 + j:03d}", name, rng.choice(GROUPS), members, id_number, phone])
    return rows, extra


def pessimistic_min(events: list[tuple]) -> int:
    """Lowest running balance of a household. events: (date, phase, points); phase 0 =
    deduction record, 1 = reward record, 2 = redemption. Same-day records count before
    redemptions; deductions are taken before rewards of the same day (worst case)."""
    bal = 0
    low = 0
    for _, _, pts in sorted(events, key=lambda e: (e[0], e[1])):
        bal += pts
        low = min(low, bal)
    return low


def gen_records(rng: Random, households: list[list]):
    codes = [h[0] for h in households]
    inactive = set(rng.sample(codes, N_INACTIVE))
    active = [c for c in codes if c not in inactive]
    activity = {c: rng.lognormvariate(0.0, 0.75) for c in active}
    heads = set(rng.sample(active, 13))  # 双联户长
    rules = {r[0]: r for r in RULES}
    days_of = {r[0]: schedule_days(r[6]) for r in RULES}
    used_cap: dict[tuple, int] = defaultdict(int)
    seen: set[tuple] = set()
    once_done: set[tuple] = set()
    events: dict[str, list] = defaultdict(list)
    records = []

    def try_add(hh: str, code: str, day: dt.date, qty: int) -> bool:
        code_, _, _, pts, cap, _, _, _, notes, flags = rules[code]
        if (hh, code, day) in seen:
            return False
        for a, b in EXCLUSIVE:
            other = b if code == a else a if code == b else None
            if other and (hh, other, day) in seen:
                return False
        if "once" in flags and (hh, code) in once_done:
            return False
        if "head" in flags and hh not in heads:
            return False
        if cap is not None:
            key = (hh, code, day.month)
            while qty > 0 and used_cap[key] + abs(pts) * qty > cap:
                qty -= 1
            if qty == 0:
                return False
        if pts < 0:
            trial = events[hh] + [(day, 0, pts * qty)]
            if pessimistic_min(trial) < 0:
                return False
        seen.add((hh, code, day))
        once_done.add((hh, code))
        if cap is not None:
            used_cap[(hh, code, day.month)] += abs(pts) * qty
        events[hh].append((day, 0 if pts < 0 else 1, pts * qty))
        records.append([hh, code, day, qty, note_for(rng, notes, day)])
        return True

    rewards = [r for r in RULES if r[3] > 0]
    deductions = [r for r in RULES if r[3] < 0]
    hh_list = sorted(activity)
    hh_w = [activity[c] for c in hh_list]
    for pool, target in ((rewards, TARGET_REWARDS), (deductions, TARGET_DEDUCTIONS)):
        codes_ = [r[0] for r in pool]
        weights = [r[5] for r in pool]
        added = 0
        attempts = 0
        while added < target:
            attempts += 1
            if attempts > target * 200:
                raise RuntimeError("could not place enough records")
            code = weighted(rng, codes_, weights)
            if "head" in rules[code][9]:
                hh = rng.choice(sorted(heads))
            else:
                hh = weighted(rng, hh_list, hh_w)
            day = rng.choice(days_of[code])
            qty = rng.choice(rules[code][7])
            if try_add(hh, code, day, qty):
                added += 1
    records.sort(key=lambda r: (r[2], r[0], r[1]))
    out = []
    for i, (hh, code, day, qty, note) in enumerate(records, 1):
        out.append([hh, code, day.isoformat(), qty, note, f"R2024Q2-{i:05d}", RECORDER])
    return out, sorted(inactive), sorted(heads), events


def gen_redemptions(rng: Random, events: dict[str, list]):
    """Redemptions that never overdraw a household (at any moment, whatever the order of
    same-day records) nor an item's stock."""
    items = [(c, n, item_points(v), s, w) for c, n, v, s, w in ITEMS]
    stock_left = {c: s for c, _, _, s, _ in items}
    store_days = [d for d in DAYS if d.weekday() in (2, 5)]  # village store: Wed and Sat
    hh_list = sorted(events)
    ev = {h: list(events[h]) for h in hh_list}
    # a few households save up for something big and keep a reserve they do not spend
    reserve = dict.fromkeys(hh_list, 0)
    for h in rng.sample(hh_list, N_SAVERS):
        reserve[h] = rng.randint(40, 120)
    rows = []
    attempts = 0
    while len(rows) < TARGET_REDEMPTIONS:
        attempts += 1
        if attempts > TARGET_REDEMPTIONS * 100:
            raise RuntimeError("could not place enough redemptions")
        partner = rng.random() < 0.25
        pool = DAYS if partner else store_days
        day = weighted(rng, pool, [1.0 + 2.0 * (d - Q_START).days / 91 for d in pool])
        # spendable = how much can be taken on `day` without any later moment going negative
        spend = {}
        for h in hh_list:
            trial = ev[h] + [(day, 3, 0)]
            bal = 0
            low = None
            for d, phase, pts in sorted(trial, key=lambda e: (e[0], e[1])):
                bal += pts
                if (d, phase) >= (day, 3):
                    low = bal if low is None else min(low, bal)
            spend[h] = low - reserve[h]
        # the item comes first (staples are wanted most), then a household that has saved
        # enough for it on that day; richer households come more often
        in_stock = [it for it in items if stock_left[it[0]] > 0]
        code, _, pts, _, _ = weighted(rng, in_stock, [it[4] for it in in_stock])
        able = [h for h in hh_list if spend[h] >= pts]
        if not able:
            continue
        hh = weighted(rng, able, [spend[h] for h in able])
        budget = spend[hh]
        qty = 1
        if pts <= 15 and rng.random() < 0.3:
            qty = rng.choice([2, 2, 3])
        while qty > 1 and (pts * qty > budget or qty > stock_left[code]):
            qty -= 1
        stock_left[code] -= qty
        ev[hh].append((day, 2, -pts * qty))
        shop = rng.choice(PARTNER_SHOPS) if partner else ""
        rows.append([hh, code, day, qty, shop])
    rows.sort(key=lambda r: (r[2], r[0], r[1]))
    return [[h, c, d.isoformat(), q, s, f"X2024Q2-{i:04d}"]
            for i, (h, c, d, q, s) in enumerate(rows, 1)]


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook  # optional dependency, imported only here
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "商品"
    ws.append(ITEM_HEADER)
    for code, name, value, stock, _ in ITEMS:
        ws.append([code, name, item_points(value), float(value), stock])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "0.00"
    for col, width in zip("ABCDE", (8, 22, 8, 10, 8), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明")
    for line in (
        ["扎西岗村积分超市商品目录（2024年第二季度）"],
        ["积分：兑换所需积分，约1积分=1元，四舍五入"],
        ["价值：商品价值（元），用于经费核算和合作商超结算"],
        ["库存：2024年4月1日盘点数"],
    ):
        notes.append(line)
    props = wb.properties
    props.creator = "扎西岗村文书"
    props.lastModifiedBy = "扎西岗村文书"
    props.title = "扎西岗村积分超市商品目录"
    props.created = XLSX_TIME
    props.modified = XLSX_TIME
    raw = io.BytesIO()
    wb.save(raw)  # openpyxl stamps "modified" with the current time and zip entries too
    stamp = XLSX_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=XLSX_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 0
            zi.external_attr = 0
            dst.writestr(zi, data, compresslevel=6)
    return out.getvalue()


def generate(outdir: Path = HERE) -> dict:
    rng = Random(2024)
    households, extra = gen_households(rng)
    records, inactive, heads, events = gen_records(rng, households)
    redemptions = gen_redemptions(rng, events)
    rule_rows = [[c, cat, title, pts, "" if cap is None else cap]
                 for c, cat, title, pts, cap, *_ in RULES]
    outputs = {
        # Excel "CSV (逗号分隔)" on Chinese Windows: GBK (cp936), CRLF, no BOM.
        "households.csv": csv_bytes(HH_HEADER, households, "gbk", "\r\n"),
        # Excel "CSV UTF-8 (逗号分隔)": UTF-8 with BOM, CRLF. Needed for Tibetan script.
        "households_extra.csv": csv_bytes(HH_HEADER, extra, "utf-8-sig", "\r\n"),
        # Typed in a text editor / exported by the county's template tool: UTF-8, LF.
        "rules.csv": csv_bytes(RULE_HEADER, rule_rows, "utf-8", "\n"),
        "items.xlsx": xlsx_bytes(),
        "records.csv": csv_bytes(REC_HEADER, records, "gbk", "\r\n"),
        "redemptions.csv": csv_bytes(RED_HEADER, redemptions, "utf-8-sig", "\r\n"),
    }
    outdir.mkdir(parents=True, exist_ok=True)
    for name, data in outputs.items():
        (outdir / name).write_bytes(data)
    return {"inactive": inactive, "heads": heads}


# ---------------------------------------------------------------------------------------------
# Self-check
# ---------------------------------------------------------------------------------------------

def _read_csv(path: Path, encoding: str, bom: bool, crlf: bool) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom, f"{path.name}: BOM expected={bom}"
    if crlf:
        assert raw.count(b"\r\n") == raw.count(b"\n"), f"{path.name}: not CRLF"
    else:
        assert b"\r" not in raw, f"{path.name}: expected LF line endings"
    if encoding == "gbk":
        text = raw.decode("gbk")
        if any(ord(ch) > 127 for ch in text):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise AssertionError(f"{path.name}: GBK file unexpectedly valid UTF-8")
    else:
        text = raw.decode("utf-8-sig" if bom else "utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def check(outdir: Path = HERE, regenerate: bool = True) -> dict:
    """Re-read the files and assert every constraint. Returns summary figures."""
    import openpyxl  # optional dependency, imported only here

    hh = _read_csv(outdir / "households.csv", "gbk", bom=False, crlf=True)
    hx = _read_csv(outdir / "households_extra.csv", "utf-8", bom=True, crlf=True)
    rules = _read_csv(outdir / "rules.csv", "utf-8", bom=False, crlf=False)
    recs = _read_csv(outdir / "records.csv", "gbk", bom=False, crlf=True)
    reds = _read_csv(outdir / "redemptions.csv", "utf-8", bom=True, crlf=True)

    # households
    assert len(hh) == 128 and len(hx) == 6
    for rows in (hh, hx):
        assert list(rows[0].keys()) == HH_HEADER
    all_hh = hh + hx
    codes = [h["户号"] for h in all_hh]
    assert codes == [f"H{i:03d}" for i in range(1, 135)], "household codes H001..H134"
    names = [h["户主"] for h in all_hh]
    assert len(set(names)) == len(names), "duplicate head names"
    for h in hh:
        h["户主"].encode("gbk")
    for h in hx:
        assert all("\u0f00" <= ch <= "\u0fff" for ch in h["户主"]), "Tibetan script names"
    ids = [h["身份证号"] for h in all_hh if h["身份证号"]]
    phones = [h["电话"] for h in all_hh if h["电话"]]
    assert len(set(ids)) == len(ids) and len(set(phones)) == len(phones)
    for n in ids:
        assert re.fullmatch(r"(540102|540600)\d{11}[\dX]", n), n
        dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
        assert 1950 <= int(n[6:10]) <= 2000
        assert id_check_digit(n[:17]) == n[17], f"bad check digit {n}"
    for p in phones:
        assert re.fullmatch(r"1[358]\d{9}", p), p
    for h in all_hh:
        assert h["组别"] in GROUPS and 1 <= int(h["人口"]) <= 9

    # rules
    assert list(rules[0].keys()) == RULE_HEADER
    rule = {r["编号"]: r for r in rules}
    assert len(rule) == len(rules), "duplicate rule codes"
    assert set(r["类别"] for r in rules) == set(CATEGORIES)
    for cat in CATEGORIES:
        assert any(int(r["分值"]) > 0 for r in rules if r["类别"] == cat), f"no reward in {cat}"
    for r in rules:
        assert int(r["分值"]) != 0
        assert r["月上限"] == "" or int(r["月上限"]) > 0
    points = {c: int(r["分值"]) for c, r in rule.items()}
    caps = {c: int(r["月上限"]) for c, r in rule.items() if r["月上限"]}

    # items
    wb = openpyxl.load_workbook(outdir / "items.xlsx")
    ws = wb.worksheets[0]
    assert ws.title == "商品"
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ITEM_HEADER
    item = {}
    for code, name, pts, value, stock in rows[1:]:
        assert code not in item, f"duplicate item {code}"
        assert isinstance(pts, int) and isinstance(stock, int)
        assert isinstance(value, int | float)  # Excel stores 35.00 as the number 35
        assert round(value, 2) == value and 10 <= stock <= 200 and pts > 0
        assert abs(pts - value) <= 0.5
        item[code] = {"name": name, "points": pts, "value": value, "stock": stock}
    assert list(item) == [f"G{i:03d}" for i in range(1, 35)]

    # records
    assert list(recs[0].keys()) == REC_HEADER
    assert all(r["记录人"] == RECORDER for r in recs), "every record names its recorder"
    refs = [r["流水号"] for r in recs]
    assert len(set(refs)) == len(refs), "duplicate record refs"
    gbk_codes = {h["户号"] for h in hh}
    used = defaultdict(int)
    earned = deducted = 0
    for r in recs:
        assert r["户号"] in gbk_codes and r["指标编号"] in rule
        day = dt.date.fromisoformat(r["日期"])
        assert Q_START <= day <= Q_END and r["日期"] == day.isoformat()
        qty = int(r["数量"])
        assert 1 <= qty <= 3
        pts = points[r["指标编号"]] * qty
        earned += max(pts, 0)
        deducted += max(-pts, 0)
        if r["指标编号"] in caps:
            key = (r["户号"], r["指标编号"], day.month)
            used[key] += abs(pts)
            assert used[key] <= caps[r["指标编号"]], f"cap exceeded {key}"
    inactive = sorted(gbk_codes - {r["户号"] for r in recs})

    # redemptions: balances and stock
    assert list(reds[0].keys()) == RED_HEADER
    xrefs = [r["流水号"] for r in reds]
    assert len(set(xrefs)) == len(xrefs), "duplicate redemption refs"
    stock = {c: it["stock"] for c, it in item.items()}
    redeemed = 0
    value_fen = 0
    by_day = defaultdict(lambda: ([], []))
    for r in recs:
        by_day[r["日期"]][0].append((r["户号"], points[r["指标编号"]] * int(r["数量"])))
    for r in reds:
        day = dt.date.fromisoformat(r["日期"])
        assert Q_START <= day <= Q_END and r["日期"] == day.isoformat()
        assert r["户号"] in gbk_codes and r["商品编号"] in item
        assert r["商店"] in PARTNER_SHOPS or r["商店"] == ""
        qty = int(r["数量"])
        assert qty >= 1
        cost = item[r["商品编号"]]["points"] * qty
        redeemed += cost
        value_fen += round(item[r["商品编号"]]["value"] * 100) * qty
        by_day[r["日期"]][1].append((r["户号"], cost, r["商品编号"], qty))
    # (a) date order, same-day records (in file order) before redemptions
    # (b) worst case: same-day deductions before same-day rewards
    for pessimistic in (False, True):
        bal = defaultdict(int)
        stock_left = dict(stock)
        for d in sorted(by_day):
            day_recs, day_reds = by_day[d]
            if pessimistic:
                day_recs = sorted(day_recs, key=lambda e: e[1] > 0)
            for h, pts in day_recs:
                bal[h] += pts
                assert bal[h] >= 0, f"balance of {h} negative on {d}"
            for h, cost, code, qty in day_reds:
                bal[h] -= cost
                stock_left[code] -= qty
                assert bal[h] >= 0, f"redemption overdraws {h} on {d}"
                assert stock_left[code] >= 0, f"stock of {code} negative on {d}"
    # (c) import order: all records first, then redemptions in file order
    bal = defaultdict(int)
    for r in recs:
        bal[r["户号"]] += points[r["指标编号"]] * int(r["数量"])
    for r in reds:
        bal[r["户号"]] -= item[r["商品编号"]]["points"] * int(r["数量"])
        assert bal[r["户号"]] >= 0

    if regenerate:
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp))
            for name in FILES:
                assert (Path(tmp) / name).read_bytes() == (outdir / name).read_bytes(), (
                    f"{name} is not reproducible byte for byte")

    partner = [r for r in reds if r["商店"]]
    return {
        "households": len(hh), "households_extra": len(hx), "rules": len(rules),
        "rules_with_cap": len(caps), "items": len(item), "records": len(recs),
        "rewards": sum(points[r["指标编号"]] > 0 for r in recs),
        "deductions": sum(points[r["指标编号"]] < 0 for r in recs),
        "redemptions": len(reds), "partner_redemptions": len(partner),
        "earned": earned, "deducted": deducted, "redeemed": redeemed,
        "redeemed_value_yuan": f"{value_fen // 100}.{value_fen % 100:02d}",
        "closing_balance": earned - deducted - redeemed,
        "households_without_records": inactive,
        "households_redeeming": len({r["户号"] for r in reds}),
        "ids": len(ids), "phones": len(phones),
        "ids_ending_X": sum(n.endswith("X") for n in ids),
    }


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    outdir = Path(args[0]) if args else HERE
    if "--check" not in argv:
        generate(outdir)
    summary = check(outdir)
    for key, value in summary.items():
        print(f"{key}: {value}")
    print("check: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
