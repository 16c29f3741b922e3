"""Text helpers shared by the services."""

import re
import unicodedata

from anyascii import anyascii

# C0 and C1 control characters but tab, line feed and carriage return; also the Unicode
# non-characters and lone surrogates that some spreadsheets carry.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def search_key(text: str) -> str:
    """Lower-case ASCII folding, so that 'Hải Phòng', 'hai phong' and 'HAI PHONG' all match."""
    return " ".join(anyascii(text).lower().split())


def clean_text(text: str) -> str:
    """Text as it is stored: Unicode NFC (Vietnamese typed on different keyboards compares equal),
    control characters removed (tab and newline kept)."""
    normalized = unicodedata.normalize("NFC", text)
    if CONTROL.search(normalized) is None:
        return normalized
    return CONTROL.sub("", normalized)
