"""The docs and translations stay true: every setting, command and option is documented, the
README's two commands are what CI runs, and the Thai catalogue is complete and compiled."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import click
import polib
import pytest

from nakhon.cli import main
from nakhon.config.env import REGISTRY

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "nakhon" / "locale" / "th" / "LC_MESSAGES"


def commands(group: click.Group, prefix: str = "nakhon") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = [(prefix, group)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", command))
    return found


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in REGISTRY:
        assert f"`{setting.name}`" in text, setting.name


@pytest.mark.parametrize(("name", "command"), commands(main))
def test_every_command_and_option_is_documented(name: str, command: click.Command) -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    if isinstance(command, click.Group) and name != "nakhon":
        return  # a group of subcommands (`nakhon city`): its commands have the headings
    assert re.search(rf"^## {re.escape(name)}\s*$", text, re.M), f"no heading '## {name}'"
    for param in command.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert opt in text, f"{name} {opt}"


def test_every_check_rule_is_documented() -> None:
    from nakhon.ingestion.checks import RULES

    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    for code in RULES:
        assert f"`{code}`" in text, code


def test_every_hook_is_documented() -> None:
    """Like Datasette's test_docs: each hook has its heading in docs/plugins.md, and the
    example plugin there is the one the plugin tests load."""
    import inspect

    from nakhon.plugins import hookspecs

    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    hooks = [
        name
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, "nakhon_spec")
    ]
    assert len(hooks) == 5
    for name in hooks:
        assert re.search(rf"^### {name}\(", text, re.M), f"no heading '### {name}(…)'"
        assert getattr(hookspecs, name).__doc__, name
    example = ROOT / "nakhon" / "plugins" / "tests" / "example_plugin.py"
    assert example.read_text(encoding="utf-8") in text


def test_readme_commands_are_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert re.search(r"^make test\b", ci, re.M)


def test_thai_catalogue_is_complete() -> None:
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    for entry in catalogue.translated_entries():
        for placeholder in re.findall(r"%\(\w+\)[sd]|\{\w+\}", entry.msgid):
            assert placeholder in entry.msgstr, (entry.msgid, entry.msgstr)


def test_compiled_catalogue_matches_the_source() -> None:
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue.translated_entries():
        assert compiled.gettext(entry.msgid) == entry.msgstr, (
            f"django.mo is stale for {entry.msgid!r}: run `make messages`"
        )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools not installed")
def test_every_ui_string_is_in_the_catalogue(tmp_path: Path) -> None:
    """Extract the strings from a copy of the source: none may be missing from django.po."""
    copy = tmp_path / "nakhon"
    shutil.copytree(ROOT / "nakhon", copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.rmtree(copy / "locale")
    (copy / "locale").mkdir()
    subprocess.run(
        [
            str(Path(shutil.which("django-admin") or "django-admin")),
            "makemessages",
            "-l",
            "th",
            "--no-location",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "PATH": str(Path(__import__("sys").executable).parent) + ":/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "nakhon.config.settings_test",
            "PYTHONPATH": str(ROOT),
            "NAKHON_DATA_DIR": str(tmp_path / "data"),
        },
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/th/LC_MESSAGES/django.po"))}
    ours = {e.msgid for e in polib.pofile(str(LOCALE / "django.po"))}
    assert fresh - ours == set(), "new UI strings: run `make messages` and translate them"
