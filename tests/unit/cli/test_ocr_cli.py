"""`procountor-connector ocr`: generate and validate payment references from the command line."""

from __future__ import annotations

import pytest

from adapters.cli.main import main


def test_generates_one_reference_per_line(capsys) -> None:
    assert main(["ocr", "--scheme", "fi", "123", "2024000123", "1234567890123456789"]) == 0
    assert capsys.readouterr().out.splitlines() == ["1232", "20240001234", "12345678901234567894"]


@pytest.mark.parametrize(
    ("scheme", "base", "reference"),
    [("rf", "539007547034", "RF18539007547034"), ("fi-rf", "123456", "RF341234561"), ("se", "12345", "123455"),
     ("se-length", "12345678", "1234567806"), ("no-mod10", "12345678", "123456782"), ("no-mod11", "1009", "1009-")],
)
def test_every_scheme(capsys, scheme: str, base: str, reference: str) -> None:
    assert main(["ocr", "--scheme", scheme, base]) == 0
    assert capsys.readouterr().out == reference + "\n"


def test_unusable_base_fails_with_the_reason_on_stderr(capsys) -> None:
    assert main(["ocr", "--scheme", "fi", "123", "12", "abc"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "1232\n"
    assert "PAYMENT_REFERENCE_BASE" in captured.err and "'12'" in captured.err and "'abc'" in captured.err


def test_validate_mode(capsys) -> None:
    assert main(["ocr", "--scheme", "fi", "--validate", "1232", "1234561"]) == 0
    assert capsys.readouterr().out.splitlines() == ["1232 valid", "1234561 valid"]
    assert main(["ocr", "--scheme", "rf", "--validate", "RF18539007547034", "RF35C4", "RF51C4"]) == 1
    assert capsys.readouterr().out.splitlines() == ["RF18539007547034 valid", "RF35C4 invalid", "RF51C4 valid"]


def test_unknown_scheme_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["ocr", "--scheme", "dk", "123"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
