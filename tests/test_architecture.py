"""The layers of docs/architecture.md hold: the import contracts in pyproject.toml pass
(``make lint`` runs them too), and an import against them, even inside a function, fails."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The packages the contracts cover, as pyproject.toml names them (so a new app is copied too).
PACKAGES = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())[
    "tool"
]["importlinter"]["root_packages"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    # A process of its own: the packages are found from the directory it runs in, not from
    # the modules this test run has already imported.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(where / "pyproject.toml")],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_import_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_inside_a_function_against_the_layers_breaks_the_contracts(tmp_path):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / "children" / "tables.py", "a") as module:
        module.write(
            "\n\ndef next_visits():\n    from visits import schedule\n\n    return schedule\n"
        )

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "children.tables -> visits.schedule" in result.stdout
    assert "The ledger knows nothing of visits, care, activities or reports BROKEN" in (
        " ".join(result.stdout.split())
    )
