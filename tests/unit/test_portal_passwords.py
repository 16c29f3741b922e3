"""Passwords as NIST SP 800-63B asks (issue 19, item 2): length over composition, common and personal passwords
refused with the reason in both languages, Unicode compared after NFKC, Argon2id hashes that verify and never
hold the password."""

from __future__ import annotations

import unicodedata

import pytest

from thidua_portal.domain.passwords import hash_password, needs_rehash, refusal, verify
from thidua_shared.i18n import translate


@pytest.mark.parametrize(("password", "second_factor", "code"), [
    ("ngắn quá", False, "password_too_short"),  # 8 characters: enough only beside a second factor
    ("x" * 129, True, "password_too_long"),
    ("password1", True, "password_common"),
    ("abcdefghijklmnop", True, "password_pattern"),
    ("aaaaaaaaaaaaaaaa", False, "password_pattern"),
    ("NguyenVanAn-1990", False, "password_personal"),  # the person's own name, with or without diacritics
    ("thiduakhenthuong2026", False, "password_personal"),  # the system's name
])
def test_a_weak_password_is_refused_with_its_reason(password: str, second_factor: bool, code: str) -> None:
    refused = refusal(password, second_factor=second_factor, personal=["Nguyễn Văn An", "an.nv@lienminhhtx.vn"])
    assert refused is not None and refused.code == code
    assert translate(refused.code, "vi", **refused.params) != translate(refused.code, "en", **refused.params)


@pytest.mark.parametrize("password", ["chè shan tuyết suối giàng", "Hợp tác xã Quang Phục 2017!", "ngắn gọn8"])
def test_a_long_or_second_factor_password_of_any_script_is_accepted_without_composition_rules(password: str) -> None:
    assert refusal(password, second_factor=True, personal=["Nguyễn Văn An"]) is None
    if len(password) >= 15:
        assert refusal(password, second_factor=False) is None  # no digit, capital or symbol asked for


def test_argon2id_hashes_verify_after_normalisation_and_never_hold_the_password() -> None:
    composed = "chè shan tuyết suối giàng"
    stored = hash_password(composed)
    assert stored.startswith("$argon2id$") and composed not in stored and not needs_rehash(stored)
    assert verify(stored, unicodedata.normalize("NFD", composed))  # typed on a keyboard that decomposes
    assert not verify(stored, "chè shan tuyết suối giàng!") and not verify("not a hash", composed)
