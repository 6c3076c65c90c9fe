"""De-identification: pseudonyms, key handling, and scrubbing tested on realistic text.

The scrub table pairs input with the exact expected output, so a pattern that grows too
greedy (eating a lab value or a date) fails as loudly as one that misses a phone number.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
from export_rows import make_row
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.export import (
    Deidentifier,
    DeidentifyPlan,
    ExportSchema,
    default_key_path,
    load_or_create_key,
    write_export,
)
from storage.export.deidentify import KEY_ENV_VAR
from storage.export.scrub import find_spans

KEY = b"k" * 32

SCRUB_CASES = [
    # --- e-mail ---
    ("Email me at chen.mei+doc@gmail.com please", "Email me at [EMAIL] please"),
    ("寄到 abc123@yahoo.com.tw 謝謝", "寄到 [EMAIL] 謝謝"),
    ("信箱：lin_88@hospital.org.tw。", "信箱：[EMAIL]。"),
    # --- phones ---
    ("Call +886 2 1234 5678 tonight", "Call [PHONE] tonight"),
    ("my cell is +886-912-345-678.", "my cell is [PHONE]."),
    ("手機0912-345-678，晚上打", "手機[PHONE]，晚上打"),
    ("手機號碼0912345678", "手機號碼[PHONE]"),
    ("診所電話(02) 2345-6789", "診所電話[PHONE]"),
    ("office 02-2345-6789 ext", "office [PHONE] ext"),
    ("US number (555) 123-4567 or 555-123-4567", "US number [PHONE] or [PHONE]"),
    ("Tel:0912 345 678.", "Tel:[PHONE]."),
    ("嘉義診所 05-1234567", "嘉義診所 [PHONE]"),
    ("Phone: 886-2-2345-6789", "Phone: [PHONE]"),
    ("UK office tel +44 20 7946 0958", "UK office tel [PHONE]"),
    ("Call 1-800-555-1234 now", "Call [PHONE] now"),
    # --- national ids ---
    ("My ID is A123456789 and SSN 123-45-6789", "My ID is [ID] and SSN [ID]"),
    ("身分證A123456789", "身分證[ID]"),
    ("身分證字號：F223456789，請幫我查", "身分證字號：[ID]，請幫我查"),
    ("居留證號碼 AC01234567", "居留證號碼 [ID]"),
    ("HKID A123456(7)", "HKID [ID]"),
    ("身份证 11010519491231002X", "身份证 [ID]"),
    ("medical record number 12345678", "medical record number [ID]"),
    ("病歷號碼：1234567，", "病歷號碼：[ID]，"),
    ("Patient No. A1234567 was seen", "Patient No. [ID] was seen"),
    # --- addresses ---
    ("I live at 123 Main Street, Apt 4B.", "I live at [ADDRESS]."),
    ("Send it to 45 Oak Ave near the park", "Send it to [ADDRESS] near the park"),
    ("Address: No. 5, Lane 10, Zhongshan Rd., Taipei", "Address: [ADDRESS]"),
    (
        "5F., No. 219, Sec. 3, Nanjing E. Rd., Zhongshan Dist., Taipei City 104, Taiwan",
        "[ADDRESS]",
    ),
    ("我住在台北市中山區南京東路三段219號5樓，最近", "我住在[ADDRESS]，最近"),
    ("家在中山路10巷5號", "家在[ADDRESS]"),
    ("公司在信義路五段7號89樓", "公司在[ADDRESS]"),
    ("身高160公分，住在桃園市中壢區中央西路二段30號", "身高160公分，住在[ADDRESS]"),
    ("地址：高雄市苓雅區四維三路2號", "地址：[ADDRESS]"),
    ("新北市板橋區文化路一段188巷44號3樓之1", "[ADDRESS]"),
    ("上海市徐汇区淮海中路999号", "[ADDRESS]"),
    # --- formats the first scrubber leaked (issue 11) ---
    ("手機13812345678", "手機[PHONE]"),
    ("身分證A123456(7)，", "身分證[ID]，"),
    ("HKID no. A123456 (7) please", "HKID no. [ID] please"),
    ("大陸手機 +86 138-1234-5678", "大陸手機 [PHONE]"),
    ("(852) 2345 6789 or 0086 13812345678", "[PHONE] or [PHONE]"),
    ("手機號碼：０９１２－３４５－６７８", "手機號碼：[PHONE]"),
    ("電話：2712-3456", "電話：[PHONE]"),
    ("健保卡號 0000 1234 5678", "健保卡號 [ID]"),
    # --- names after labels, dates of birth ---
    ("My name is Chen Wei-Lin and I am 34.", "My name is [NAME] and I am 34."),
    ("我叫王小明，今年35歲", "我叫[NAME]，今年35歲"),
    ("姓名：林志明\n年齡：45", "姓名：[NAME]\n年齡：45"),
    ("我先生李志豪的PSA是6.8", "我先生[NAME]的PSA是6.8"),
    ("Thank you.\nRegards,\nAmy Wu", "Thank you.\nRegards,\n[NAME]"),
    ("謝謝醫師。\n吳怡君 敬上", "謝謝醫師。\n[NAME] 敬上"),
    ("born on March 3, 2019, fever 38.5", "born on [DOB], fever 38.5"),
    ("出生日期：民國75年3月2日。", "出生日期：[DOB]。"),
    ("我在1979年2月14日出生", "我在[DOB]出生"),
    # --- several kinds in one text ---
    (
        "陳小姐 0912-345-678 / chen@example.com / 台中市西屯區台灣大道三段99號",
        "陳小姐 [PHONE] / [EMAIL] / [ADDRESS]",
    ),
]

# Medical text full of numbers that must come through untouched.
FALSE_POSITIVE_TRAPS = [
    "AST is 23, ALT is 20, both normal.",
    "The nodule is 1.4 cm, the other 0.55 cm.",
    "Seen on 2023/12/23 and again on 2023-12-23 and 2023.12.23.",
    "Asker is 30~39 year old female, another 65 and above.",
    "Take 500 mg twice a day, 1-2 tablets, for 3-4 weeks.",
    "Blood pressure 120/80 mmHg, pulse 72, BP 140/90.",
    "HBV DNA 12345678 IU/mL, platelets 250000/uL, LDL 130 mg/dL, HbA1c 6.5%.",
    "Clinic hours 10:00-12:00 and 14:00-17:30.",
    "Dr. Chen said in 2019 that Dr. Lee would see 5 patients.",
    "ICD-10 K21.9, eGFR 60 mL/min/1.73 m2, TSH 0.01.",
    "12月3號回診，掛號費150元，第2號診間。",
    "血壓140/90，體重65.5公斤，身高170公分，空腹血糖126 mg/dL。",
    "白血球 10500/uL，CRP 0.5 mg/dL，糖化血色素 7.2%。",
    "My ID card is expired and my passport is lost.",
    "The patient is 45 years old, patient 20230101 visit.",
    "Ultrasound showed a 2 x 3 cm cyst; follow up in 6 months (2024/06).",
    "Vitamin D 25(OH) 18 ng/mL, B12 350 pg/mL.",
    "He walked 3 km along the river.",
    "我搭這條路5號公車去醫院，住在5號病房，10號床。",
    "Clinic 0900-1200, seen 1990-05-12, WBC 4.5-11.0 x10^3/uL.",
    "BRCA1 mutation, A1C 7, lot B1234567890.",
    "我爸爸高血壓十年了，我媽媽白內障開過刀，我是高中生，醫生叫我多喝水。",
    "I was born in 1988. I'm Taiwanese. Thank you, Doctor.",
    "HBV DNA 13812345678 copies/mL after 2 years.",
    "My husband ADHD medication made him thin; my mother's Pap smear was fine.",
    "出生時體重3200公克，出生後第3天黃疸，掛號費150元。",
]


@pytest.mark.parametrize(("text", "expected"), SCRUB_CASES)
def test_scrub_replaces_identifiers(text: str, expected: str) -> None:
    assert Deidentifier.scrub(text) == expected


@pytest.mark.parametrize("text", FALSE_POSITIVE_TRAPS)
def test_scrub_leaves_medical_numbers_alone(text: str) -> None:
    assert Deidentifier.scrub(text) == text


def test_scrub_passes_none_through() -> None:
    assert Deidentifier.scrub(None) is None


def test_pseudonym_is_stable_keyed_and_site_scoped() -> None:
    deid = Deidentifier(KEY)
    first = deid.pseudonym("Chen", "doctorqna.com")
    assert re.fullmatch(r"asker_[0-9a-f]{12}", first or "")
    assert deid.pseudonym("Chen", "doctorqna.com") == first
    assert deid.pseudonym("  CHEN ", "doctorqna.com") == first, "case and spacing fold"
    assert deid.pseudonym("Ｃｈｅｎ", "doctorqna.com") == first, "full-width letters fold (NFKC)"
    assert deid.pseudonym("Chen", "other.example") != first
    assert deid.pseudonym("Lin", "doctorqna.com") != first
    assert Deidentifier(b"x" * 32).pseudonym("Chen", "doctorqna.com") != first
    assert deid.pseudonym(None, "doctorqna.com") is None
    assert deid.pseudonym("   ", "doctorqna.com") is None


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        Deidentifier(b"short")


def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = default_key_path(tmp_path / "data")
    key = load_or_create_key(path, environ={})
    assert path == tmp_path / "data" / "deidentify.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 64 and re.fullmatch(rb"[0-9a-f]{64}", key)
    assert load_or_create_key(path, environ={}) == key
    assert os.listdir(path.parent) == ["deidentify.key"], "no temp file left behind"


def test_environment_key_wins_and_matches_file_text(tmp_path: Path) -> None:
    path = tmp_path / "deidentify.key"
    file_key = load_or_create_key(path, environ={})
    env = {KEY_ENV_VAR: path.read_text(encoding="utf-8")}
    assert load_or_create_key(tmp_path / "absent.key", environ=env) == file_key
    assert not (tmp_path / "absent.key").exists(), "an env key creates no file"


def test_weak_keys_and_open_permissions_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"shorter than 16 characters.*token_hex"):
        load_or_create_key(tmp_path / "k", environ={KEY_ENV_VAR: "secret"})
    path = tmp_path / "deidentify.key"
    load_or_create_key(path, environ={})
    path.chmod(0o644)
    with pytest.raises(PermissionError, match=r"chmod 600 .*deidentify\.key"):
        load_or_create_key(path, environ={})


def test_plan_drops_name_adds_pseudonym_and_scrubs_nested_text() -> None:
    deid = Deidentifier(KEY)
    plan = DeidentifyPlan(deid, text_columns=("question_body", "answers.body"))
    row = {
        "site": "doctorqna.com",
        "asker_name": "Chen",
        "question_body": "Call me at 0912-345-678. AST is 23.",
        "answers": [{"doctor_name": "Dr. Wang", "body": "Email a@b.com"}, {"body": None}],
    }
    out = plan.apply(row)
    assert "asker_name" not in out
    assert out["asker_id"] == deid.pseudonym("Chen", "doctorqna.com")
    assert out["question_body"] == "Call me at [PHONE]. AST is 23."
    assert out["answers"] == [{"doctor_name": "Dr. Wang", "body": "Email [EMAIL]"}, {"body": None}]
    assert row["asker_name"] == "Chen", "the caller's row is not mutated"


def test_plan_scrubs_the_askers_own_name_but_not_a_doctors() -> None:
    plan = DeidentifyPlan(Deidentifier(KEY), text_columns=("question_body", "answers.body"))
    row = {
        "site": "ehospital",
        "asker_name": "王小明",
        "question_body": "醫師您好，我是王小明，王醫師說要回診。\n王小明 上",
        "answers": [{"body": "王小明您好，請回診。"}],
    }
    out = plan.apply(row)
    assert out["question_body"] == "醫師您好，我是[NAME]，王醫師說要回診。\n[NAME] 上"
    assert out["answers"] == [{"body": "[NAME]您好，請回診。"}]
    english = plan.apply(
        {
            "site": "doctorqna",
            "asker_name": "Chen",
            "question_body": "Chen again: Dr. Chen said Chenille is fine.",
            "answers": [],
        }
    )
    assert english["question_body"] == "[NAME] again: Dr. Chen said Chenille is fine."
    generic = plan.apply(
        {"site": "ehospital", "asker_name": "小姐", "question_body": "護理師小姐說", "answers": []}
    )
    assert generic["question_body"] == "護理師小姐說", "a bare honorific is not a name"


def test_plan_errors_name_the_problem() -> None:
    plan = DeidentifyPlan(Deidentifier(KEY), text_columns=("question_body",))
    with pytest.raises(KeyError, match="expects column 'asker_name'"):
        plan.apply({"site": "doctorqna.com", "question_body": "x"})
    with pytest.raises(ValueError, match="no 'site' value"):
        plan.apply({"site": None, "asker_name": "Chen", "question_body": "x"})
    with pytest.raises(TypeError, match="'question_body' holds int"):
        plan.apply({"site": "s", "asker_name": None, "question_body": 5})


def test_deidentified_export_has_no_names_and_records_settings_not_key(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "data" / "deidentify.key", environ={})
    plan = DeidentifyPlan(Deidentifier(key), text_columns=("question_body", "answers.body"))
    schema = ExportSchema.of(
        [
            ("external_id", "string", "article id"),
            ("site", "string", "site"),
            ("asker_id", "string", "pseudonymous asker id"),
            ("question_body", "string", "question, scrubbed"),
            ("answers", "list<struct<doctor_name:string,body:string,replied_on:date>>", "replies"),
        ]
    )
    keep = ("external_id", "site", "asker_name", "question_body", "answers")
    rows = ({k: make_row(i)[k] for k in keep} for i in range(6))
    out = tmp_path / "export" / "qa.jsonl"
    write_export(rows, schema=schema, fmt="jsonl", out=out, deidentify=plan)

    data = out.read_text(encoding="utf-8")
    records = [json.loads(line) for line in data.splitlines()]
    assert "Chen" not in data and "0912-345-678" not in data
    assert records[0]["asker_id"] == plan.deidentifier.pseudonym("Chen 0", "doctorqna.com")
    assert records[2]["asker_id"] is None
    assert records[0]["question_body"].endswith("call [PHONE] (0)")
    assert "AST is 23, ALT is 20" in records[0]["question_body"]

    manifest_text = (out.parent / "qa.jsonl.manifest.json").read_text(encoding="utf-8")
    assert key.decode() not in manifest_text
    settings = json.loads(manifest_text)["deidentification"]
    assert settings == plan.settings()
    assert settings["scrubbed_columns"] == ["question_body", "answers.body"]
    assert settings["name_column_removed"] == "asker_name"
    assert settings["pseudonym"]["key_id"] == plan.deidentifier.key_id
    assert settings["placeholders"] == [
        "[ADDRESS]",
        "[DOB]",
        "[EMAIL]",
        "[ID]",
        "[NAME]",
        "[PHONE]",
    ]
    assert os.listdir(out.parent) == ["qa.jsonl", "qa.jsonl.manifest.json"], "key stays outside"


_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ 0123456789-+()./@:號路街段巷樓之中山區市台北No,\n")),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_scrub_is_idempotent(text: str) -> None:
    once = Deidentifier.scrub(text)
    assert Deidentifier.scrub(once) == once


_NUMERALS = set("〇零○一二三四五六七八九十百")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80).filter(lambda t: "@" not in t and "＠" not in t))
def test_without_digits_only_names_and_spelled_out_emails_can_be_found(text: str) -> None:
    """Phones, ids, dates and addresses all need digits: none may appear out of letters."""
    text = "".join(c for c in text if not c.isdigit() and c not in _NUMERALS)
    assert {span.kind for span in find_spans(text)} <= {"NAME", "EMAIL"}
