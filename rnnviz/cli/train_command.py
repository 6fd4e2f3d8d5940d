"""``rnnviz train``: train a lesson (or a saved session) without a window, with a progress bar on
stderr, and print its final figures as one JSON line. The first signal stops the training after
the update under way and saves the run if ``--out`` was given; a second one ends it at once."""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnviz.cli.arguments import DEFAULT_PRESET
from rnnviz.cli.checks import check_writable, parse_settings, with_settings
from rnnviz.cli.messages import UsageError, end_progress_line, print_json, progress, say
from rnnviz.cli.signals import StopSignals, signal_word

__all__ = ["run_train"]


def run_train(args: argparse.Namespace) -> int:
    """`rnnviz train`: its exit status (0, or 128 + a signal that stopped it)."""
    import time

    from rnnviz.training.config import ConfigError
    from rnnviz.training.presets import PresetError, goal_reached, load_preset
    from rnnviz.training.sessions import SessionError, load_session, save_session
    from rnnviz.training.trainer import Trainer

    settings = parse_settings(args.settings)
    if args.out is not None:
        check_writable(args.out)
    preset = None
    try:
        if args.open_path is not None:
            trainer = load_session(args.open_path)
            if settings:
                trainer.update(with_settings(trainer.config, settings))
        else:
            preset = load_preset(args.preset or DEFAULT_PRESET)
            trainer = Trainer(with_settings(preset.config, settings))
    except (PresetError, ConfigError, SessionError) as error:
        raise UsageError(str(error)) from None
    except ValueError as error:  # e.g. an unreadable text file for the text task
        raise UsageError(str(error)) from None
    if trainer.task.note():
        say(f"note: {trainer.task.note()}")
    steps = args.steps if args.steps is not None else (preset.steps if preset else 500)
    start = time.perf_counter()
    first_iteration = trainer.iteration
    last_draw = 0.0
    # the signals stay caught to the end: a first one during the evaluation or the save lets
    # it finish and then saves (if asked), a second one ends at once, but never a save
    with StopSignals() as stop:
        while trainer.iteration - first_iteration < steps and stop.signum is None:
            result = trainer.step()
            if result is None or not result.applied:
                break  # diverged: the result says why
            if not args.quiet and time.perf_counter() - last_draw >= 0.2:
                last_draw = time.perf_counter()
                progress(trainer.iteration - first_iteration, steps, result.loss)
        seconds = time.perf_counter() - start
        done = trainer.iteration - first_iteration
        if stop.signum is None:
            snapshot = trainer.snapshot()
            if not args.quiet:
                progress(done, steps, snapshot.loss)
                end_progress_line()
            evaluation = trainer.evaluate()
        if stop.signum is not None:
            stop.protect()  # a second Ctrl+C must not cut the save short
            return _stopped(trainer, stop.signum, args.out, save_session)
        baselines = dict(snapshot.baselines)
        result = {
            "preset": preset.name if preset else None,
            "iterations": trainer.iteration,
            "seconds": round(seconds, 3),
            "steps_per_second": round(done / seconds, 1) if seconds > 0 else None,
            "train_loss": snapshot.loss,
            "evaluation": evaluation,
            "baselines": baselines,
            "num_parameters": snapshot.num_parameters,
            "diverged": trainer.diverged or None,
        }
        if hasattr(trainer.task, "folded_chars"):
            result["folded_chars"] = trainer.task.folded_chars
        if preset is not None:
            result["goal"] = preset.goal.describe()
            result["goal_reached"] = goal_reached(preset.goal, evaluation, baselines)
        if args.out:
            stop.protect()
            result["out"] = str(_save(trainer, args.out, save_session))
        print_json(result)
        if stop.signum is not None:  # it came during the save, which went on to the end
            say(f"{signal_word(stop.signum)} while saving; saved to {result['out']}")
            return 128 + stop.signum
    return 0


def _save(trainer, out: str, save_session) -> Path:
    """``save_session``, its failures as one line."""
    from rnnviz.training.sessions import SessionError

    try:
        return save_session(trainer, out)
    except SessionError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"cannot write {out}: {error.strerror or error}") from None


def _stopped(trainer, signum: int, out: str | None, save_session) -> int:
    """After a signal stopped the training: save if asked, say so in one line."""
    end_progress_line()
    where = f"{signal_word(signum)} at iteration {trainer.iteration:,}"
    if out is None:
        say(f"{where}; not saved (--out FILE saves the run)")
    else:
        say(f"{where}; saved to {_save(trainer, out, save_session)}")
    return 128 + signum
