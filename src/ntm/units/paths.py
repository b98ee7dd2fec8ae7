"""Reading a unit's materialised path ("/<province id>/<district id>/<commune id>/").

Paths start at the province, so its id is the first segment; the unit below an ancestor on
the way to a unit is the path cut one segment deeper than the ancestor.
"""


def path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def path_depth(path: str) -> int:
    return len(path_ids(path))


def province_id_of(path: str) -> int:
    return path_ids(path)[0]


def prefix_at_depth(path: str, depth: int) -> str:
    """The path of the ancestor (or the unit itself) that has `depth` segments."""
    return "/" + "/".join(str(i) for i in path_ids(path)[:depth]) + "/"


def hierarchy_keys(path: str, level: int) -> tuple[int | None, int | None]:
    """(province id, district id) of a unit, stored on it so that figures group and filter by
    a plain integer instead of cutting paths. A unit's district is the second id of its path
    when the path runs through every level (province/district/commune/village), so a unit of
    the two-level hierarchy (from 1/7/2025) has none; a district is its own district."""
    ids = path_ids(path)
    if not ids:
        return None, None
    district = ids[1] if len(ids) >= 2 and len(ids) == level else None
    return ids[0], district
