"""The generated character tables agree with the installed ``regex`` on every code point."""

from __future__ import annotations

import subprocess
import sys

import regex

from tokensmith import _native

TOOL = __import__("pathlib").Path(__file__).resolve().parents[1] / "tools" / "gen_unicode_tables.py"

CLASSES = {
    1: r"\p{L}",
    2: r"\p{N}",
    4: r"\s",
    8: r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]",
    16: r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]",
    32: r"[^\s\p{L}\p{N}]",
}


def test_every_code_point_has_the_classes_regex_gives_it() -> None:
    table = _native.char_class_table()
    assert len(table) == 0x110000
    text = "".join(map(chr, range(0x110000)))
    for bit, pattern in CLASSES.items():
        member = bytearray(0x110000)
        for match in regex.finditer(pattern + "+", text):
            member[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
        mismatches = [cp for cp in range(0x110000) if bool(table[cp] & bit) != bool(member[cp])]
        assert not mismatches, f"{pattern}: first mismatches at {[hex(cp) for cp in mismatches[:5]]}"


def test_tables_were_generated_by_the_installed_regex() -> None:
    assert _native.regex_version() == regex.__version__, "rerun native/tools/gen_unicode_tables.py and rebuild"
    result = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
