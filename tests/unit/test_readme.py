"""README's table of the `sodamolek` command lists exactly the CLI's commands, with options the
CLI has: a command added, renamed or removed without the README fails here."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from sodamolek.cli import build_parser

README = Path(__file__).resolve().parents[2] / "README.md"


def cli_commands() -> dict[str, set[str]]:
    """'ca init' -> its option strings, for every command and sub-command of the parser."""
    found: dict[str, set[str]] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subparsers and prefix:
            found[prefix] = {o for a in parser._actions for o in a.option_strings}
        for action in subparsers:
            for name, sub in action.choices.items():
                walk(sub, f"{prefix} {name}".strip())

    walk(build_parser(), "")
    return found


def readme_commands() -> dict[str, set[str]]:
    """The command table under '## The `sodamolek` command': its name -> the options it shows."""
    section = README.read_text().split("## The `sodamolek` command", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `sodamolek ")]
    found: dict[str, set[str]] = {}
    for row in rows:
        usage = row.split("`")[1].removeprefix("sodamolek ")
        words = re.split(r"\s+", usage)
        name = []
        for word in words:
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            name.append(word)
        found[" ".join(name)] = set(re.findall(r"--[a-z][a-z-]*", usage))
    return found


def test_readme_lists_every_command_of_the_cli_and_no_other():
    assert set(readme_commands()) == set(cli_commands())


def test_the_options_the_readme_shows_exist():
    cli = cli_commands()
    for command, options in readme_commands().items():
        assert options <= cli[command], (command, options - cli[command])
