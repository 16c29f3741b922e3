"""Text helpers shared by the services."""

from anyascii import anyascii


def search_key(text: str) -> str:
    """Lower-case ASCII folding, so that 'Hải Phòng', 'hai phong' and 'HAI PHONG' all match."""
    return " ".join(anyascii(text).lower().split())
