"""Every write to OCOP data. Keyword-only arguments; refusals raise `OcopError` with a
Vietnamese message (`field` names the argument at fault).

Who may write (`user=None` is the command line, a trusted caller):
- subjects and products: province coordinators, district and commune officers, superusers, for
  units they may write to (their subtree);
- rounds, scores and decisions: province coordinators and district officers (the councils),
  superusers. National viewers and department officers read only.
"""

import datetime
import json
from decimal import Decimal, InvalidOperation
from importlib import resources

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ntm import versioning
from ntm.accounts.models import Role
from ntm.accounts.scope import scope_for, system_scope
from ntm.limits import instance_too_long
from ntm.ocop import rules
from ntm.ocop.models import (
    Certificate,
    CycleStage,
    Evaluation,
    EvaluationRound,
    LineStatus,
    Outcome,
    Product,
    Score,
    ScoringLine,
    ScoringSheet,
    Subject,
    SubjectKind,
)
from ntm.units.models import Level, Unit

PRODUCT_WRITERS = {Role.PROVINCE_COORDINATOR, Role.DISTRICT_OFFICER, Role.COMMUNE_OFFICER}
COUNCIL_WRITERS = {Role.PROVINCE_COORDINATOR, Role.DISTRICT_OFFICER}
MAX_POINTS = Decimal("100")


