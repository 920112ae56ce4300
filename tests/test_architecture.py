"""The house plan holds: imports point one way (docs/ARCHITECTURE.md).

The kernel (`app/`) imports no part except in the factory's list of parts; scheduling and courses
do not import each other; neither imports impact. Views and API modules of a part do not import
each other. Read from the source, so a new module joins by itself.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("scheduling", "courses", "impact")
#: the one place the kernel names the parts: create_app's list
FACTORY = ROOT / "app" / "__init__.py"


def _imports(path: Path):
    """(line, imported module) for every absolute import in the file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:  # `from part import views` names a module too
                yield node.lineno, f"{node.module}.{alias.name}"


def _is_module_file(module: str, stem: str) -> bool:
    """Whether the dotted name is a file `<stem>.py` of the tree (not a package of that name)."""
    return module.split(".")[-1] == stem and (ROOT / (module.replace(".", "/") + ".py")).is_file()


def _modules(package: str):
    return sorted((ROOT / package).rglob("*.py"))


def _arrows(source: str, targets: tuple[str, ...]):
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _modules(source)
        for line, module in _imports(path)
        if module.split(".")[0] in targets and not (path == FACTORY and "." not in module)
    ]


def test_the_kernel_imports_no_part_but_in_the_factorys_list():
    assert _arrows("app", PARTS) == []


@pytest.mark.parametrize(
    ("part", "forbidden"),
    [
        ("scheduling", ("courses", "impact")),
        ("courses", ("scheduling", "impact")),
    ],
)
def test_scheduling_and_courses_stand_alone_on_the_kernel(part, forbidden):
    assert _arrows(part, forbidden) == []


def test_views_and_api_modules_never_import_each_other():
    arrows = []
    for part in ("app", *PARTS):
        for path in _modules(part):
            if path.stem not in ("views", "api"):
                continue
            other = "api" if path.stem == "views" else "views"
            for line, module in _imports(path):
                if _is_module_file(module, other):
                    arrows.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert arrows == []


def test_every_part_plugs_in_with_init_app():
    for part in PARTS:
        tree = ast.parse((ROOT / part / "__init__.py").read_text(encoding="utf-8"))
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert "init_app" in names, part
