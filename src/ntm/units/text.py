"""Text helpers for Vietnamese names: search without diacritics."""

from unidecode import unidecode


def fold(text: str) -> str:
    """Lower-case ASCII form used for searching ("Quân Hà" -> "quan ha")."""
    return " ".join(unidecode(text or "").lower().replace("đ", "d").split())
