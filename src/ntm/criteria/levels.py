"""Recognition levels as data: `criteria/data/recognition_levels.json` (or the file the setting
`NTM_RECOGNITION_LEVELS_FILE` names) lists every level a unit can be recognised at, with its
label, the kind of unit it applies to, its order, the level it builds on, the annual report's
phrase and its legal source. Adding a level is a change of that file only: the database stores
the code in a CharField checked against this list (`validate_level`), never a model choice.

The file is read once and cached; a change of the setting (tests) clears the cache.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.signals import setting_changed
from django.utils.translation import gettext as _

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "recognition_levels.json"
UNIT_LEVELS = ("commune", "district", "village")  # criteria.models.AppliesTo values

# Codes the program itself names (the base level a commune's progress is measured against, the
# village level a plan metric counts). Every other level exists only in the data file.
NTM = "ntm"
VILLAGE_NTM = "village_ntm"
REQUIRED_CODES = (NTM, VILLAGE_NTM)


class LevelsFileError(ImproperlyConfigured):
    """The levels file is missing, not JSON or not of the expected shape."""


@dataclass(frozen=True)
class RecognitionLevel:
    code: str
    label_vi: str
    short_vi: str
    unit_level: str
    order: int
    requires: str | None
    noun_vi: str
    aliases: tuple[str, ...]
    source: dict

    @property
    def label(self) -> str:
        return _(self.label_vi)

    @property
    def short(self) -> str:
        return _(self.short_vi)

    @property
    def noun(self) -> str:
        return _(self.noun_vi)


def levels_file() -> Path:
    return Path(getattr(settings, "NTM_RECOGNITION_LEVELS_FILE", "") or DEFAULT_FILE)


def _fail(path: Path, message: str):
    raise LevelsFileError(f"{path}: {message}")


def _level(path: Path, i: int, raw) -> RecognitionLevel:
    if not isinstance(raw, dict):
        _fail(path, f"level {i + 1} is not an object")
    for key in ("code", "label", "unit_level", "order", "noun", "source"):
        if key not in raw:
            _fail(path, f"level {i + 1} ({raw.get('code', '?')}) has no {key!r}")
    code = raw["code"]
    if not isinstance(code, str) or not code or len(code) > 20 or not code.isascii():
        _fail(path, f"level {i + 1}: code {code!r} must be ASCII text of 1-20 characters")
    if raw["unit_level"] not in UNIT_LEVELS:
        _fail(path, f"{code}: unit_level {raw['unit_level']!r} is not one of {UNIT_LEVELS}")
    if not isinstance(raw["order"], int):
        _fail(path, f"{code}: order {raw['order']!r} is not a whole number")
    if not raw["source"]:
        _fail(path, f"{code}: a level needs its source (the legal basis, or why there is none)")
    return RecognitionLevel(
        code=code,
        label_vi=str(raw["label"]),
        short_vi=str(raw.get("short") or raw["label"]),
        unit_level=raw["unit_level"],
        order=raw["order"],
        requires=raw.get("requires") or None,
        noun_vi=str(raw["noun"]),
        aliases=tuple(str(a) for a in raw.get("aliases", ())),
        source=raw["source"],
    )


def read_levels(path: Path) -> tuple[RecognitionLevel, ...]:
    """The levels of a file in their order; LevelsFileError naming the file and the fault."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail(path, "no such file (setting NTM_RECOGNITION_LEVELS_FILE)")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(path, f"cannot be read as JSON: {exc}")
    raw_levels = data.get("levels") if isinstance(data, dict) else None
    if not isinstance(raw_levels, list) or not raw_levels:
        _fail(path, 'expected {"levels": [...]} with at least one level')
    levels = [_level(path, i, raw) for i, raw in enumerate(raw_levels)]
    codes = [lv.code for lv in levels]
    if len(set(codes)) != len(codes):
        _fail(path, f"duplicate level codes in {codes}")
    for code in REQUIRED_CODES:
        if code not in codes:
            _fail(path, f"level {code!r} is missing (the program names it)")
    for lv in levels:
        if lv.requires is not None and lv.requires not in codes:
            _fail(path, f"{lv.code}: requires {lv.requires!r}, which is not a level")
    return tuple(sorted(levels, key=lambda lv: (lv.order, lv.code)))


@lru_cache(maxsize=1)
def _cached(path: str) -> tuple[RecognitionLevel, ...]:
    return read_levels(Path(path))


def all_levels() -> tuple[RecognitionLevel, ...]:
    return _cached(str(levels_file()))


def codes() -> list[str]:
    return [lv.code for lv in all_levels()]


def get(code: str) -> RecognitionLevel | None:
    return next((lv for lv in all_levels() if lv.code == code), None)


def label(code: str) -> str:
    """A level's label; an unknown code (data from an older file) as itself."""
    level = get(code)
    return level.label if level else code


def noun(code: str) -> str:
    level = get(code)
    return level.noun if level else code


def labels() -> dict[str, str]:
    """code -> label, in the levels' order."""
    return {lv.code: lv.label for lv in all_levels()}


def choices(unit_level: str | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs for forms and serializers; callable, so a form reads the file anew."""
    return [(lv.code, lv.label) for lv in all_levels() if unit_level in (None, lv.unit_level)]


def commune_levels() -> list[str]:
    """The levels a commune (xã) is recognised at, in their order: ntm, advanced, model, …"""
    return [lv.code for lv in all_levels() if lv.unit_level == "commune"]


def is_level(code) -> bool:
    return isinstance(code, str) and get(code) is not None


def validate_level(value) -> None:
    """Model and form validator: the value is a level of the data file."""
    if value in ("", None):
        return
    if not is_level(value):
        raise ValidationError(
            _("Mức công nhận “%(value)s” không có trong danh sách mức công nhận."),
            code="invalid_level",
            params={"value": value},
        )


def _clear(*, setting, **kwargs):
    if setting == "NTM_RECOGNITION_LEVELS_FILE":
        _cached.cache_clear()


setting_changed.connect(_clear)


def level_field(verbose_name, **kwargs):
    """The CharField every model stores a level in: checked against the data, no choices (a new
    level needs no migration)."""
    from django.db import models

    return models.CharField(verbose_name, max_length=20, validators=[validate_level], **kwargs)


class LevelDisplayMixin:
    """`get_level_display()` for a model with a `level` field (Django adds one for choices only)."""

    def get_level_display(self) -> str:
        return label(self.level) if self.level else ""
