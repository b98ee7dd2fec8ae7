"""Crashes: an import killed midway leaves the database as it was; a server killed and started
again has lost nothing it had answered 2xx for.

The imports and the server run as real processes (`ntm import ...`, `ntm serve`) against a
scratch database of the engine the suite runs on (tests/scratch_db.py), and are killed with
SIGKILL: no rollback, no clean-up, as with a power cut of the process or the OOM killer. The
imports die at a chosen row through ntm.faults.maybe_die (NTM_FAULT_AFTER_ROWS).
"""

import datetime
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from openpyxl import Workbook, load_workbook

from bench.filling import fill_assessments
from tests.scratch_db import NTM, ROOT, scratch_database

pytestmark = pytest.mark.slow

KILLED = -signal.SIGKILL
WATCHED = [
    "assessments.Assessment",
    "assessments.HistoricalAssessment",
    "assessments.IndicatorValue",
    "assessments.HistoricalIndicatorValue",
    "assessments.CriterionResult",
    "assessments.StateChange",
    "assessments.Recognition",
    "assessments.HistoricalRecognition",
]


def _watched(db) -> dict[str, int]:
    counts = db.counts()
    return {label: counts[label] for label in WATCHED}


def test_assessments_import_killed_midway_leaves_the_database_as_before(tmp_path):
    with scratch_database(tmp_path) as db:
        # The xã of Bạch Thông (063), Bắc Kạn, 2024: small enough to import twice quickly.
        template, filled = tmp_path / "mau.xlsx", tmp_path / "ketqua.xlsx"
        db.ntm(
            "template",
            "assessments",
            "--unit",
            "063",
            "--year",
            "2024",
            "--set",
            "NTM-XA-2021",
            "-o",
            template,
        )
        fill_assessments(template, filled)
        communes = load_workbook(filled)["KetQua"].max_row - 2
        assert communes >= 10
        before = _watched(db)
        assert before["assessments.Assessment"] > 0  # the demo's 2022 and 2023 results

        # Rows, values and results are written and every xã recomputed (one call each), then
        # the approval loop (one call each) dies halfway, after some workflow steps
        # (StateChange rows) were written.
        killed = db.ntm(
            "import",
            "assessments",
            filled,
            "--state",
            "approved",
            check=False,
            extra_env={
                "NTM_FAULT_AFTER_ROWS": str(communes + communes // 2),
                "NTM_FAULT_POINT": "import",
            },
        )
        assert killed.returncode == KILLED, killed.stderr[-2000:]
        assert db.integrity_check() == "ok"
        assert _watched(db) == before

        db.ntm("import", "assessments", filled, "--state", "approved")  # the file is valid
        after = _watched(db)
        assert after["assessments.Assessment"] == before["assessments.Assessment"] + communes
        assert after["assessments.IndicatorValue"] > before["assessments.IndicatorValue"]
        assert after["assessments.StateChange"] > before["assessments.StateChange"]


# Communes with no decision yet; their decisions go in as a history import (the demo recognises
# nearly every commune meeting all criteria in 2023, as the province published).
RECOGNISABLE = """
from ntm.assessments.models import Assessment
extra = list(
    Assessment.objects.filter(year=2023, criteria_set__code="NTM-XA-2021", state="approved",
                              unit__recognitions__isnull=True)
    .order_by("unit__code").values_list("unit__code", flat=True)[:20]
)
"""


def test_recognitions_import_killed_midway_leaves_the_database_as_before(tmp_path):
    with scratch_database(tmp_path) as db:
        state = db.state(RECOGNISABLE)
        codes = state["extra"]
        assert len(codes) == 20
        before = {label: state["counts"][label] for label in WATCHED}
        wb = Workbook()
        ws = wb.active
        ws.title = "CongNhan"
        ws.append(
            [
                "Mã xã",
                "Mã bộ tiêu chí",
                "Số quyết định",
                "Ngày quyết định",
                "Công nhận/Thu hồi",
                "Năm",
            ]
        )
        for n, code in enumerate(codes, start=1):
            ws.append(
                [code, "NTM-XA-2021", f"{n}/QĐ-UBND", datetime.date(2024, 1, 15), "Công nhận", 2023]
            )
        path = tmp_path / "cong-nhan.xlsx"
        wb.save(path)

        history = ("--history-before", "01/02/2024", "--history-reason", "Nạp lịch sử (kiểm thử)")
        killed = db.ntm(
            "import",
            "recognitions",
            path,
            *history,
            check=False,
            extra_env={"NTM_FAULT_AFTER_ROWS": "10"},
        )
        assert killed.returncode == KILLED, killed.stderr[-2000:]
        assert db.integrity_check() == "ok"
        assert _watched(db) == before

        db.ntm("import", "recognitions", path, *history)
        after = _watched(db)
        assert after["assessments.Recognition"] == before["assessments.Recognition"] + 20


# -- the server -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    def __init__(self, db, log_path):
        self.port = _free_port()
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [*NTM, "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
            env=db.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(self.url("/healthz"), timeout=5).close()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise AssertionError(f"ntm serve did not start; see {log_path}") from None
                time.sleep(0.3)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method: str, path: str, body=None, token=None, form=False):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        data = None
        if body is not None:
            if form:
                data = "&".join(f"{k}={v}" for k, v in body.items()).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url(path), data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")[:2000]

    def kill(self) -> None:
        """SIGKILL the gunicorn master and its workers at once (the whole session)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.log.close()


INDICATORS = """
from ntm.criteria.models import Indicator
from ntm.units.models import Unit
rows = list(Indicator.objects.filter(criterion__criteria_set__code="NTM-XA-2021")
            .order_by("criterion__number", "pk").values_list("code", "kind"))
codes = [c for c, _k in rows]
unique = [(c, k) for c, k in rows if codes.count(c) == 1]
extra = {
    "unit": Unit.objects.get(level=3, code="02005", valid_to__isnull=False).pk,
    "numbers": [c for c, k in unique if k == "number"][:3],
    "booleans": [c for c, k in unique if k == "boolean"][:6],
}
"""


def test_server_killed_and_restarted_keeps_what_it_answered_2xx_for(tmp_path):
    with scratch_database(tmp_path) as db:
        info = db.state(INDICATORS)["extra"]
        assert info["numbers"] and info["booleans"]
        server = _Server(db, tmp_path / "serve.log")
        try:
            status, body = server.request(
                "POST",
                "/api/v1/auth/token/",
                {"username": "quanha", "password": "ntm-demo-2025"},
                form=True,
            )
            assert status == 200, body
            token = body["token"]
            status, body = server.request(
                "POST",
                "/api/v1/assessments/",
                {"unit": info["unit"], "year": 2024, "criteria_set": "NTM-XA-2021"},
                token,
            )
            assert status == 201, body
            pk, version = body["id"], body["version"]
            saved = {}
            for n, code in enumerate(info["booleans"]):  # one write per request
                saved[code] = n % 2 == 0
                status, body = server.request(
                    "POST",
                    f"/api/v1/assessments/{pk}/save/",
                    {"version": version, "values": {code: saved[code]}},
                    token,
                )
                assert status == 200, body
                version = body["version"]
            numbers = {code: 70 + n for n, code in enumerate(info["numbers"])}
            status, body = server.request(
                "POST",
                f"/api/v1/assessments/{pk}/save/",
                {"version": version, "values": numbers},
                token,
            )
            assert status == 200, body
            version = body["version"]
            saved.update(numbers)
        finally:
            server.kill()

        server = _Server(db, tmp_path / "serve.log")
        try:
            status, body = server.request("GET", f"/api/v1/assessments/{pk}/", token=token)
        finally:
            server.kill()
        assert status == 200, body
        assert body["version"] == version
        stored = {
            v["indicator"]: v["value_bool"] if v["value_number"] is None else v["value_number"]
            for v in body["values"]
        }
        expected = {
            code: (value if isinstance(value, bool) else f"{value}")
            for code, value in saved.items()
        }
        got = {
            code: (value if isinstance(value, bool) else f"{float(value):g}")
            for code, value in stored.items()
        }
        assert got == expected
        assert db.integrity_check() == "ok"