class OcopError(ValueError):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class StaleVersionError(OcopError, versioning.StaleVersionError):
    """Someone else saved the record since this user loaded it (the API answers 409)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message, field)


class OcopDataError(ValueError):
    """The shipped data is malformed (a developer's error, in English)."""


# -- rights ----------------------------------------------------------------------------------


def _can(user, unit: Unit, roles) -> bool:
    return (system_scope() if user is None else scope_for(user)).may_write(unit, roles)


def can_write_products(user, unit: Unit) -> bool:
    return _can(user, unit, PRODUCT_WRITERS)


def can_write_council(user, unit: Unit) -> bool:
    return _can(user, unit, COUNCIL_WRITERS)


def can_create(user, *, council: bool = False) -> bool:
    if user is None:
        return True
    return scope_for(user).may_write(None, COUNCIL_WRITERS if council else PRODUCT_WRITERS)


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied(_("Bạn không có quyền sửa dữ liệu OCOP của đơn vị này."))


def _save(obj, user) -> None:
    if user is not None:
        obj._history_user = user
    versioning.bump_on_save(obj)
    if (refusal := instance_too_long(obj)) is not None:  # before PostgreSQL refuses it
        raise OcopError(refusal[1], refusal[0])
    obj.save()


def _lock(obj, version):
    """The stored row of a record being changed, locked, checked against the version the user
    read (None: a trusted caller that does not check)."""
    return versioning.lock(obj, version, error=StaleVersionError)


# -- scoring sheets (shipped data) -----------------------------------------------------------


def shipped_sheets() -> dict[str, dict]:
    folder = resources.files("ntm.ocop").joinpath("data")
    out = {}
    for item in folder.iterdir():
        if item.name.startswith("OCOP-") and item.name.endswith(".json"):
            data = json.loads(item.read_text("utf-8"))
            out[data["code"]] = data
    return out


def validate_sheet_data(data: dict) -> None:
    code = data.get("code", "?")
    for key in (
        "code",
        "name",
        "decision",
        "valid_from",
        "parts",
        "lines",
        "star_bands",
        "certified_min_stars",
        "validity_months",
    ):
        if key not in data:
            raise OcopDataError(f"{code}: missing {key!r}")
    parts = {p["code"]: Decimal(str(p["max"])) for p in data["parts"]}
    if sum(parts.values()) != MAX_POINTS:
        raise OcopDataError(f"{code}: parts must add up to 100")
    by_part: dict[str, Decimal] = dict.fromkeys(parts, Decimal(0))
    codes = [line["code"] for line in data["lines"]]
    if len(set(codes)) != len(codes):
        raise OcopDataError(f"{code}: duplicate line codes")
    for line in data["lines"]:
        if line["part"] not in parts:
            raise OcopDataError(f"{code} {line['code']}: unknown part {line['part']!r}")
        if line["status"] not in LineStatus.values:
            raise OcopDataError(f"{code} {line['code']}: status {line['status']!r}")
        by_part[line["part"]] += Decimal(str(line["max"]))
    if by_part != parts:
        raise OcopDataError(f"{code}: lines must add up to each part's maximum")
    # Bands must cover 0..100 without gap or overlap.
    bands = sorted(data["star_bands"], key=lambda b: b["min"])
    if bands[0]["min"] != 0 or bands[-1]["below"] is not None:
        raise OcopDataError(f"{code}: star bands must start at 0 and be open at the top")
    for low, high in zip(bands, bands[1:], strict=False):
        if low["below"] != high["min"]:
            raise OcopDataError(f"{code}: star bands must not leave gaps")


@transaction.atomic
def sheets_load(codes: list[str] | None = None, *, detail: bool = False) -> list[ScoringSheet]:
    """Create or update the shipped scoring sets (idempotent); with `detail`, also their product
    sheets (26/2026: 26 sheets, loaded once; see `sheets.product_sheets_load`)."""
    loaded = []
    for code, data in sorted(shipped_sheets().items()):
        if codes and code not in codes:
            continue
        validate_sheet_data(data)
        decision = data["decision"]
        sheet, _created = ScoringSheet.objects.update_or_create(
            code=code,
            defaults={
                "name": data["name"],
                "decision_number": decision["number"],
                "decision_date": datetime.date.fromisoformat(decision["date"])
                if decision.get("date")
                else None,
                "valid_from": datetime.date.fromisoformat(data["valid_from"]),
                "parts": data["parts"],
                "star_bands": data["star_bands"],
                "certified_min_stars": data["certified_min_stars"],
                "validity_months": data["validity_months"],
            },
        )
        for order, line in enumerate(data["lines"]):
            ScoringLine.objects.update_or_create(
                sheet=sheet,
                code=line["code"],
                defaults={
                    "part": line["part"],
                    "name": line["name"],
                    "status": line["status"],
                    "max_points": Decimal(str(line["max"])),
                    "order": order,
                },
            )
        if detail:
            from ntm.ocop.sheets import product_sheets_load

            product_sheets_load(sheet)
        loaded.append(sheet)
    return loaded


def sheet_for(day: datetime.date) -> ScoringSheet:
    """The scoring sheet in force on a day: the latest whose `valid_from` is not after it."""
    sheet = ScoringSheet.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if sheet is None:
        if not ScoringSheet.objects.exists():
            sheets_load()
            return sheet_for(day)
        raise OcopError(
            _("Không có phiếu chấm OCOP áp dụng cho ngày %(d)s.") % {"d": day.strftime("%d/%m/%Y")},
            "held_on",
        )
    return sheet


# -- subjects and products -------------------------------------------------------------------


def _commune(unit, field: str) -> Unit:
    if not isinstance(unit, Unit) or unit.level != Level.COMMUNE:
        raise OcopError(_("Cần chọn một xã (đơn vị cấp xã)."), field)
    return unit


@transaction.atomic
def subject_save(
    *,
    user,
    subject: Subject | None = None,
    kind: str,
    name: str,
    unit: Unit,
    tax_code: str = "",
    representative: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    version: int | None = None,
) -> Subject:
    """Create a subject, or change one: `version` is the one the user read (stale: refused)."""
    _commune(unit, "unit")
    _require(can_write_products(user, unit))
    if subject is not None:
        _require(can_write_products(user, subject.unit))
        subject = _lock(subject, version)
        _require(can_write_products(user, subject.unit))
    name = " ".join((name or "").split())
    if not name:
        raise OcopError(_("Cần ghi tên chủ thể."), "name")
    if kind not in SubjectKind.values:
        raise OcopError(_("Loại hình chủ thể “%(k)s” không hợp lệ.") % {"k": kind}, "kind")
    tax_code = (tax_code or "").strip()
    if tax_code and not (tax_code.replace("-", "").isdigit() and 10 <= len(tax_code) <= 14):
        raise OcopError(
            _("Mã số thuế “%(t)s” không hợp lệ (10 hoặc 13 chữ số).") % {"t": tax_code}, "tax_code"
        )
    clash = Subject.objects.filter(unit=unit, name__iexact=name)
    if subject is not None:
        clash = clash.exclude(pk=subject.pk)
    if clash.exists():
        raise OcopError(_("Xã %(u)s đã có chủ thể “%(n)s”.") % {"u": unit.name, "n": name}, "name")
    subject = subject or Subject()
    for field, value in (
        ("kind", kind),
        ("name", name),
        ("unit", unit),
        ("tax_code", tax_code),
        ("representative", (representative or "").strip()),
        ("address", (address or "").strip()),
        ("phone", (phone or "").strip()),
        ("email", (email or "").strip()),
    ):
        setattr(subject, field, value)
    _save(subject, user)
    return subject


@transaction.atomic
def product_save(
    *,
    user,
    product: Product | None = None,
    name: str,
    subject: Subject,
    group: str = "",
    unit: Unit,
    classification: str = "",
    subgroup: str = "",
    description: str = "",
    traceability_code: str = "",
    stage: str = CycleStage.IDEA,
    photo=None,
    version: int | None = None,
) -> Product:
    """Create a product, or change one: `version` is the one the user read (stale: refused)."""
    _commune(unit, "unit")
    _require(can_write_products(user, unit))
    if product is not None:
        _require(can_write_products(user, product.unit))
        product = _lock(product, version)
        _require(can_write_products(user, product.unit))
    if user is not None and not scope_for(user).contains(subject.unit):
        raise OcopError(_("Chủ thể ngoài phạm vi của bạn."), "subject")
    name = " ".join((name or "").split())
    if not name:
        raise OcopError(_("Cần ghi tên sản phẩm."), "name")
    classification = (classification or "").strip()
    if classification:
        leaf = rules.classification_leaf(classification)
        if leaf is None:
            raise OcopError(
                _("Loại sản phẩm “%(c)s” không có trong Phụ lục I (Quyết định 26/2026/QĐ-TTg).")
                % {"c": classification},
                "classification",
            )
        if group and group != leaf["group"]:
            raise OcopError(
                _("Loại sản phẩm %(c)s thuộc nhóm “%(g)s”, không phải nhóm đã chọn.")
                % {"c": classification, "g": rules.group_name(leaf["group"])},
                "classification",
            )
        group = leaf["group"]
    if group not in dict(rules.group_choices()):
        raise OcopError(
            _("Nhóm sản phẩm “%(g)s” không có trong Quyết định 148/QĐ-TTg.") % {"g": group}, "group"
        )
    subgroup = (subgroup or "").strip()
    known = [s["code"] for s in rules.subgroups(group)]
    if subgroup and subgroup not in known:
        raise OcopError(
            _("Phân nhóm “%(s)s” không có trong nhóm đã chọn.") % {"s": subgroup}, "subgroup"
        )
    if stage not in CycleStage.values:
        raise OcopError(_("Giai đoạn “%(s)s” không hợp lệ.") % {"s": stage}, "stage")
    clash = Product.objects.filter(subject=subject, name__iexact=name)
    if product is not None:
        clash = clash.exclude(pk=product.pk)
    if clash.exists():
        raise OcopError(_("Chủ thể đã có sản phẩm “%(n)s”.") % {"n": name}, "name")
    product = product or Product()
    for field, value in (
        ("name", name),
        ("subject", subject),
        ("group", group),
        ("classification", classification),
        ("subgroup", subgroup),
        ("unit", unit),
        ("description", (description or "").strip()),
        ("traceability_code", (traceability_code or "").strip()),
        ("stage", stage),
    ):
        setattr(product, field, value)
    if photo:
        product.photo = photo
    _save(product, user)
    return product


# -- rounds, scores, decisions ---------------------------------------------------------------


@transaction.atomic
def round_save(
    *,
    user,
    round: EvaluationRound | None = None,
    unit: Unit,
    year: int,
    number: int,
    held_on: datetime.date,
    note: str = "",
) -> EvaluationRound:
    _require(can_write_council(user, unit))
    if round is not None:
        _require(can_write_council(user, round.unit))
    if unit.level not in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        raise OcopError(_("Đơn vị tổ chức không hợp lệ."), "unit")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise OcopError(_("Năm phải là số từ 2000 đến 2100."), "year")
    if not isinstance(number, int) or not 1 <= number <= 999:
        raise OcopError(_("Đợt phải là số nguyên từ 1 đến 999."), "number")
    # A round belongs to its own year; its council may meet early the next year (round N in
    # January N+1), never before the year starts.
    if not isinstance(held_on, datetime.date) or held_on.year not in (year, year + 1):
        raise OcopError(
            _("Ngày họp hội đồng của đợt năm %(y)s phải trong năm %(y)s hoặc năm %(n)s.")
            % {"y": year, "n": year + 1},
            "held_on",
        )
    clash = EvaluationRound.objects.filter(unit=unit, year=year, number=number)
    if round is not None:
        clash = clash.exclude(pk=round.pk)
    if clash.exists():
        raise OcopError(
            _("Đã có đợt %(n)s năm %(y)s của %(u)s.") % {"n": number, "y": year, "u": unit.name},
            "number",
        )
    if (
        round is not None
        and round.held_on != held_on
        and round.evaluations.exists()
        and sheet_for(held_on).pk != sheet_for(round.held_on).pk
    ):
        raise OcopError(
            _("Đợt đã có điểm theo phiếu chấm khác; không đổi ngày sang phiếu khác được."),
            "held_on",
        )
    round = round or EvaluationRound()
    round.unit, round.year, round.number, round.held_on = unit, year, number, held_on
    round.note = (note or "").strip()
    _save(round, user)
    return round


def _vi(value: Decimal) -> str:
    """72,5 / 40: a number as written in Vietnamese, without trailing zeros."""
    return f"{value.normalize():f}".replace(".", ",")


def _points(raw, line: ScoringLine) -> Decimal:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise OcopError(
            _("Điểm dòng %(c)s: “%(r)s” không phải là số.") % {"c": line.code, "r": raw},
            f"line_{line.code}",
        ) from exc
    if not value.is_finite() or value < 0:
        raise OcopError(_("Điểm dòng %(c)s không được âm.") % {"c": line.code}, f"line_{line.code}")
    if value != value.quantize(Decimal("0.01")):
        raise OcopError(
            _("Điểm dòng %(c)s: tối đa 2 chữ số thập phân.") % {"c": line.code}, f"line_{line.code}"
        )
    if value > line.max_points:
        raise OcopError(
            _("Điểm dòng %(c)s là %(v)s, vượt điểm tối đa %(m)s.")
            % {"c": line.code, "v": _vi(value), "m": _vi(line.max_points)},
            f"line_{line.code}",
        )
    return value


@transaction.atomic
def evaluation_save(
    *,
    user,
    round: EvaluationRound,
    product: Product,
    scores: dict[str, object],
    proposal: str = "",
    version: int | None = None,
) -> Evaluation:
    """Record a product's scores in a round: `scores` maps every line code of the sheet in force
    on the round's date to its points. Each line ≤ its maximum; total and stars derived.

    `version` is the version of the evaluation the user read: 0 when there was none yet (then
    an evaluation entered meanwhile by someone else is not overwritten), None for a trusted
    caller (the import) that does not check."""
    _require(can_write_council(user, round.unit))
    if user is not None and not scope_for(user).contains(product.unit):
        raise OcopError(_("Sản phẩm ngoài phạm vi của bạn."), "product")
    if not product.unit.path.startswith(round.unit.path):
        raise OcopError(
            _("Sản phẩm không thuộc địa bàn của đơn vị tổ chức đợt đánh giá."), "product"
        )
    sheet = sheet_for(round.held_on)
    lines = list(sheet.lines.order_by("order", "code"))
    unknown = set(scores) - {line.code for line in lines}
    if unknown:
        raise OcopError(
            _("Phiếu %(s)s không có dòng %(c)s.")
            % {"s": sheet.decision_number, "c": ", ".join(sorted(unknown))},
            "scores",
        )
    values = {}
    for line in lines:
        raw = scores.get(line.code)
        if raw is None or raw == "":
            raise OcopError(_("Thiếu điểm dòng %(c)s.") % {"c": line.code}, f"line_{line.code}")
        values[line] = _points(raw, line)
    total = sum(values.values(), Decimal(0))
    evaluation = Evaluation.objects.select_for_update().filter(round=round, product=product).first()
    if evaluation is not None:
        versioning.check_version(evaluation, version, error=StaleVersionError)
    else:
        evaluation = Evaluation(round=round, product=product)
    evaluation.sheet = sheet
    evaluation.total = total
    evaluation.stars = sheet.stars_for(total)
    evaluation.proposal = (proposal or "").strip()
    if evaluation.pk is None:
        try:
            with transaction.atomic():  # two councillors entering the same product at once
                _save(evaluation, user)
        except IntegrityError as exc:
            other = Evaluation.objects.get(round=round, product=product)
            raise StaleVersionError(versioning.stale_message(other, version)) from exc
    else:
        _save(evaluation, user)
    existing = {s.line_id: s for s in evaluation.scores.all()}
    for line, points in values.items():
        score = existing.pop(line.pk, None) or Score(evaluation=evaluation, line=line)
        if score.pk is None or score.points != points:
            score.points = points
            _save(score, user)
    for stale in existing.values():
        stale.delete()
    return evaluation


def previous_certificate(
    product: Product, day: datetime.date, *, exclude=None
) -> Certificate | None:
    """The latest certificate the product held before `day`, lapsed or not: a product
    re-evaluated after its certificate lapsed is "cấp lại" as provinces count it (kept, raised or
    lowered); None when it never held one."""
    before = day - datetime.timedelta(days=1)
    qs = Certificate.objects.filter(product=product, issued_on__lte=before).order_by(
        "-issued_on", "-pk"
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.first()


def outcome_for(previous: Certificate | None, stars: int, day: datetime.date) -> str:
    """New, re-certified, upgraded, downgraded or not kept; the lowest star certified is that of
    the scoring set in force on the day (`certified_min_stars`)."""
    minimum = rules.certified_stars(day).start
    if previous is None:
        return Outcome.NEW if stars >= minimum else ""
    if stars < minimum:
        return Outcome.NOT_KEPT
    if stars == previous.stars:
        return Outcome.RECERTIFIED
    return Outcome.UPGRADED if stars > previous.stars else Outcome.DOWNGRADED


def evaluation_outcome(evaluation: Evaluation) -> str:
    """What a re-evaluation means for a product: re-certified, upgraded, downgraded, not kept
    (against the certificate held on the round's date); "new" or "" for a first evaluation."""
    previous = previous_certificate(evaluation.product, evaluation.round.held_on)
    return outcome_for(previous, evaluation.stars, evaluation.round.held_on)


@transaction.atomic
def certificate_issue(
    *,
    user,
    product: Product,
    number: str,
    issued_on: datetime.date,
    stars: int,
    issuer: str = "",
    evaluation: Evaluation | None = None,
) -> Certificate:
    """Record a decision recognising the product's stars. Validity, outcome (new, re-certified,
    upgraded, downgraded) and the previous certificate are derived."""
    _require(can_write_council(user, product.unit))
    number = (number or "").strip()
    if not number:
        raise OcopError(_("Cần ghi số quyết định (ví dụ 231/QĐ-UBND)."), "number")
    if not isinstance(issued_on, datetime.date):
        raise OcopError(_("Cần ghi ngày quyết định (dd/mm/yyyy)."), "issued_on")
    if not 2000 <= issued_on.year <= 2100:
        raise OcopError(_("Ngày quyết định phải trong các năm 2000-2100."), "issued_on")
    allowed = rules.certified_stars(issued_on)
    if not isinstance(stars, int) or stars not in allowed:
        raise OcopError(
            _("Chỉ công nhận sản phẩm từ %(a)s đến %(b)s sao.")
            % {"a": allowed[0], "b": allowed[-1]},
            "stars",
        )
    if evaluation is not None:
        if evaluation.product_id != product.pk:
            raise OcopError(_("Kết quả đánh giá không phải của sản phẩm này."), "evaluation")
        if stars > evaluation.stars:
            raise OcopError(
                _("Số sao công nhận (%(s)s) cao hơn kết quả chấm điểm (%(e)s sao, %(t)s điểm).")
                % {"s": stars, "e": evaluation.stars, "t": evaluation.total},
                "stars",
            )
        if issued_on < evaluation.round.held_on:
            raise OcopError(_("Ngày quyết định trước ngày đánh giá."), "issued_on")
    if Certificate.objects.filter(product=product, number=number, issued_on=issued_on).exists():
        raise OcopError(
            _("Đã có quyết định %(n)s ngày %(d)s cho sản phẩm này.")
            % {"n": number, "d": issued_on.strftime("%d/%m/%Y")},
            "number",
        )
    if Certificate.objects.filter(product=product, issued_on__gt=issued_on).exists():
        raise OcopError(
            _("Sản phẩm đã có quyết định sau ngày này; nhập theo thứ tự thời gian."), "issued_on"
        )
    previous = previous_certificate(product, issued_on)
    certificate = Certificate(
        product=product,
        evaluation=evaluation,
        number=number,
        issued_on=issued_on,
        issuer=(issuer or "").strip(),
        stars=stars,
        valid_to=rules.certificate_valid_to(issued_on),
        outcome=outcome_for(previous, stars, issued_on),
        previous=previous,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    _save(certificate, user)
    if product.stage != CycleStage.PROMOTION:
        product = _lock(product, None)  # change only the stage of the stored row
        product.stage = CycleStage.PROMOTION
        _save(product, user)
    return certificate


@transaction.atomic
def certificate_revoke(
    *, user, certificate: Certificate, number: str, revoked_on: datetime.date, reason: str
) -> Certificate:
    """Revoke (thu hồi) a certificate by a decision: from `revoked_on` the product no longer
    stands (standing, public catalogue, figures)."""
    _require(can_write_council(user, certificate.product.unit))
    number, reason = (number or "").strip(), " ".join((reason or "").split())
    if not number:
        raise OcopError(_("Cần ghi số quyết định thu hồi."), "number")
    if not isinstance(revoked_on, datetime.date):
        raise OcopError(_("Cần ghi ngày thu hồi (dd/mm/yyyy)."), "revoked_on")
    if not reason:
        raise OcopError(_("Cần ghi lý do thu hồi."), "reason")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_on is not None:
        raise OcopError(
            _("Giấy chứng nhận đã bị thu hồi ngày %(d)s.")
            % {"d": certificate.revoked_on.strftime("%d/%m/%Y")},
            "number",
        )
    if not certificate.issued_on <= revoked_on <= certificate.valid_to:
        raise OcopError(
            _("Ngày thu hồi phải trong thời hạn của giấy chứng nhận (%(a)s – %(b)s).")
            % {
                "a": certificate.issued_on.strftime("%d/%m/%Y"),
                "b": certificate.valid_to.strftime("%d/%m/%Y"),
            },
            "revoked_on",
        )
    certificate.revoked_on, certificate.revocation_number = revoked_on, number
    certificate.revocation_reason = reason[:500]
    if user is not None:
        certificate._history_user = user
    certificate.save()
    return certificate


@transaction.atomic
def certificate_delete(*, user, certificate: Certificate) -> None:
    _require(can_write_council(user, certificate.product.unit))
    if Certificate.objects.filter(Q(previous=certificate)).exists():
        raise OcopError(
            _("Quyết định đã có quyết định công nhận lại sau; xóa quyết định sau trước.")
        )
    if user is not None:
        certificate._history_user = user
    certificate.delete()
