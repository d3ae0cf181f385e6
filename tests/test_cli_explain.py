"""`bouncekit explain` as a user runs it: a real process, its output and its exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bouncekit.cli import main


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "bouncekit.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=60, check=False)


def test_explain_prints_title_meaning_causes_and_advice() -> None:
    done = run("explain", "550")
    assert done.returncode == 0
    for heading in ("Meaning", "Typical causes", "What to do", "References"):
        assert heading in done.stdout


def test_language_comes_from_the_locale() -> None:
    assert "Значение" in run("explain", "5.1.1", env={"LANG": "bg_BG.UTF-8"}).stdout
    assert "Типичные причины" in run("explain", "5.1.1", env={"LC_ALL": "ru_RU.UTF-8"}).stdout


def test_an_unknown_locale_falls_back_to_english() -> None:
    assert "Meaning" in run("explain", "5.1.1", env={"LANG": "ja_JP.UTF-8"}).stdout


def test_bad_input_exits_2_with_the_reason_on_stderr() -> None:
    done = run("explain", "5.1.1234")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "detail has at most three digits" in done.stderr


def test_usage_errors_exit_2() -> None:
    assert run("explain", "550", "--lang", "xx").returncode == 2
    assert run("no-such-command").returncode == 2


def test_json_of_a_whole_reply_has_both_codes_and_a_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--json", "--lang", "ru", "550 5.1.1 <x@example.com>: User unknown"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [c["code"] for c in result["codes"]] == ["550", "5.1.1"]
    assert result["verdict"]["reason"] == "userunknown"
    assert result["reply"]["text"] == "<x@example.com>: User unknown"


@pytest.mark.parametrize("lang", ["en", "ru", "bg"])
@pytest.mark.parametrize("code", ["101", "250", "421", "459", "550", "556", "2.0.0", "4.2.2", "5.7.26", "5.7.999",
                                  "4.4.316", "5.7.606", "5.1.10"])
def test_json_explanations_are_complete(code: str, lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", code, "--json", "--lang", lang]) == 0
    (explained,) = json.loads(capsys.readouterr().out)["codes"]
    for field in ("title", "meaning", "causes", "action", "severity", "references"):
        assert explained[field], (code, lang, field)
