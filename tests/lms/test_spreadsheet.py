"""Spreadsheet helpers the imports share: labels folded (diacritics, case, separators) and
phone numbers normalised."""

import pytest

from lms.spreadsheet import fold, normalise_phone


def test_labels_with_or_without_diacritics_and_in_any_case():
    assert fold("Trưởng thôn, bản") == fold("truong_thon_ban") == fold("TRƯỞNG THÔN BẢN")
    assert fold("Nữ") == fold("nu") == fold("NU")
    assert fold("Xã") == fold("xa")


@pytest.mark.parametrize(
    "text, expected",
    [("+84 912 345 678", "0912345678"), ("84912345678", "0912345678"),
     ("0912.345.678", "0912345678"), ("912345678", "0912345678"),
     ("024 3825 1234", "02438251234"), ("12345", None), ("0112345678", None)],
)  # fmt: skip
def test_phone_numbers_are_normalised(text, expected):
    assert normalise_phone(text) == expected
