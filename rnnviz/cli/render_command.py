"""``rnnviz render``: train a lesson headless, then draw the window or one view offscreen to a
picture file and print one JSON line. Everything given is checked before the training starts;
the window's code (and Qt) is imported only then."""

from __future__ import annotations

import argparse
import re

from rnnviz.cli.arguments import DEFAULT_PRESET, MAX_SIDE, MIN_SIZE
from rnnviz.cli.checks import check_preset, check_writable, parse_settings, with_settings
from rnnviz.cli.messages import UsageError, print_json
from rnnviz.cli.signals import Interrupted

__all__ = ["parse_size", "run_render"]

# ASCII digits only, as every number rnnviz reads (rnnviz.cli.arguments says why)
_SIZE = re.compile(r"([0-9]+)x([0-9]+)", re.ASCII)


def parse_size(text: str) -> tuple[int, int]:
    """``render --size``: WIDTHxHEIGHT in ASCII digits, within MIN_SIZE and MAX_SIDE."""
    match = _SIZE.fullmatch("".join(text.lower().split()))
    if match and len(match[1]) <= 5 and len(match[2]) <= 5:  # int() of 4,301 digits raises
        width, height = int(match[1]), int(match[2])
        if MIN_SIZE[0] <= width <= MAX_SIDE and MIN_SIZE[1] <= height <= MAX_SIDE:
            return width, height
    raise UsageError(
        f"--size takes WIDTHxHEIGHT in pixels, from {MIN_SIZE[0]}x{MIN_SIZE[1]} "
        f"to {MAX_SIDE}x{MAX_SIDE}, got {text!r}"
    )


def run_render(args: argparse.Namespace) -> int:
    """`rnnviz render`: its exit status (0; a bad input raises UsageError)."""
    preset_name = args.preset or DEFAULT_PRESET
    check_preset(preset_name)
    size = parse_size(args.size)
    from rnnviz.gui.app import PANELS, image_formats, render
    from rnnviz.gui.quit_signals import SignalReceived
    from rnnviz.training.config import ConfigError
    from rnnviz.training.presets import load_preset

    if args.animate:  # one forward + BPTT pass of the diagram, as an animated GIF
        if args.panel != "diagram":
            raise UsageError(
                f"--animate draws the diagram panel (--panel diagram), not {args.panel!r}"
            )
    elif args.panel not in PANELS:
        raise UsageError(f"unknown panel {args.panel!r}; choose one of {', '.join(PANELS)}")
    # checked before training, which can take minutes
    out = check_writable(args.out)
    formats = image_formats()
    if args.animate:
        if out.suffix.lower() != ".gif":
            raise UsageError(
                f"--out {args.out!r}: --animate writes an animated GIF; name a .gif file"
            )
    elif out.suffix.lower().lstrip(".") not in formats:
        raise UsageError(
            f"--out {args.out!r}: the picture's format follows the file's extension; "
            f"use one of {', '.join('.' + f for f in formats)}"
        )
    preset = load_preset(preset_name)
    steps = args.steps if args.steps is not None else preset.steps
    settings = parse_settings(args.settings)
    try:
        with_settings(preset.config, settings)  # a bad setting is refused before training
        if args.compare:
            if args.animate or args.panel != "window":
                raise UsageError("--compare draws the compare page: no --panel or --animate")
            from rnnviz.gui.compare_render import render_compare

            print_json(render_compare(preset_name, steps, args.out, args.compare, size, settings))
            return 0
        result = render(
            preset_name,
            steps,
            args.out,
            args.panel,
            size,
            settings,
            animate=args.animate,
            theme=args.theme,
        )
    except (OSError, ConfigError) as error:
        raise UsageError(str(error)) from None
    except SignalReceived as stop:  # noted while Qt painted; the picture was not written
        raise Interrupted(stop.signum) from None
    print_json(result)
    return 0
