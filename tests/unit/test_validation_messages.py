"""Validation errors read as Vietnamese (and English), never pydantic's English (issue 18, item 1): the
findings' own inputs (`--target III=abc`, `--kind htx`, `--signed-on 20/12/2026`) through the services' models."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from thidua_shared.clock import VIETNAM
from thidua_shared.i18n import messages
from thidua_shared.validation import Command, Day, Moment
from thidua_shared.validation_messages import explain

from thidua_awards.service_layer.commands import IssueDecision as Decide
from thidua_campaigns.service_layer.commands import Register
from thidua_registry.service_layer.commands import RegisterUnit


def problems(model: type, body: dict) -> list[dict]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    return explain(refused.value.errors())


def test_a_number_a_kind_and_a_date_are_explained_in_vietnamese_with_the_field_and_what_is_expected():
    [target] = problems(Register, {"unit": "HTX-01", "targets": [{"indicator_code": "III", "target": "abc"}]})
    assert target["message_vi"] == "Các chỉ tiêu › mục thứ 1 › Mức chỉ tiêu: cần một số (ví dụ 12,5)"
    assert target["message_en"] == "Targets › item 1 › Target: a number expected (e.g. 12.5)"
    [kind] = problems(RegisterUnit, {"code": "HTX-X", "name": "HTX X", "kind": "htx"})
    assert kind["message_vi"].startswith("Loại: phải là một trong: national_alliance, provincial_alliance")
    assert "Input should" not in kind["message_en"]


def test_dates_are_taken_as_vietnamese_readers_write_them_and_iso_too():
    class Dated(Command):
        on: Day
        at: Moment

    written = Dated.model_validate({"on": "20/12/2026", "at": "20/12/2026 17:00"})
    assert written.on == date(2026, 12, 20) and written.at == datetime(2026, 12, 20, 17, 0, tzinfo=VIETNAM)
    assert Dated.model_validate({"on": "2026-12-20", "at": "2026-12-20T17:00:00+07:00"}).at == written.at
    [big] = problems(Register, {"unit": "HTX-01", "titles": ["x"] * 21})
    assert big["message_vi"] == "Các danh hiệu: tối đa 20 mục"
    [wrong] = problems(Decide, {"number": "1/QĐ", "signed_on": "2026/20/12", "signer_title": "Chủ tịch", "nominations": ["x"]})
    assert wrong["message_vi"] == "Ngày ký: cần một ngày theo dạng dd/mm/yyyy"
    [far] = problems(Dated, {"on": "20/12/9999", "at": "20/12/2026 17:00"})
    assert far["message_vi"] == "Ngày: ngày phải trong các năm 1946–2100"


def test_every_field_a_request_can_carry_has_a_vietnamese_label():
    import importlib
    import inspect

    from pydantic import BaseModel

    seen: set[type] = set()
    fields: set[str] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            fields.add(name)
            for inner in (field.annotation, *getattr(field.annotation, "__args__", ())):
                for candidate in (inner, *getattr(inner, "__args__", ())):
                    if inspect.isclass(candidate) and issubclass(candidate, BaseModel):
                        walk(candidate)

    for service in ("registry", "campaigns", "scoring", "awards"):
        module = importlib.import_module(f"thidua_{service}.service_layer.commands")
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, BaseModel):
                walk(value)
    unlabelled = sorted(name for name in fields if f"field_{name}" not in messages("vi"))
    assert not unlabelled
