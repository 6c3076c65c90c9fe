"""The asker phrase before ``Ask Date``: name, age bounds and label, sex."""

from __future__ import annotations

import pytest

from parsers.record import Asker
from parsers.sites.doctorqna.asker import parse_who


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chen, 30~39 year old female.", Asker("Chen", 30, 39, "30~39 year old", "female")),
        ("30~39 year old female.", Asker(None, 30, 39, "30~39 year old", "female")),
        ("Chen, 40-49 year old male", Asker("Chen", 40, 49, "40-49 year old", "male")),
        ("Chen, 30 to 39 year old", Asker("Chen", 30, 39, "30 to 39 year old", None)),
        ("Wang, under 18 female", Asker("Wang", None, 17, "under 18", "female")),
        ("Lee, 65 and above male", Asker("Lee", 65, None, "65 and above", "male")),
        ("65 or above", Asker(None, 65, None, "65 or above", None)),
        ("Mary Ann, 45 years old female", Asker("Mary Ann", 45, 45, "45 years old", "female")),
        ("Wu, 45 year old", Asker("Wu", 45, 45, "45 year old", None)),
        ("Chen, female.", Asker("Chen", sex="female")),
        ("Chen, Female", Asker("Chen", sex="female")),
        ("陳小姐，30～39 year old female", Asker("陳小姐", 30, 39, "30～39 year old", "female")),
        ("王 大明, 50~59 year old male", Asker("王 大明", 50, 59, "50~59 year old", "male")),
        ("user123, 20~29 year old male", Asker("user123", 20, 29, "20~29 year old", "male")),
        ("Chen", Asker("Chen")),
    ],
)
def test_asker_variants(text: str, expected: Asker) -> None:
    assert parse_who(text) == expected


def test_a_sentence_is_not_an_asker() -> None:
    assert parse_who("I have had this pain for many weeks and it is getting worse.") is None
