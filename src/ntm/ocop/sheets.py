"""Product scoring sheets (26/2026/QĐ-TTg Phụ lục II) as data: normalise the shipped tree, check
every sum (options → items → sections → parts → 100), load it, report what does not add up, and
let a province administrator correct one cell with a reason (history kept).

A flagged cell (`source_flag` in the data: a likely typing error of the transcript) is loaded as
found and cannot be chosen until it is corrected; the findings list names it. An item with points
but no options in the decision (2.4 "bilingual label", 1 point) is scored yes/no: two derived
options, 0 and its maximum, marked `derived` and reported.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ntm.accounts.models import Role
from ntm.ocop import rules
from ntm.ocop.models import (
    ItemKind,
    OptionCorrection,
    ProductSheet,
    ScoringSheet,
    SheetItem,
    SheetOption,
)

TOTAL = Decimal(100)
EMPTY_CELL = "points cell empty in the transcript (null); verify against the signed text"


@dataclass
class Node:
    part: str
    section: str
    code: str
    kind: str
    name: str
    max_points: Decimal
    parent_code: str = ""
    options: list[dict] = field(default_factory=list)
    notes: list = field(default_factory=list)
    source: str = ""
    source_flag: str = ""

    @property
    def scored(self) -> bool:
        return bool(self.options)


@dataclass
class Finding:
    sheet: int
    where: str
    kind: str  # "sum", "flag", "heading", "derived"
    message: str
    blocking: bool = False

    def __str__(self) -> str:
        return _("Phiếu %(n)s, %(w)s: %(m)s") % {
            "n": self.sheet,
            "w": self.where,
            "m": self.message,
        }


def _d(value) -> Decimal:
    return Decimal(str(value))


def _vi(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}".replace(".", ",")


@lru_cache(maxsize=4)
def shipped_tree(filename: str) -> dict:
    """The parsed shipped file (cached: 1 MB of JSON; callers read it and never change it)."""
    return json.loads(resources.files("ntm.ocop").joinpath("data", filename).read_text("utf-8"))


def normalise(sheet: dict) -> tuple[list[dict], list[Node]]:
    """(parts [{code, max, heading_note}], nodes in order) of one sheet of the shipped data."""
    parts, nodes = [], []
    for part in sheet["parts"]:
        parts.append(
            {
                "code": part["code"],
                "max": _d(part["max_points"]),
                "discrepancy": part.get("source_discrepancy", ""),
            }
        )
        for sec in part["sections"]:
            nodes.append(_node(part["code"], sec["code"], sec, ItemKind.SECTION))
            parents = {c["parent"] for c in sec["criteria"] if c.get("parent")}
            for crit in sec["criteria"]:
                kind = ItemKind.GROUP if crit["code"] in parents else ItemKind.ITEM
                nodes.append(_node(part["code"], sec["code"], crit, kind))
    return parts, nodes


def _node(part: str, section: str, raw: dict, kind: str) -> Node:
    options = [
        {
            "label": o["label"],
            # An empty points cell in the transcript: stored as 0, flagged, so it cannot be
            # chosen until a province administrator enters the value from the signed text.
            "points": _d(o["points"]) if o["points"] is not None else Decimal(0),
            "min_star": o.get("min_star"),
            "source_flag": o.get("source_flag") or ("" if o["points"] is not None else EMPTY_CELL),
            "derived": False,
        }
        for o in raw.get("options", [])
    ]
    leaf = kind == ItemKind.ITEM or (kind == ItemKind.SECTION and not raw.get("criteria"))
    if leaf and not options:  # points in the decision, no graded options: yes / no
        options = [
            {"label": _("Không"), "points": Decimal(0), "min_star": None, "derived": True},
            {"label": _("Có"), "points": _d(raw["max_points"]), "min_star": None, "derived": True},
        ]
    return Node(
        part=part,
        section=section,
        code=raw["code"],
        kind=kind,
        name=raw["name"],
        max_points=_d(raw["max_points"]),
        parent_code=raw.get("parent") or "",
        options=options,
        notes=raw.get("notes", []),
        source=raw.get("source", "")[:500],
        source_flag=raw.get("source_flag", ""),
    )


def _node_findings(node: Node, add) -> None:
    """One item's flags, its options without a text, and its best option against its points."""
    where = _("mục %(c)s") % {"c": node.code}
    if node.source_flag:
        add(where, "flag", node.source_flag)
    for opt in node.options:
        if opt.get("source_flag") and not opt.get("corrected"):
            add(
                where,
                "flag",
                _("ô “%(l)s” = %(p)s điểm: %(f)s")
                % {"l": opt["label"][:60], "p": _vi(opt["points"]), "f": opt["source_flag"]},
                blocking=True,
            )
        if opt["derived"]:
            add(
                where,
                "derived",
                _("không có phương án trong văn bản: chấm Có (%(p)s) / Không (0)")
                % {"p": _vi(node.max_points)},
            )
            break
    if node.options:
        best = max(o["points"] for o in node.options)
        if best != node.max_points:
            add(
                where,
                "sum",
                _("phương án cao nhất %(b)s điểm ≠ điểm tối đa %(m)s")
                % {"b": _vi(best), "m": _vi(node.max_points)},
            )


