"""Option defaults the CLI passes on without Typer's conversion (`etnc_db.cli`,
`_defer_typer_coercion`) are exactly what that conversion makes of them, for every
option of every command: leaving an option out means the same with or without it."""

from __future__ import annotations

import pytest
from typer._click import Context
from typer._coercion import build_runtime_param
from typer.main import get_command

from etnc_db.cli import PLAIN_DEFAULTS, app


def _params(command, prefix: str = ""):
    """(command path, command, parameter) for the options of `command` and every subcommand."""
    for param in command.params:
        yield prefix or "etnc-db", command, param
    for name, sub in getattr(command, "commands", {}).items():
        yield from _params(sub, f"{prefix} {name}".strip())


PLAIN = [(f"{path} {p.name}", command, p) for path, command, p in _params(get_command(app))
         if isinstance(p.default, PLAIN_DEFAULTS) and hasattr(p, "type_descriptor")]


def test_the_app_has_plain_defaults_to_check():
    names = {name for name, _, _ in PLAIN}
    assert {"run wait", "run bulk", "load wait", "bench repeat", "status runs"} <= names


@pytest.mark.parametrize("name, command, param", PLAIN, ids=[name for name, _, _ in PLAIN])
def test_a_default_passed_on_is_what_typer_makes_of_it(name, command, param):
    converted = build_runtime_param(param.type_descriptor)._coerce_value(param.default, param=param,
                                                                         ctx=Context(command))
    assert converted == param.default and type(converted) is type(param.default), name


def test_a_value_given_is_still_converted_and_checked_by_typer():
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["run", "--wait", "soon"])
    assert result.exit_code == 2 and "Invalid value for '--wait'" in result.output
    result = CliRunner().invoke(app, ["bench", "--repeat", "0"])
    assert result.exit_code == 2 and "Invalid value for '--repeat'" in result.output
