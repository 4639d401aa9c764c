"""The layers hold: import-linter's contracts (.importlinter) pass, and nobody reaches round them.

import-linter sees every import, inside functions too, but not a model fetched by name: `apps.get_model`
with an app label is how code would read an app it may not import, so outside migrations (where it is
the rule) it is refused altogether; a model is imported from the app that owns it, downhill."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("forum", "sessions", "speakers", "registration", "calendars", "frontend", "demo", "awards", "accounts",
        "certificates", "surveys", "announcements", "invoicing")


def _project_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def _get_model_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "get_model"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
            found.append(f"{where}:{node.lineno} get_model({node.args[0].value!r}, …)")
    return found


def test_no_module_fetches_a_model_by_app_label():
    found = [call for path in _project_modules() for call in _get_model_calls(path)]
    assert not found, "import the model from the app below instead:\n" + "\n".join(found)


def test_get_model_check_finds_a_model_fetched_by_name(tmp_path):
    """The check above can fail: it finds get_model with an app label, with or without `apps.`."""
    sample = tmp_path / "sample.py"
    sample.write_text('from django.apps import apps\nmodel = apps.get_model("frontend", "StarredSession")\n'
                      'other = get_model("registration.Registration")\n', encoding="utf-8")
    assert [call.rsplit(":", 1)[1] for call in _get_model_calls(sample)] == [
        "2 get_model('frontend', …)", "3 get_model('registration.Registration', …)"]


def test_import_contracts_are_kept():
    """The layers (core < mailing < sessions < speakers < registration < badges; calendars and frontend on
    top; demo above all) and no cycles between the modules of an app, as `make lint` checks them."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " kept, 0 broken." in result.stdout