def check(number: int, parts: list[dict], nodes: list[Node], set_parts: dict) -> list[Finding]:
    """Every sum of one sheet, and every flag, as findings (empty: the sheet adds up)."""
    out: list[Finding] = []

    def add(where, kind, message, blocking=False):
        out.append(Finding(number, where, kind, message, blocking))

    for node in nodes:
        _node_findings(node, add)
    for parent in (n for n in nodes if n.kind == ItemKind.GROUP):
        got = sum(n.max_points for n in nodes if n.parent_code == parent.code)
        if got != parent.max_points:
            add(
                _("mục %(c)s") % {"c": parent.code},
                "sum",
                _("các chỉ tiêu con cộng %(g)s ≠ %(m)s")
                % {"g": _vi(got), "m": _vi(parent.max_points)},
            )
    for sec in (n for n in nodes if n.kind == ItemKind.SECTION and not n.options):
        got = sum(
            n.max_points
            for n in nodes
            if n.section == sec.code and n.kind != ItemKind.SECTION and not n.parent_code
        )
        if got != sec.max_points:
            add(
                _("mục %(c)s") % {"c": sec.code},
                "sum",
                _("các chỉ tiêu cộng %(g)s ≠ %(m)s") % {"g": _vi(got), "m": _vi(sec.max_points)},
            )
    for part in parts:
        where = _("phần %(c)s") % {"c": part["code"]}
        got = sum(
            n.max_points for n in nodes if n.kind == ItemKind.SECTION and n.part == part["code"]
        )
        if got != part["max"]:
            add(
                where,
                "sum",
                _("các mục cộng %(g)s ≠ %(m)s") % {"g": _vi(got), "m": _vi(part["max"])},
            )
        if set_parts.get(part["code"]) != part["max"]:
            add(
                where,
                "sum",
                _("điểm phần %(m)s khác bộ tiêu chí (%(s)s)")
                % {"m": _vi(part["max"]), "s": _vi(set_parts.get(part["code"], 0))},
            )
        if part.get("discrepancy"):
            add(where, "heading", part["discrepancy"])
    if sum(p["max"] for p in parts) != TOTAL:
        add(
            _("tổng"),
            "sum",
            _("các phần cộng %(g)s ≠ 100") % {"g": _vi(sum(p["max"] for p in parts))},
        )
    return out


# -- loading ---------------------------------------------------------------------------------


def _set_parts(scoring_set: ScoringSheet) -> dict:
    return {p["code"]: _d(p["max"]) for p in scoring_set.parts}


@transaction.atomic
def product_sheets_load(scoring_set: ScoringSheet) -> int:
    """Load the product sheets of a set from its shipped data, once (a loaded set is left as it
    is: cells corrected by the province stay corrected). Returns how many sheets were created."""
    filename = next(
        (s.get("product_sheets") for s in rules.scoring_sets() if s["code"] == scoring_set.code),
        None,
    )
    if not filename or scoring_set.product_sheets.exists():
        return 0
    tree = shipped_tree(filename)
    leaves = rules.classification()
    created = 0
    for raw in tree["scoring_sheets"]:
        leaf = leaves[raw["number"] - 1]
        sheet = ProductSheet.objects.create(
            scoring_set=scoring_set,
            number=raw["number"],
            name=raw["name"],
            classification=leaf["code"],
            classification_note=raw.get("classification_note") or "",
            disqualify_if=raw.get("disqualify_if") or "",
            source=raw.get("source", "")[:500],
        )
        _parts, nodes = normalise(raw)
        items = SheetItem.objects.bulk_create(
            SheetItem(
                sheet=sheet,
                part=n.part,
                section=n.section,
                code=n.code,
                parent_code=n.parent_code,
                kind=n.kind,
                scored=n.scored,
                name=n.name,
                max_points=n.max_points,
                order=order,
                notes=n.notes,
                source=n.source,
                source_flag=n.source_flag[:500],
            )
            for order, n in enumerate(nodes)
        )
        SheetOption.objects.bulk_create(
            SheetOption(
                item=item,
                order=i,
                label=o["label"],
                points=o["points"],
                min_star=o["min_star"],
                source_flag=(o.get("source_flag") or "")[:500],
                derived=o["derived"],
            )
            for item, n in zip(items, nodes, strict=True)
            for i, o in enumerate(n.options)
        )
        created += 1
    return created


