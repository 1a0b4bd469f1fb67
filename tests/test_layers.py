"""The apps' layers: directive03 < organizations < pledges < reports < demo. No module imports a higher
app (at module level or inside a function), and the whole demo is seeded from above the apps."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["directive03", "organizations", "pledges", "reports", "demo"]


def imported_apps(path: Path) -> set[str]:
    """The project apps a module imports, wherever in the module the import statement is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in LAYERS)
    return found


def test_files_stay_small_enough_to_read():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for p in [*(ROOT / "organizations" / "demo").glob("*.py"), *(ROOT / "demo").rglob("*.py")]}
    assert max(sizes.values()) <= 400, sizes


def test_no_app_imports_a_higher_one():
    upward = []
    for rank, app in enumerate(LAYERS):
        for path in sorted((ROOT / app).rglob("*.py")):
            for other in imported_apps(path):
                if LAYERS.index(other) > rank:
                    upward.append(f"{path.relative_to(ROOT)} imports {other}")
    assert upward == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def build():\n    from reports.demo import build_round\n    import pledges.models\n")
    assert imported_apps(module) == {"reports", "pledges"}


def test_each_app_keeps_its_own_demo_builder_and_demo_runs_them_all():
    from demo import seeding
    from organizations import demo as org_demo

    assert all(s.__module__.startswith("organizations.demo") for s in org_demo.STAGES)
    assert [s.__name__ for s in seeding.STAGES] == [
        "build_tree", "build_members", "build_users", "build_secretaries", "build_pledges", "build_reports"]
    for app in ("organizations", "pledges", "reports"):
        assert (ROOT / app / "demo.py").exists() or (ROOT / app / "demo" / "__init__.py").exists()
    assert (ROOT / "demo" / "management" / "commands" / "seed_demo.py").exists()
    assert not (ROOT / "organizations" / "management" / "commands" / "seed_demo.py").exists()
