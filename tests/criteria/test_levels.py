"""The recognition levels loader (ntm.criteria.levels): the shipped file, the setting that points
at another file, and a clear error for a bad file."""

import json

import pytest
from django.core.exceptions import ValidationError

from ntm.criteria import levels
from ntm.criteria.levels import LevelsFileError, read_levels


def test_the_shipped_levels_in_their_order_with_sources():
    shipped = levels.read_levels(levels.DEFAULT_FILE)
    assert [lv.code for lv in shipped] == [
        "ntm",
        "advanced",
        "model",
        "village_ntm",
        "district_ntm",
    ]
    assert levels.commune_levels() == ["ntm", "advanced", "model"]
    by_code = {lv.code: lv for lv in shipped}
    assert by_code["advanced"].requires == "ntm"
    assert by_code["model"].requires == "advanced"
    assert by_code["district_ntm"].unit_level == "district"
    assert "318/QĐ-TTg (08/3/2022), Phụ lục II" in by_code["advanced"].source["decisions"]
    assert "319/QĐ-TTg (08/3/2022)" in by_code["model"].source["decisions"]
    assert levels.label("advanced") == "Nông thôn mới nâng cao"
    assert levels.noun("model") == "xã đạt chuẩn nông thôn mới kiểu mẫu"
    assert levels.label("gone") == "gone"  # a code from an older file prints as itself


def test_validator_accepts_levels_of_the_data_only():
    levels.validate_level("advanced")
    levels.validate_level("")
    with pytest.raises(ValidationError, match="smart"):
        levels.validate_level("smart")


def _write(tmp_path, data, name="levels.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _level(code, **extra):
    return {
        "code": code,
        "label": code,
        "unit_level": "commune",
        "order": 1,
        "noun": code,
        "source": {"note": "test"},
        **extra,
    }


BASE = [_level("ntm"), _level("village_ntm", unit_level="village", order=2)]


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "cannot be read as JSON"),
        ({"levels": []}, "at least one level"),
        ([1, 2], "at least one level"),
        ({"levels": [*BASE, _level("ntm")]}, "duplicate level codes"),
        ({"levels": [BASE[1]]}, "level 'ntm' is missing"),
        ({"levels": [*BASE, _level("x", unit_level="hamlet")]}, "unit_level 'hamlet'"),
        ({"levels": [*BASE, _level("x", requires="nowhere")]}, "requires 'nowhere'"),
        ({"levels": [*BASE, _level("x", order="first")]}, "order 'first'"),
        ({"levels": [*BASE, _level("x", source={})]}, "needs its source"),
        ({"levels": [*BASE, _level("mức")]}, "must be ASCII"),
        ({"levels": [*BASE, {"code": "x", "label": "x"}]}, "has no 'unit_level'"),
    ],
)
def test_a_bad_file_is_a_clear_error(tmp_path, content, message):
    path = _write(tmp_path, content)
    with pytest.raises(LevelsFileError, match=message) as info:
        read_levels(path)
    assert str(path) in str(info.value)


def test_a_missing_file_names_the_setting(tmp_path, settings):
    settings.NTM_RECOGNITION_LEVELS_FILE = str(tmp_path / "none.json")
    with pytest.raises(LevelsFileError, match="NTM_RECOGNITION_LEVELS_FILE"):
        levels.codes()


def test_the_setting_points_at_another_file_and_the_cache_follows(tmp_path, settings):
    extra = _write(tmp_path, {"levels": [*BASE, _level("hamlet_model", order=0)]})
    settings.NTM_RECOGNITION_LEVELS_FILE = str(extra)
    assert levels.codes() == ["hamlet_model", "ntm", "village_ntm"]
    assert levels.choices("village") == [("village_ntm", "village_ntm")]
    settings.NTM_RECOGNITION_LEVELS_FILE = ""
    assert "hamlet_model" not in levels.codes()
    assert levels.codes()[:3] == ["ntm", "advanced", "model"]


def test_every_text_of_the_shipped_levels_is_in_the_catalogues():
    from django.utils import translation

    from ntm.criteria.level_messages import MESSAGES

    shipped = json.loads(levels.DEFAULT_FILE.read_text(encoding="utf-8"))["levels"]
    texts = {lv[key] for lv in shipped for key in ("label", "short", "noun")}
    assert set(MESSAGES) == texts
    with translation.override("en"):
        untranslated = [lv.code for lv in levels.all_levels() if lv.label == lv.label_vi]
    assert not untranslated, untranslated
