"""Every option is a flag, a ``TRTCACHE_*`` variable and a ``trtcache_*`` ini key
(``plugin.option_sources``): command line > environment > ini > default, one parser for
all, a bad value named by its source; docs/plugin.md's table is the options table."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_trtcache.plugin import options

ROOT = Path(__file__).resolve().parent.parent

SHOW = """
def test_show(pytestconfig):
    for dest in ("trtcache_timeout", "trtcache_spawn", "trtcache_level", "trtcache_lifecycle_cross", "trtcache_known_gaps"):
        value = pytestconfig.getoption(dest)
        print("VALUE", dest, sorted(value) if isinstance(value, frozenset) else value)
"""


@pytest.fixture(autouse=True)
def project(plugin_env: None, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_show=SHOW)


def _values(pytester: pytest.Pytester, *args: str) -> dict[str, str]:
    result = pytester.runpytest_subprocess("-s", "-p", "trtcache", "-p", "no:randomly", *args)
    assert result.ret == 0, result.stderr.str()
    shown = [line.partition("VALUE ")[2] for line in result.outlines if "VALUE " in line]
    return {line.split()[0]: line.split(None, 1)[1] for line in shown}


def test_defaults_come_from_the_table(pytester: pytest.Pytester) -> None:
    values = _values(pytester)
    assert values["trtcache_timeout"] == "60.0"
    assert values["trtcache_spawn"] == "auto"
    assert values["trtcache_level"] == "['extension', 'required', 'security']"
    assert values["trtcache_lifecycle_cross"] == "False"


@pytest.mark.parametrize("ini", ["pytest.ini", "pyproject.toml"])
def test_each_option_is_an_ini_key(pytester: pytest.Pytester, ini: str) -> None:
    (pytester.path / "gaps.txt").write_text("H9\n")
    keys = {"trtcache_timeout": "7", "trtcache_spawn": "exec", "trtcache_level": "required", "trtcache_lifecycle_cross": "true", "trtcache_known_gaps": "gaps.txt"}
    if ini == "pytest.ini":
        pytester.makeini("[pytest]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items()))
    else:
        pytester.makepyprojecttoml("[tool.pytest.ini_options]\n" + "".join(f'{k} = "{v}"\n' for k, v in keys.items()))
    values = _values(pytester, "--strict-config", "-W", "ignore::pytest.PytestWarning")
    assert values["trtcache_timeout"] == "7.0"
    assert values["trtcache_spawn"] == "exec"
    assert values["trtcache_level"] == "['required']"
    assert values["trtcache_lifecycle_cross"] == "True"
    assert values["trtcache_known_gaps"] == str(pytester.path / "gaps.txt")  # relative to the ini file


def test_each_option_is_an_environment_variable(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRTCACHE_TIMEOUT", "8")
    monkeypatch.setenv("TRTCACHE_SPAWN", "fork")
    monkeypatch.setenv("TRTCACHE_LIFECYCLE_CROSS", "1")
    values = _values(pytester)
    assert (values["trtcache_timeout"], values["trtcache_spawn"], values["trtcache_lifecycle_cross"]) == ("8.0", "fork", "True")


def test_the_command_line_beats_the_environment_which_beats_the_ini_file(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makeini("[pytest]\ntrtcache_timeout = 7\ntrtcache_spawn = exec\ntrtcache_level = required\n")
    monkeypatch.setenv("TRTCACHE_TIMEOUT", "8")
    monkeypatch.setenv("TRTCACHE_SPAWN", "fork")
    values = _values(pytester, f"{options.TIMEOUT}=9")
    assert values["trtcache_timeout"] == "9.0"  # command line over environment and ini
    assert values["trtcache_spawn"] == "fork"  # environment over ini
    assert values["trtcache_level"] == "['required']"  # ini over the default


@pytest.mark.parametrize(
    ("where", "source"),
    [("flag", options.TIMEOUT), ("env", "TRTCACHE_TIMEOUT"), ("ini", "ini key trtcache_timeout")],
)
def test_a_bad_value_is_a_usage_error_naming_its_source(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, where: str, source: str) -> None:
    args = ["-p", "trtcache"]
    if where == "flag":
        args.append(f"{options.TIMEOUT}=soon")
    elif where == "env":
        monkeypatch.setenv("TRTCACHE_TIMEOUT", "soon")
    else:
        pytester.makeini("[pytest]\ntrtcache_timeout = soon\n")
    result = pytester.runpytest_subprocess(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{source}*bad timeout 'soon'*"])


def test_an_ini_key_alone_switches_the_plugin_on(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ntrtcache_target = bogus:thing\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ini key trtcache_target: bad target 'bogus:thing'*"])


def test_the_plugin_doc_carries_the_options_table() -> None:
    doc = (ROOT / "docs" / "plugin.md").read_text(encoding="utf-8")
    assert options.with_markdown_table(doc) == doc, "run: python -m pytest_trtcache.plugin.options docs/plugin.md"
    assert f"{options.MARKDOWN_START}\n{options.markdown_table()}\n{options.MARKDOWN_END}" in doc
    with pytest.raises(ValueError, match="options:start"):
        options.with_markdown_table("# a document without the markers\n")


def test_the_target_option_names_every_form_the_resolver_accepts() -> None:
    from pytest_trtcache.targets import FORMS

    (target,) = [o for o in options.OPTIONS if o.flag == options.TARGET]
    assert [form for form in FORMS if form not in target.help] == []
