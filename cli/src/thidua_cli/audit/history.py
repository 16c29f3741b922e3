"""Who changed this: every event about one thing (a unit, a nomination, a round, a decision), across
services and nodes, in the order the centre's log holds them, with who, when, where, why, and what
changed from the state before.

The events are found through the transparency log's index (each leaf's aggregate), then read from
the log itself by their stream sequence. "What changed" compares each event's payload, flattened to
dotted paths, with everything the earlier events said about the same paths: payloads carry full
snapshots, so a change shows as the fields whose value differs; a path an event does not mention
is not a removal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from thidua_shared.i18n import Language, event_name, field_name, format_moment, role_name, translate

MAX_CHANGES = 60  # per event: a snapshot of a whole table is summarised beyond this
MAX_VALUE = 200  # characters of a value shown


@dataclass(frozen=True)
class Change:
    path: str
    before: Any
    after: Any

    def label(self, language: Language = "vi") -> str:
        """The field as a person reads it ("Mã" for `unit.code`), never its path."""
        return field_name(self.path.rsplit(".", 1)[-1], language) if self.path else ""


@dataclass
class Entry:
    stream_sequence: int
    event_id: str
    type: str
    node: str
    occurred_at: datetime
    actor: str
    role: str
    actor_id: str
    reason: str | None
    changes: list[Change] = field(default_factory=list)
    more_changes: int = 0

    def row(self, language: Language = "vi") -> dict[str, Any]:
        """As JSON and the spreadsheet show it: the time in Vietnam's time zone, as a reader writes it."""
        return {
            "position": self.stream_sequence, "event_id": self.event_id, "type": self.type, "event": event_name(self.type, language),
            "node": self.node,
            "at": format_moment(self.occurred_at, language), "occurred_at": self.occurred_at.isoformat(),
            "actor": self.actor, "role": self.role, "role_name": role_name(self.role, language), "actor_id": self.actor_id, "reason": self.reason,
            "changes": [{"path": c.path, "before": c.before, "after": c.after} for c in self.changes],
            "more_changes": self.more_changes,
        }


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"unit": {"name": "A", "tags": [1]}} → {"unit.name": "A", "unit.tags[0]": 1}."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat |= flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return flat
    if isinstance(value, list):
        flat = {}
        for index, item in enumerate(value):
            flat |= flatten(item, f"{prefix}[{index}]")
        return flat or {prefix: []}
    return {prefix: value}


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE:
        return value[:MAX_VALUE] + "…"
    return value


def _reason(payload: dict[str, Any]) -> str | None:
    for key, value in flatten(payload).items():
        if key.split(".")[-1] in ("reason", "late_reason") and isinstance(value, str) and value.strip():
            return value
    return None


def history(bodies: list[tuple[int, bytes]]) -> list[Entry]:
    """The entries for these stored events (stream sequence, bytes), in log order."""
    known: dict[str, Any] = {}
    entries = []
    for position, body in sorted(bodies):
        event = json.loads(body)
        payload = event.get("payload") or {}
        flat = flatten(payload)
        changes = [Change(path, _short(known.get(path)), _short(value)) for path, value in flat.items() if known.get(path) != value]
        known |= flat
        actor = event.get("actor") or {}
        entries.append(Entry(
            stream_sequence=position, event_id=str(event.get("id")), type=str(event.get("type")), node=str(event.get("node")),
            occurred_at=datetime.fromisoformat(str(event.get("occurred_at")).replace("Z", "+00:00")),
            actor=str(actor.get("name", "")), role=str(actor.get("role", "")), actor_id=str(actor.get("id", "")),
            reason=_reason(payload), changes=changes[:MAX_CHANGES], more_changes=max(0, len(changes) - MAX_CHANGES),
        ))
    return entries


HISTORY_COLUMNS = ("at", "node", "event", "actor", "role", "why", "field", "before", "after", "event_id")


def workbook(entries: list[Entry], title: str, language: Language = "vi") -> bytes:
    """The history as a spreadsheet: one row per change (the event's columns repeated), headers, events, roles
    and fields in the reader's language."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = translate("history_sheet", language)
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([translate(f"history_column_{name}", language) for name in HISTORY_COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for entry in entries:
        head = [format_moment(entry.occurred_at, language), entry.node, event_name(entry.type, language), entry.actor,
                role_name(entry.role, language), entry.reason or ""]
        for change in entry.changes or [Change("", None, None)]:
            sheet.append([*head, change.label(language), _cell(change.before), _cell(change.after), entry.event_id])
    for column, width in zip("ABCDEFGHIJ", (22, 8, 34, 26, 18, 40, 36, 30, 30, 38)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    return value if isinstance(value, (str, int, float)) or value is None else json.dumps(value, ensure_ascii=False)
