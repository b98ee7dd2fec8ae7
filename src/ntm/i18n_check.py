"""`python -m ntm.i18n_check`: every catalogue is compiled and the English one is complete."""

import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent / "locale"


def _entries(po_text: str):
    """Yield (msgid, msgstr, flags) of a .po file; plural forms are joined."""
    entry = {"flags": "", "msgid": "", "msgstr": ""}
    current = None
    for line in po_text.splitlines() + [""]:
        if not line.strip():
            if entry["msgid"] or entry["msgstr"]:
                yield entry["msgid"], entry["msgstr"], entry["flags"]
            entry, current = {"flags": "", "msgid": "", "msgstr": ""}, None
        elif line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural"):
            current = None
        elif line.startswith("msgid "):
            current = "msgid"
            entry["msgid"] += line[6:].strip().strip('"')
        elif line.startswith("msgstr"):
            current = "msgstr"
            entry["msgstr"] += line.split(" ", 1)[1].strip().strip('"')
        elif line.startswith('"') and current:
            entry[current] += line.strip().strip('"')


def problems() -> list[str]:
    found = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/django.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            found.append(f"{po}: not compiled (run `make translations`)")
        if po.parts[-3] != "en":
            continue
        for msgid, msgstr, flags in _entries(po.read_text("utf-8")):
            if not msgid:
                continue
            if "fuzzy" in flags:
                found.append(f"{po}: fuzzy translation for {msgid[:60]!r}")
            elif not msgstr:
                found.append(f"{po}: missing English for {msgid[:60]!r}")
    return found


if __name__ == "__main__":
    issues = problems()
    for issue in issues:
        print(issue)
    sys.exit(1 if issues else 0)
