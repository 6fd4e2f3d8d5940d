"""End to end: the installed `rnnviz` command opens a real window on a real X server (Xvfb),
trains for a few seconds with every view live, and closes cleanly.

`.ci/run` installs Debian's xvfb when it is missing; without it this test is skipped.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

XVFB = shutil.which("Xvfb")


@pytest.fixture
def x_display(tmp_path):
    if XVFB is None:
        pytest.skip("Xvfb is not installed (.ci/run installs it)")
    # -displayfd: the server picks a free display number and writes it to the pipe
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [XVFB, "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    try:
        assert number.isdigit(), "Xvfb did not report its display"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def rnnviz_command() -> list[str]:
    script = Path(sys.executable).with_name("rnnviz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rnnviz"]


@pytest.mark.slow
def test_the_installed_command_trains_in_a_real_window_and_closes_cleanly(x_display, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "RNNVIZ_TRAINING")}
    env.update(DISPLAY=x_display, QT_QPA_PLATFORM="xcb", HOME=str(tmp_path))
    done = subprocess.run(
        [*rnnviz_command(), "--preset", "alphabet", "--benchmark", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["training"] == "process"  # what a user gets: the trainer in its own process
    assert result["training_steps_per_second"] > 0
    assert result["redraws_per_second"] > 0
    # every view live, not one tab of them: the demo and the four in the grid
    assert result["views_in_sight"] == 5
    assert set(result["views_shown"]) == {"alphabet", "hidden", "gates", "gradient", "loss"}
    assert result["window_visible_after_s"] < 10
    warnings = [line for line in done.stderr.splitlines() if line.strip()]
    assert warnings == [], "Qt or Python warned:\n" + "\n".join(warnings)
