"""Draw every picture the README shows (docs/img/*.png) with `rnnviz render`, as a user would.

    python docs/make_pictures.py                     # into docs/img/
    python docs/make_pictures.py --out-dir /tmp/pics # somewhere else, to look before replacing

PICTURES below is the one list of them: the file, the lesson (preset), the updates it trains,
the picture's size, what is drawn (the window or one view) and any changed settings. Each is a
seeded run drawn on Qt's offscreen platform, so running this again gives the same pictures on
the same machine (text is drawn with the fonts installed). Each file written is printed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: file, preset, steps, size, panel, settings (``KEY=VALUE`` for ``--set``, space-separated)
PICTURES = [
    ("window_text.png", "text_messaging", 300, "1920x1080", "window", ""),
    ("window_projector.png", "lstm_gates", 300, "1280x720", "window", ""),
    ("gradient_rnn.png", "vanishing_gradient", 1500, "900x600", "gradient", "model.cell=rnn_tanh"),
    ("gradient_lstm.png", "vanishing_gradient", 1500, "900x600", "gradient", ""),
    ("window_bptt.png", "bptt", 1500, "1280x720", "window", ""),
    ("diagram_lstm.png", "lstm_gates", 300, "1000x460", "diagram", ""),
    ("equations_lstm.png", "lstm_gates", 300, "760x460", "equations", ""),
    ("bptt_rnn.gif", "bptt", 1500, "900x400", "diagram", ""),
    ("presentation.png", "vanishing_gradient", 300, "1280x720", "window", "--theme=projector"),
    ("compare.png", "vanishing_gradient", 1500, "1280x720", "window", "--compare=rnn,lstm,gru"),
]
#: Pictures drawn by a command of their own: file, command line after `rnnviz` or `python`.
COMMANDS = [
    ("sweep.png", ["rnnviz", "sweep"]),  # the default delay sweep, about 15 s
]


def rnnviz_command() -> list[str]:
    """The `rnnviz` command of this Python's environment (``python -m rnnviz`` without one)."""
    script = Path(sys.executable).with_name("rnnviz.exe" if os.name == "nt" else "rnnviz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rnnviz"]


def render_command(
    out: Path, preset: str, steps: int, size: str, panel: str, settings: str
) -> list[str]:
    """The `rnnviz render` command line that draws one row of PICTURES to ``out``."""
    command = [*rnnviz_command(), "render", "--preset", preset, "--steps", str(steps)]
    command += ["--size", size, "--panel", panel, "--out", str(out)]
    if out.suffix == ".gif":
        command.append("--animate")  # one forward and BPTT pass, as the diagram plays it
    for setting in settings.split():  # an option as it is, else a setting
        command += [setting] if setting.startswith("--") else ["--set", setting]
    return command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=HERE / "img",
        help="folder to write the pictures to (default: docs/img, the README's)",
    )
    out_dir = parser.parse_args(argv).out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    # the offscreen platform whatever the desktop: the same pictures on any screen
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for name, preset, steps, size, panel, settings in PICTURES:
        out = out_dir / name
        command = render_command(out, preset, steps, size, panel, settings)
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)
        if done.returncode != 0 or not out.is_file():
            print(f"make_pictures: {' '.join(command)} failed", file=sys.stderr)
            return 1
        print(out, flush=True)
    for name, (program, *args) in COMMANDS:
        out = out_dir / name
        head = rnnviz_command() if program == "rnnviz" else [sys.executable]
        command = [*head, *args, *(["--out", str(out)] if program == "rnnviz" else [str(out)])]
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)
        if done.returncode != 0 or not out.is_file():
            print(f"make_pictures: {' '.join(command)} failed", file=sys.stderr)
            return 1
        print(out, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
