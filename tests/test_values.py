"""ID numbers (身份证号): 18 characters, the GB 11643 check digit, a real birth date, and one
household per number."""

from __future__ import annotations

from test_imports import ledger_state, write_csv

H001_ID = "540102199001011233"  # the village fixture's H001 次仁卓玛


def test_an_id_number_must_be_a_real_one(village):
    before = ledger_state(village)
    for bad, words in (
        ("540102199001011234", "fails its check digit"),   # the last digit mistyped
        ("999999999999999999", "fails its check digit"),
        ("999999999999999993", "birth date 99999999"),     # right check digit, no such date
        ("540102199002301232", "birth date 19900230"),
        ("540102189912311238", "birth date 18991231"),     # before 1900
        ("540102203001011232", "birth date 20300101"),     # after today
        ("54010219900101123", "18 characters"),
    ):
        r = village.refused("household", "add", "H009", "尼玛", "--id-number", bad)
        assert bad in r.stderr and words in r.stderr, (bad, r.stderr)
    r = village.refused("household", "add", "H009", "尼玛", "--id-number", "540102199001011234",
                        lang="zh")
    assert "校验位不对" in r.stderr
    r = village.refused("household", "add", "H009", "尼玛", "--id-number", "999999999999999993",
                        lang="zh")
    assert "出生日期 99999999 无效" in r.stderr
    assert ledger_state(village) == before
    village.ok("household", "add", "H009", "尼玛", "--id-number", "54010219900101571x")
    assert village.json("household", "show", "H009", "--private")["id_number"] == "54010219900101571X"


def test_an_id_number_belongs_to_one_household(village):
    before = ledger_state(village)
    r = village.refused("household", "add", "H009", "བཀྲ་ཤིས་", "--id-number", H001_ID)
    assert "already registered to H001 次仁卓玛" in r.stderr
    assert H001_ID not in r.stderr and "540102********1233" in r.stderr
    r = village.refused("household", "add", "H009", "བཀྲ་ཤིས་", "--id-number", H001_ID, lang="zh")
    assert "已登记在 H001 次仁卓玛 名下" in r.stderr
    assert ledger_state(village) == before


def test_imported_id_numbers_are_checked_against_the_register_and_the_file(village, tmp_path):
    path = write_csv(tmp_path / "户籍.csv", [
        ["户号", "户主", "身份证号"],
        ["H010", "拉巴", "540600198503150022"],
        ["H011", "次仁", H001_ID],                 # H001 has it
        ["H012", "བཀྲ་ཤིས་", "540600198503150022"],  # the same as row 2
        ["H013", "尼玛", "540600198503150023"],      # check digit
        ["H014", "格桑", ""],
    ])
    before = ledger_state(village)
    r = village.refused("import", "households", str(path))
    lines = [line for line in r.stderr.splitlines() if line.startswith(str(path))]
    assert lines == [
        f"{path}:3: ID number 540102********1233 is already registered to H001 次仁卓玛: an ID "
        "number belongs to one household only",
        f"{path}:4: the same ID number as row 2: an ID number belongs to one household only",
        f"{path}:5: ID number 540600198503150023 fails its check digit (GB 11643): a digit is "
        "probably mistyped; copy it from the card again",
    ]
    r = village.refused("import", "households", str(path), lang="zh")
    assert f"{path}:4: 身份证号与第 2 行相同" in r.stderr
    assert ledger_state(village) == before
