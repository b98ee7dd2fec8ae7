"""What a generated report is made of, independent of its format.

The annual report is built once as these blocks (reports/annual.py) and then written as Word
(reports/word.py), Excel tables (reports/workbook.py) or a print page (the print template), so the
three always carry the same figures. Table cells keep raw values (int, Decimal, str, None); each
writer formats them (vi-VN text in Word and HTML, numbers with a number format in Excel).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ntm.lib.formatting import vi_number
from ntm.reports.charts import Bar


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    placeholder: bool = False  # text the office fills in before signing (shown highlighted)


@dataclass
class Table:
    key: str  # stable name: the Excel sheet and the tests find tables by it
    title: str
    columns: list[str]
    rows: list[list]
    unit_note: str = ""  # "Đơn vị tính: xã"
    total: list | None = None  # a last row in bold
    landscape: bool = False


@dataclass
class Chart:
    key: str
    title: str
    bars: list[Bar]
    max_value: float | None = None
    unit: str = ""


Block = Heading | Paragraph | Table | Chart


@dataclass
class Annex:
    title: str
    blocks: list[Block]


@dataclass
class Report:
    """An administrative report (Decree 30/2020/NĐ-CP layout) for a scope and a year."""

    year: int
    scope_code: str
    scope_name: str
    issuer_parent: str  # the body above the issuer ("UBND TỈNH BẮC KẠN"), may be empty
    issuer: str  # "VĂN PHÒNG ĐIỀU PHỐI NÔNG THÔN MỚI"
    number: str  # "Số:      /BC-VPĐP" — the number is given when the report is signed
    place: str
    issued_on: datetime.date
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)
    annexes: list[Annex] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signer_title: str = ""
    has_data: bool = True

    def tables(self) -> list[Table]:
        found = [b for b in self.blocks if isinstance(b, Table)]
        for annex in self.annexes:
            found += [b for b in annex.blocks if isinstance(b, Table)]
        return found

    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]

    @property
    def date_line(self) -> str:
        d = self.issued_on
        return f"{self.place}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def percent(part, whole, places: int = 1) -> Decimal | None:
    """part / whole in per cent, rounded half up (None when whole is 0 or unknown)."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(
        Decimal(1).scaleb(-places), ROUND_HALF_UP
    )


def cell_text(value) -> str:
    """A table cell as vi-VN text (the Word and print writers)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        places = max(0, -value.as_tuple().exponent)
        return vi_number(value, places)
    if isinstance(value, int):
        return vi_number(value)
    if isinstance(value, float):
        return vi_number(Decimal(str(value)))
    return str(value)
