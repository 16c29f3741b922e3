"""Passwords as NIST SP 800-63B (rev. 4) asks: length over composition (15 characters when the password is the
only factor, 8 beside a second factor, up to 128, spaces and any script allowed), compared after Unicode NFKC
normalisation, refused when common (zxcvbn's list of 30,000 leaked passwords), built on the person's own name or
login or this system's name, or otherwise quickly guessed (repeats, sequences, keyboard walks); never a rule
about digits or capitals, never an expiry. Stored as Argon2id (argon2-cffi, RFC 9106's low-memory profile),
rehashed at sign-in when the parameters grow."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from thidua_shared.text import search_key

MIN_ALONE, MIN_WITH_SECOND_FACTOR, MAX_LENGTH = 15, 8, 128
ZXCVBN_CHECKED = 64  # zxcvbn's time grows with length; a longer password is judged on its first 64 characters
SYSTEM_WORDS = ("thidua", "khenthuong")  # the system's name, folded (a cooperative's words are a member's own to use)
HASHER = PasswordHasher()  # Argon2id, t=3, m=64 MiB, p=4


@dataclass(frozen=True)
class Refusal:
    """Why a password is refused: a catalog code and its parameters (shown in the reader's language)."""

    code: str
    params: dict[str, object]


def normalised(password: str) -> str:
    """The form compared and hashed: NFKC, so that the same characters typed on two keyboards are one password."""
    return unicodedata.normalize("NFKC", password)


def refusal(password: str, *, second_factor: bool, personal: Iterable[str] = ()) -> Refusal | None:
    """None for an acceptable password, else the first reason it is not."""
    text = normalised(password)
    least = MIN_WITH_SECOND_FACTOR if second_factor else MIN_ALONE
    if len(text) < least:
        return Refusal("password_too_short", {"min": least})
    if len(text) > MAX_LENGTH:
        return Refusal("password_too_long", {"max": MAX_LENGTH})
    folded = search_key(text).replace(" ", "")
    context = [search_key(word).replace(" ", "") for word in personal if word and len(search_key(word).replace(" ", "")) >= 4]
    if any(word in folded for word in [*context, *SYSTEM_WORDS]):
        return Refusal("password_personal", {})
    judged = zxcvbn(text[:ZXCVBN_CHECKED], user_inputs=[search_key(word) for word in personal if word])
    if judged["score"] >= 3:
        return None
    patterns = {m["pattern"] if m["pattern"] != "dictionary" else m.get("dictionary_name") for m in judged["sequence"]}
    if "passwords" in patterns:
        return Refusal("password_common", {})
    if patterns & {"repeat", "sequence", "spatial"}:
        return Refusal("password_pattern", {})
    return Refusal("password_guessable", {})


def hash_password(password: str) -> str:
    return HASHER.hash(normalised(password))


def verify(stored: str, password: str) -> bool:
    """Whether the password is the one stored; a malformed hash is a plain no."""
    try:
        return HASHER.verify(stored, normalised(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Stored with weaker parameters than today's: hash again at the next sign-in."""
    return HASHER.check_needs_rehash(stored)
