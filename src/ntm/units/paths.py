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
