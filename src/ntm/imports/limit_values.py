"""The limits an importer declares (kept apart from the scanner in ntm.imports.limits, so that
registering importers at start-up loads no spreadsheet library)."""

from dataclasses import dataclass

# A UTF-8 character takes at most 4 bytes, an XML entity (&amp;) 5; a rich-text string adds its
# formatting runs. A cell's XML longer than this cannot be within the text limit.
_BYTES_PER_CHAR = 12
_MARKUP_ALLOWANCE = 16 * 1024
# Styles, drawings, comments…: nothing an import reads, but the loader parses some of them.
OTHER_PART_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one importer accepts: rows per sheet, cells per workbook, characters per cell."""

    rows: int = 20_000
    cells: int = 1_000_000
    cell_text: int = 4_000

    @property
    def cell_bytes(self) -> int:
        return self.cell_text * _BYTES_PER_CHAR + _MARKUP_ALLOWANCE


DEFAULT = Limits()
