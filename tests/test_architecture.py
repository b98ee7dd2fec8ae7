"""The import graph of src/ntm: one-way layers and no circle (docs/architecture.md).

Every `import` is read with `ast`, those inside functions included (a lazy import is still a
dependency), those under `if TYPE_CHECKING:` excluded.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

# Lower layers never import higher ones. Within a layer, apps may import each other (units and
# accounts: a scope is a set of units, a unit's users are accounts), as long as no module circle
# forms.
LAYERS = {
    # the ground floor: no app owns it
    "lib": 0,
    "env": 0,
    "excel": 0,
    "limits": 0,
    "faults": 0,
    "versioning": 0,
    "versioning_api": 0,
    "i18n_check": 0,
    "formats": 0,
    "backups": 0,
    # the domain, bottom up
    "units": 1,
    "accounts": 1,
    "criteria": 2,
    "assessments": 3,
    "plans": 4,
    "ocop": 4,
    "resources": 4,
    "dossiers": 4,
    # figures and documents, and the import frame, over every domain app
    "reports": 5,
    "imports": 5,
    # the site: dashboard, public pages, audit, commands that span apps
    # background work: reports and imports run off the request (pages hand them over)
    "jobs": 5,
    "web": 6,
    # the project: settings, URL roots, the CLI
    "settings": 7,
    "urls": 7,
    "api_urls": 7,
    "cli": 7,
    "wsgi": 7,
    "": 7,  # ntm/__init__.py
}
REPORTS, WEB = LAYERS["reports"], LAYERS["web"]
# Modules of a domain app that face the user (pages, API, forms, commands, admin, demo data):
# they may read `reports`; everything else of the app (models, services, selectors, importers,
# rules) is its domain layer.
INTERFACE = {
    "views",
    "api",
    "urls",
    "forms",
    "admin",
    "management",
    "templatetags",
    "demo",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in (SRC / "ntm").rglob("*.py")
        if "migrations" not in p.parts and "locale" not in p.parts
    }


def _type_checking_nodes(tree) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(id(n) for n in ast.walk(child))
    return skipped


def _imports(name: str, path: Path, modules) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found.append((base, node.lineno))
            found += [
                (f"{base}.{alias.name}", node.lineno)
                for alias in node.names
                if f"{base}.{alias.name}" in modules
            ]
    # `from ntm import faults` names the module ntm.faults, not the (empty) package ntm
    return [(m, line) for m, line in found if m.startswith("ntm.")]


def _graph() -> dict[str, list[tuple[str, int]]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        edges = []
        for target, line in _imports(name, path, modules):
            while target not in modules and "." in target:  # ntm.x.y.Name -> ntm.x.y
                target = target.rpartition(".")[0]
            if target != name:
                edges.append((target, line))
        graph[name] = edges
    return graph


def _app(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _is_interface(module: str) -> bool:
    return bool(set(module.split(".")[2:]) & INTERFACE)


def _layer(module: str) -> int:
    app = _app(module)
    if app not in LAYERS:
        pytest.fail(f"{module}: the package ntm.{app} has no layer; add it to LAYERS")
    return LAYERS[app]


def upward_imports(graph) -> list[str]:
    wrong = []
    for module, edges in sorted(graph.items()):
        mine = _layer(module)
        for target, line in edges:
            theirs = _layer(target)
            allowed = mine
            if _is_interface(module) and LAYERS["units"] <= mine < REPORTS:
                allowed = REPORTS  # an app's pages and API may read the figures
            if theirs > allowed:
                wrong.append(f"{module}:{line} imports {target}")
    return wrong


def circles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            advanced = False
            for target, _line in edges:
                if target not in graph:
                    continue
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph[target])))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_a_higher_layer():
    assert upward_imports(_graph()) == []


# Circles known and tolerated, each with its reason; none may be added.
KNOWN_CIRCLES = [
    # the registry imports the catalogue on first use so that the catalogue's @register calls
    # run (issue 13); registering from ImportsConfig.ready() would remove it
    ["ntm.imports.catalogue", "ntm.imports.registry"],
]


def test_no_import_circle():
    assert [c for c in circles(_graph()) if c not in KNOWN_CIRCLES] == []


def test_domain_layers_never_read_web_or_reports():
    graph = _graph()
    wrong = [
        f"{module} imports {target}"
        for module, edges in graph.items()
        if LAYERS.get(_app(module), 99) < REPORTS and not _is_interface(module)
        for target, _line in edges
        if _app(target) in ("web", "reports")
    ]
    assert wrong == []


def test_the_checks_catch_an_upward_import_and_a_circle():
    graph = defaultdict(list)
    graph["ntm.plans.selectors"] = [("ntm.reports.selectors", 3)]
    graph["ntm.reports.selectors"] = [("ntm.plans.selectors", 9)]
    graph["ntm.plans.views"] = [("ntm.reports.selectors", 1), ("ntm.web.params", 2)]
    assert upward_imports(graph) == [
        "ntm.plans.selectors:3 imports ntm.reports.selectors",
        "ntm.plans.views:2 imports ntm.web.params",
    ]
    assert circles(dict(graph)) == [["ntm.plans.selectors", "ntm.reports.selectors"]]


def test_relative_and_lazy_imports_are_read(tmp_path):
    module = tmp_path / "ntm" / "units" / "services.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import models\n"
        "if TYPE_CHECKING:\n"
        "    from ntm.reports.selectors import Summary\n"
        "def f():\n"
        "    from ntm.assessments.services import recompute\n",
        encoding="utf-8",
    )
    found = _imports("ntm.units.services", module, {"ntm.units.models"})
    assert ("ntm.units.models", 2) in found
    assert ("ntm.assessments.services", 6) in found
    assert not any(target.startswith("ntm.reports") for target, _ in found)


# -- function length -------------------------------------------------------------------------

MAX_FUNCTION_LINES = 80
LONG_MARK = "# long:"


def _has_reason(lines: list[str], node) -> bool:
    """`# long: <reason>` on the def line, or on the comment lines and decorators just above."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    candidates = [lines[node.lineno - 1]]
    i = first - 2
    while i >= 0 and lines[i].strip().startswith(("#", "@")):
        candidates.append(lines[i])
        i -= 1
    return any(line.partition(LONG_MARK)[2].strip() for line in candidates)


def long_functions(text: str, name: str = "<text>") -> list[str]:
    """Functions over MAX_FUNCTION_LINES lines (def to last line) without a `# long:` reason."""
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = node.end_lineno - node.lineno + 1
        if length > MAX_FUNCTION_LINES and not _has_reason(lines, node):
            found.append(f"{name}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_over_80_lines_without_a_reason():
    found = []
    for path in sorted((SRC / "ntm").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        found += long_functions(path.read_text("utf-8"), str(path.relative_to(SRC)))
    assert found == [], "split these, or say why not with `# long: <reason>` above the def"


def test_the_length_check_counts_lines_and_reads_the_reason():
    body = "".join(f"    x{i} = {i}\n" for i in range(80))
    assert long_functions(f"def exactly_80():\n{body[: body.rindex('    x79')]}") == []
    assert long_functions(f"def big():\n{body}") == ["<text>:1 big (81 lines)"]
    assert long_functions(f"# long: a table of data\ndef big():\n{body}") == []
    assert long_functions(f"# long: a table\n@decorator\ndef big():\n{body}") == []
    assert long_functions(f"def big():  # long: a table\n{body}") == []
    assert long_functions(f"# long:\ndef big():\n{body}") == ["<text>:2 big (81 lines)"]
    assert long_functions(f"# long: far away\n\ndef big():\n{body}") == ["<text>:3 big (81 lines)"]
