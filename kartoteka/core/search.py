"""Fragment search over CRMModel.search_text."""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D+")
_PHONE_LIKE = re.compile(r"[\d()+\-.\s]+")
MAX_TERMS = 6


def normalise_text(value: str) -> str:
    return " ".join(value.lower().replace("ё", "е").split())


def phone_digits(e164: str) -> str:
    """'+79161234567;ext=12' -> '79161234567 89161234567': the international and the Russian trunk form."""
    digits = _NON_DIGITS.sub("", e164.split(";")[0])
    variants = [digits]
    if digits.startswith("7") and len(digits) == 11:
        variants.append("8" + digits[1:])
    return " ".join(variants)


def search_terms(fragment: str) -> list[str]:
    """Terms that must all occur. A query that looks like a phone number becomes its digits."""
    text = normalise_text(fragment)
    digits = _NON_DIGITS.sub("", text)
    if text and _PHONE_LIKE.fullmatch(text) and len(digits) >= 4:
        return [digits]
    return text.split()[:MAX_TERMS]
