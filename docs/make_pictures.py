"""Regenerate the pictures in the README (docs/img/*.png) with `rnnviz render`.

    python docs/make_pictures.py

Each picture is a seeded training run drawn offscreen, so running this again gives the same
pictures (up to font rendering).
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PICTURES = [
    # file, preset, steps, panel, size, settings
    ("window_text.png", "text_messaging", 300, "window", "1800x1000", []),
    ("window_recall.png", "vanishing_gradient", 1500, "window", "1800x1000", []),
    (
        "gradient_rnn.png",
        "vanishing_gradient",
        1500,
        "gradient",
        "900x600",
        ["model.cell=rnn_tanh"],
    ),
    ("gradient_lstm.png", "vanishing_gradient", 1500, "gradient", "900x600", []),
]


def main() -> None:
    out_dir = HERE / "img"
    out_dir.mkdir(exist_ok=True)
    for name, preset, steps, panel, size, settings in PICTURES:
        command = [
            sys.executable,
            "-m",
            "rnnviz",
            "render",
            "--preset",
            preset,
            "--steps",
            str(steps),
            "--panel",
            panel,
            "--size",
            size,
            "--out",
            str(out_dir / name),
        ]
        for setting in settings:
            command += ["--set", setting]
        print(" ".join(command[1:]), flush=True)
        subprocess.run(
            command, check=True, env={"QT_QPA_PLATFORM": "offscreen", **__import__("os").environ}
        )


if __name__ == "__main__":
    main()
