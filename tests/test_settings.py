import os
import subprocess
import sys

import pytest
from django.conf import settings


def _settings_in_subprocess(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "NTM_TESTING")}
    env.update(env_overrides)
    code = "import ntm.settings as s; print(s.DATABASES['default']['ENGINE'], s.LANGUAGE_CODE, s.TIME_ZONE)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)


def test_secret_key_required_without_debug():
    result = _settings_in_subprocess({"DEBUG": "0", "NTM_TESTING": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_settings_from_environment():
    result = _settings_in_subprocess(
        {
            "DEBUG": "0",
            "NTM_TESTING": "0",
            "SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/whatever",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "vi", "Asia/Ho_Chi_Minh"]


def test_bad_boolean_is_refused():
    result = _settings_in_subprocess({"DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000
    assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]


def test_vietnamese_first():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _ in settings.LANGUAGES] == ["vi", "en"]
