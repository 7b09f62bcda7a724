"""The HTML report in a real browser: headless Chromium (Debian's ``chromium`` package).

Checks that the page runs without script errors and that its screenshot is not blank. The test
installs nothing; CI installs ``chromium`` with apt.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib

import pytest

pytestmark = pytest.mark.slow  # Chromium starts in ~10 s per run on this machine

from tokensmith.measure import evaluate

_ERROR_PROBE = (
    "<script>window.addEventListener('error', function (e) {"
    " document.documentElement.setAttribute('data-script-error', String(e.message)); });</script>"
)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("headless Chromium not found on PATH: apt-get install -y chromium")


def _run(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    base = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--enable-logging=stderr", "--v=0"]
    return subprocess.run(base + arguments, capture_output=True, text=True, timeout=120)


def _distinct_pixel_bytes(png: bytes) -> int:
    """Distinct byte values in the PNG's decompressed scanlines (a blank page has a handful)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, data = 8, b""
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        if kind == b"IDAT":
            data += png[position + 8:position + 8 + length]
        position += 12 + length
    return len(set(zlib.decompress(data)))


@pytest.fixture(scope="module")
def report_file(builtin, tmp_path_factory):
    corpora = {"eng": ["The quick brown fox jumps over the lazy dog."], "jpn": ["素早い茶色の狐がのろまな犬を飛び越える。"],
               "rus": ["Съешь же ещё этих мягких французских булок."]}
    report = evaluate([builtin("gpt2"), builtin("o200k_base")], corpora)
    html = report.to_html().replace("<head>", "<head>" + _ERROR_PROBE, 1)
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_report_runs_without_script_errors(report_file):
    result = _run(["--dump-dom", report_file.as_uri()])
    assert result.returncode == 0, result.stderr[-2000:]
    assert "<h1>tokensmith compare</h1>" in result.stdout
    assert "data-script-error" not in result.stdout.split("<head>")[0]
    console_errors = [line for line in result.stderr.splitlines() if "CONSOLE" in line and ("Error" in line or "Uncaught" in line)]
    assert console_errors == []


def test_report_screenshot_is_not_blank(report_file, tmp_path):
    screenshot = tmp_path / "shot.png"
    result = _run([f"--screenshot={screenshot}", "--window-size=1200,1800", report_file.as_uri()])
    assert screenshot.exists(), result.stderr[-2000:]
    assert _distinct_pixel_bytes(screenshot.read_bytes()) > 50
