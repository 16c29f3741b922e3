"""What people use to name a record, turned into its id: a campaign by its letter's number and symbol
("396/LMHTXVN-TTTT"), as written on the paper everyone has, or by its id."""

from __future__ import annotations

import re

from thidua_cli.client import Context
from thidua_shared.text import search_key

ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def campaign_ref(c: Context, ref: str) -> str:
    """A campaign's id from its id or its letter's number (the list is read a page at a time; campaigns are few)."""
    if ID.match(ref.strip().lower()):
        return ref.strip().lower()
    wanted, found, offset = search_key(ref), [], 0
    client = c.client("campaigns")
    while True:
        page = client.call("GET", "/campaigns", params={"limit": 500, "offset": offset})
        found += [item for item in page if item.get("letter_number") and search_key(item["letter_number"]) == wanted]
        if len(page) < 500:
            break
        offset += 500
    if len(found) == 1:
        return str(found[0]["id"])
    if not found:
        raise c.fail("campaign_ref_unknown", ref=ref)
    raise c.fail("campaign_ref_ambiguous", ref=ref, ids=", ".join(f"{i['id']} ({i['title'][:40]})" for i in found))
