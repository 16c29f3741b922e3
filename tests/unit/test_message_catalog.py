"""One message catalog (issue 18, item 1): every code the services and the CLI can show a person is in the
gettext catalogs of both languages, with the same placeholders; the codes are extracted from the sources
with Babel, as `pybabel extract` would (the error classes, `translate`, the CLI's `say`/`fail`/`_t`, the
import checks' `add`)."""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

from babel.messages.extract import extract_from_dir

from thidua_shared.i18n import LANGUAGES, messages, translate

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "libs" / "shared" / "src", *sorted((ROOT / "services").glob("*/src")), ROOT / "cli" / "src"]
CODE = re.compile(r"^[a-z0-9_]+$")
# The call and the position of its message code, as `pybabel extract -k` takes them.
KEYWORDS = {name: None for name in ("AppError", "Invalid", "NotFound", "Conflict", "Unauthorized", "Forbidden", "PayloadTooLarge",
                                    "ServiceUnavailable", "translate", "say", "fail", "list_table")} | {"_t": (2,), "add": (3,)}
EVERY_ARGUMENT = {"list_table"}  # a list's column headers: every code it is given, after the context


def extract_codes(fileobj, keywords, comment_tags, options):  # type: ignore[no-untyped-def]
    """A Babel extraction method for message codes: like Babel's Python extractor, but a code chosen by a condition
    (`say("a" if done else "b")`) gives both codes, not the two strings run together."""
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in keywords:
            continue
        if name in EVERY_ARGUMENT:
            for argument in node.args[1:]:
                for literal in _literals(argument):
                    yield node.lineno, name, literal, []
            continue
        position = (KEYWORDS[name] or (1,))[0] - 1  # Babel hands the method the names only, and picks by position itself
        if len(node.args) > position:
            for literal in _literals(node.args[position]):
                arguments = [None] * position + [literal]
                yield node.lineno, name, tuple(arguments) if position else literal, []


def _literals(expression: ast.expr) -> list[str]:
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return [expression.value]
    if isinstance(expression, ast.IfExp):
        return _literals(expression.body) + _literals(expression.orelse)
    return []


def extracted() -> dict[str, str]:
    """code → where it is first used."""
    found: dict[str, str] = {}
    for folder in SOURCES:
        for filename, line, message, _comments, _context in extract_from_dir(folder, method_map=[("**.py", extract_codes)], keywords=KEYWORDS):
            if isinstance(message, str) and CODE.match(message):
                found.setdefault(message, f"{folder.relative_to(ROOT)}/{filename}:{line}")
    return found


def placeholders(text: str) -> set[str]:
    """The values a message takes; `{status_vi}` and `{status_en}` are one value in its two languages."""
    return {re.sub(r"_(vi|en)$", "", name) for name in re.findall(r"\{(\w+)", text)}


def test_every_code_in_the_sources_has_its_message_in_both_languages():
    codes = extracted()
    assert len(codes) > 300  # the extraction sees the sources
    for language in LANGUAGES:
        missing = {code: where for code, where in codes.items() if code not in messages(language)}
        assert not missing, f"codes without a {language} message: {missing}"


def test_both_languages_hold_the_same_messages_with_the_same_placeholders():
    vi, en = messages("vi"), messages("en")
    assert set(vi) == set(en), f"only in one language: {sorted(set(vi) ^ set(en))}"
    differing = {code: (vi[code], en[code]) for code in vi if placeholders(vi[code]) != placeholders(en[code])}
    assert not differing
    assert all(unicodedata.is_normalized("NFC", text) for text in vi.values())  # Vietnamese text is NFC


def test_a_message_is_found_by_its_code_and_filled_in():
    assert translate("unit_not_found", "vi", ref="HTX-01") == "Không tìm thấy đơn vị «HTX-01»."
    assert translate("unit_not_found", "en", ref="HTX-01") == "Unit 'HTX-01' not found."


def test_a_state_or_a_step_is_shown_by_its_label_in_each_language_never_by_its_code():
    from thidua_shared.errors import Conflict
    from thidua_shared.i18n import Label

    refused = Conflict("nomination_wrong_state", action=Label("nomination_action_submit"), state=Label("nomination_state_decided"))
    assert refused.message("vi") == "Hồ sơ đang ở bước «Đã có quyết định khen thưởng»: không thể «Gửi lên»."
    assert refused.message("en") == "The nomination is 'Decided': 'Submission' is not possible now."


def test_every_event_type_role_and_record_kind_has_a_label_a_person_reads():
    """Codes made from data, not written in the sources: an event's type in `audit history`, a token's role, the
    history's columns, and the kinds of record a reference names (`scoring table CUM-X/2017`)."""
    import thidua_shared.events.all  # noqa: F401  (every service's events, into the catalog)
    from thidua_cli.audit.history import HISTORY_COLUMNS
    from thidua_shared.events.catalog import CATALOG
    from thidua_shared.events.scoring import Period
    from thidua_shared.i18n import event_name, role_name
    from thidua_shared.roles import Role

    for language in LANGUAGES:
        assert all(event_name(t, language) != t for t, _ in CATALOG), [t for t, _ in CATALOG if event_name(t, language) == t]
        assert all(role_name(r, language) != r for r in Role)
        for code in [f"history_column_{c}" for c in HISTORY_COLUMNS] + [f"ref_{k}" for k in ("campaign", "round", "pledge", "ballot",
                                                                                              "nomination", "decision")] + [
                "posting_status_open", "posting_status_closed", "registration_active", "registration_withdrawn",
                *(f"report_period_{p}" for p in Period), *(f"ballot_status_{s}" for s in ("keys", "open", "counting", "closed"))]:
            assert code in messages(language), code
    assert event_name("campaigns.campaign_launched", "vi") == "Phát động phong trào"