def stored_nodes(sheet: ProductSheet) -> tuple[list[dict], list[Node]]:
    """The same normalised shape read back from the database (after corrections)."""
    items = list(sheet.items.prefetch_related("options").order_by("order"))
    nodes = [
        Node(
            part=i.part,
            section=i.section,
            code=i.code,
            kind=i.kind,
            name=i.name,
            max_points=i.max_points,
            parent_code=i.parent_code,
            source_flag=i.source_flag,
            options=[
                {
                    "label": o.label,
                    "points": o.points,
                    "min_star": o.min_star,
                    "source_flag": o.source_flag,
                    "derived": o.derived,
                    "corrected": o.corrected,
                }
                for o in i.options.all()
            ],
        )
        for i in items
    ]
    shipped = _shipped_parts(sheet)
    parts = [
        {
            "code": code,
            "max": sum(
                (n.max_points for n in nodes if n.kind == ItemKind.SECTION and n.part == code),
                Decimal(0),
            )
            if code not in shipped
            else shipped[code]["max"],
            "discrepancy": shipped.get(code, {}).get("discrepancy", ""),
        }
        for code in dict.fromkeys(n.part for n in nodes)
    ]
    return parts, nodes


def _shipped_parts(sheet: ProductSheet) -> dict:
    filename = next(
        (
            s.get("product_sheets")
            for s in rules.scoring_sets()
            if s["code"] == sheet.scoring_set.code
        ),
        None,
    )
    if not filename:
        return {}
    raw = next(
        (r for r in shipped_tree(filename)["scoring_sheets"] if r["number"] == sheet.number), None
    )
    return {p["code"]: p for p in normalise(raw)[0]} if raw else {}


def sheet_findings(sheet: ProductSheet) -> list[Finding]:
    parts, nodes = stored_nodes(sheet)
    return check(sheet.number, parts, nodes, _set_parts(sheet.scoring_set))


def shipped_findings(filename: str, set_parts: dict) -> list[Finding]:
    """The findings of a shipped file, without a database (tests, `ntm ocop sheets --check`)."""
    out = []
    for raw in shipped_tree(filename)["scoring_sheets"]:
        parts, nodes = normalise(raw)
        out += check(raw["number"], parts, nodes, set_parts)
    return out


# -- a province administrator's correction ---------------------------------------------------


class SheetError(ValueError):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def can_correct(user) -> bool:
    return user is None or user.is_superuser or user.role == Role.PROVINCE_COORDINATOR


@transaction.atomic
def option_correct(*, user, option: SheetOption, points, reason: str) -> OptionCorrection:
    """Correct the points of one cell, with the reason; the old value stays in the history."""
    if not can_correct(user):
        raise PermissionDenied(_("Chỉ quản trị viên cấp tỉnh được hiệu chỉnh phiếu chấm."))
    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise SheetError(
            _("Cần ghi lý do hiệu chỉnh (ít nhất 10 ký tự, ví dụ văn bản đối chiếu)."), "reason"
        )
    try:
        value = _d(str(points).replace(",", "."))
    except ArithmeticError as exc:
        raise SheetError(_("Điểm “%(p)s” không phải là số.") % {"p": points}, "points") from exc
    option = SheetOption.objects.select_for_update().select_related("item").get(pk=option.pk)
    if not value.is_finite() or value < 0 or value > option.item.max_points:
        raise SheetError(
            _("Điểm phải từ 0 đến %(m)s (điểm tối đa của mục %(c)s).")
            % {"m": _vi(option.item.max_points), "c": option.item.code},
            "points",
        )
    correction = OptionCorrection.objects.create(
        option=option,
        old_points=option.points,
        new_points=value,
        reason=reason,
        user=user if user is not None and user.is_authenticated else None,
    )
    option.points, option.corrected = value, True
    if user is not None:
        option._history_user = user
    option.save()
    return correction


def sets_listing() -> list[dict]:
    """`ntm ocop sheets`: every set with its sheets and item counts (from the shipped data)."""
    out = []
    for data in rules.scoring_sets():
        entry = {
            "code": data["code"],
            "decision": data["decision"]["number"],
            "valid_from": data["valid_from"],
            "parts": data["parts"],
            "file": data.get("product_sheets", ""),
            "sheets": [],
        }
        if data.get("product_sheets"):
            for raw in shipped_tree(data["product_sheets"])["scoring_sheets"]:
                _parts, nodes = normalise(raw)
                entry["sheets"].append(
                    {
                        "number": raw["number"],
                        "name": raw["name"],
                        "items": sum(1 for n in nodes if n.scored),
                        "options": sum(len(n.options) for n in nodes),
                    }
                )
        out.append(entry)
    return out
