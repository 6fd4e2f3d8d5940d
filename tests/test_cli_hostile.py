"""Hostile command lines: every bad argument is one line ``rnnviz: …`` on stderr, exit status
2, no traceback, nothing trained and nothing written; Ctrl+C and SIGTERM end a command with one
line and status 130 or 143, and ``rnnviz train`` saves what it trained first."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import refused_in_one_line, rnnviz_command, run_rnnviz

from rnnviz import cli
from rnnviz.cli.checks import check_writable
from rnnviz.cli.messages import MAX_MESSAGE, UsageError
from rnnviz.cli.render_command import parse_size
from rnnviz.cli.signals import Interrupted, StopSignals
from rnnviz.tasks.text import TextTask
from rnnviz.training import sessions
from rnnviz.training.sessions import load_session
from rnnviz.training.trainer import Trainer

HAS_FIFO = hasattr(os, "mkfifo")


@pytest.fixture
def nothing_runs(monkeypatch, tmp_path):
    """Run in an empty folder where nothing may be trained, saved, drawn or opened: a bad
    argument that slipped through fails the test at once instead of training for hours,
    replacing a device or waiting on a pipe."""
    import rnnviz.gui.app as app

    def refuse(what):
        def call(*args, **kwargs):
            raise AssertionError(f"{what} was reached")

        return call

    monkeypatch.setattr(Trainer, "__init__", refuse("Trainer"))
    monkeypatch.setattr(sessions, "save_session", refuse("save_session"))
    for name in ("render", "run_window", "run_benchmark"):
        monkeypatch.setattr(app, name, refuse(name))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--preset", ""], "--preset: needs a lesson's name"),
        (["train", "--preset", ""], "--preset: needs a lesson's name"),
        (["train", "--preset", "  "], "--preset: needs a lesson's name"),
        (["render", "--preset", "", "--out", "a.png"], "--preset: needs a lesson's name"),
        (["train", "--open", ""], "--open: needs a file name"),
        (["train", "--out", ""], "--out: needs a file name"),
        (["render", "--out", ""], "--out: needs a file name"),
        (["render", "--out", "a.png", "--panel", "piechart"], "unknown panel 'piechart'"),
        (
            ["render", "--preset", "alphabet", "--out", "a.png", "--set", "colour=red"],
            "unknown setting 'colour'; you can set model.cell",
        ),
        (
            ["render", "--preset", "alphabet", "--out", "a.png", "--set", "model.cell=transformer"],
            "model.cell must be one of",
        ),
        (
            ["render", "--out", "picture.xyz"],
            "the picture's format follows the file's extension; use one of .png, .jpg",
        ),
        (["render", "--out", "picture"], "use one of .png, .jpg"),
        (["render", "--out", "no-such-folder/picture.png"], "there is no folder"),
        (["--benchmark", "nan"], "--benchmark: takes a number of seconds above 0"),
        (["--benchmark", "inf"], "--benchmark: takes a number of seconds above 0"),
        (["--benchmark=-inf"], "--benchmark: takes a number of seconds above 0"),
        (["--benchmark", "-0"], "--benchmark: takes a number of seconds above 0"),
        (["--benchmark", "0"], "--benchmark: takes a number of seconds above 0"),
        (["--benchmark", "1e308"], "and at most 3600, got '1e308'"),
        (["--benchmark", "3601"], "and at most 3600, got '3601'"),
        (["--benchmark", "４"], "got '４'"),
        (["--benchmark", "1_0"], "got '1_0'"),
        (["train", "--steps", "-1"], "--steps: takes 0 to 10,000,000 updates"),
        (["train", "--steps", "99999999999999999999"], "got 99,999,999,999,999,999,999"),
        (["train", "--steps", "10000001"], "--steps: takes 0 to 10,000,000 updates"),
        (["train", "--steps", "５"], "--steps: takes a whole number of updates, got '５'"),
        (["train", "--steps", "1²"], "--steps: takes a whole number of updates"),
        (["render", "--out", "a.png", "--steps", "-3"], "--steps: takes 0 to 10,000,000"),
        (["train", "--out", "/no/such/folder/run.rnnviz"], "there is no folder /no/such/folder"),
        (["train", "--out", "."], "--out . is a folder"),
        (["render", "--out", "."], "--out . is a folder"),
        (["train", "--set", "seq_len=１２"], "seq_len must be a whole number, got '１２'"),
        (["train", "--set", "optim.lr=nan"], "optim.lr (learning rate) must be a finite number"),
        (
            ["train", "--preset", "text_messaging", "--set", "task.path=/missing.txt"],
            "there is no file at /missing.txt",
        ),
        (
            ["train", "--preset", "text_messaging", "--set", "model.hidden_size=1024",
             "--set", "model.num_layers=4", "--set", "model.bidirectional=true",
             "--set", "batch_size=4096", "--set", "seq_len=10000"],
            "would need about",
        ),
    ],
)  # fmt: skip
def test_bad_arguments_are_one_line_and_nothing_runs(capsys, nothing_runs, argv, message):
    assert message in refused_in_one_line(capsys, argv)
    assert list(nothing_runs.iterdir()) == []


#: int() refuses strings of more than 4,300 digits with its own ValueError
_HUGE = "9" * 4301


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ("1280x72²", "--size takes WIDTHxHEIGHT"),
        ("１２８０x720", "--size takes WIDTHxHEIGHT"),
        ("1280x٧٢٠", "--size takes WIDTHxHEIGHT"),
        ("big", "--size takes WIDTHxHEIGHT"),
        # far above what Qt can paint: this crashed the process (exit 139)
        ("99999x99999", "from 200x150 to 8192x8192, got '99999x99999'"),
        ("8193x1000", "to 8192x8192"),
        ("1000x8193", "to 8192x8192"),
        ("199x150", "from 200x150"),
        pytest.param(f"{_HUGE}x150", "--size takes WIDTHxHEIGHT", id="4301-digit-width"),
        pytest.param(f"200x{_HUGE}", "--size takes WIDTHxHEIGHT", id="4301-digit-height"),
    ],
)
def test_a_bad_size_is_one_line_and_nothing_runs(capsys, nothing_runs, size, message):
    assert message in refused_in_one_line(capsys, ["render", "--out", "a.png", "--size", size])
    assert list(nothing_runs.iterdir()) == []


def test_a_size_with_spaces_or_a_capital_x_is_fine():
    assert parse_size(" 1280 X 720 ") == (1280, 720)


def _special_outputs(tmp_path: Path) -> list[tuple[str, str]]:
    outputs = []
    if HAS_FIFO:
        for name in ("pipe.rnnviz", "pipe.png"):
            os.mkfifo(tmp_path / name)
            outputs.append((str(tmp_path / name), "is a FIFO (named pipe), not a regular file"))
    if Path("/dev/null").exists():
        outputs.append(("/dev/null", "is a device, not a regular file"))
    return outputs


def test_out_naming_a_pipe_or_a_device_is_refused_before_training(capsys, nothing_runs):
    special = _special_outputs(nothing_runs)
    assert special, "needs FIFOs or /dev/null"
    for path, message in special:
        if not path.endswith(".png"):
            assert message in refused_in_one_line(capsys, ["train", "--out", path])
        if not path.endswith(".rnnviz"):
            assert message in refused_in_one_line(capsys, ["render", "--out", path])
    if Path("/dev/null").exists():
        assert Path("/dev/null").is_char_device()  # still the device


def test_out_may_replace_a_regular_file_or_be_new(tmp_path):
    old = tmp_path / "old.rnnviz"
    old.write_bytes(b"an old session")
    assert check_writable(str(old)) == old
    assert check_writable(str(tmp_path / "new.rnnviz")) == tmp_path / "new.rnnviz"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes anywhere")
def test_out_in_a_folder_that_cannot_be_written_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(UsageError, match="is not writable"):
            check_writable(str(locked / "run.rnnviz"))
    finally:
        locked.chmod(0o700)


def test_argparse_errors_are_one_line(capsys):
    line = refused_in_one_line(capsys, ["train", "--steps"])
    assert "argument --steps: expected one argument" in line
    assert "see `rnnviz train --help`" in line


# --------------------------------------------------------------------------- text files


def test_rare_characters_are_noted_in_one_line_and_counted_in_the_json(capsys, tmp_path):
    rare = "".join(chr(0x4E00 + i) for i in range(1_000))
    story = tmp_path / "story.txt"
    story.write_text("the cat is small\n" * 100 + rare, encoding="utf-8")
    argv = ["train", "--preset", "text_messaging", "--set", f"task.path={story}"]
    assert cli.main([*argv, "--steps", "1", "--quiet"]) == 0
    captured = capsys.readouterr()
    folded = len(set(story.read_text(encoding="utf-8"))) - (TextTask.MAX_VOCABULARY - 1)
    assert captured.err == f"rnnviz: note: {folded:,} rare characters are shown as �\n"
    assert json.loads(captured.out)["folded_chars"] == folded


def test_no_note_when_nothing_is_folded(capsys):
    assert cli.main(["train", "--preset", "text_messaging", "--steps", "0", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and json.loads(captured.out)["folded_chars"] == 0


# --------------------------------------------------------------------------- signals


def _start_training(tmp_path: Path, *extra: str) -> subprocess.Popen:
    """``python -m rnnviz train`` of a long run, returned once its progress bar shows."""
    argv = rnnviz_command("train", "--preset", "alphabet", "--steps", "1000000", *extra)
    process = subprocess.Popen(
        argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy()
    )
    seen = b""
    deadline = time.monotonic() + 60
    while b"[" not in seen:  # the progress bar's first "[": training has started
        ready, _, _ = select.select([process.stderr], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(process.stderr.fileno(), 4096) if ready else b""
        if not chunk:
            process.kill()
            process.wait()
            pytest.fail(f"no progress bar; stderr so far: {seen!r}")
        seen += chunk
    process.seen = seen  # type: ignore[attr-defined]
    return process


def _finish(process: subprocess.Popen) -> tuple[str, list[str]]:
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    text = (process.seen + err).decode()  # type: ignore[attr-defined]
    assert "Traceback" not in text
    return out.decode(), [line for line in text.replace("\r", "\n").splitlines() if line]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_training_saves_and_exits_130(tmp_path):
    process = _start_training(tmp_path, "--out", "run.rnnviz")
    process.send_signal(signal.SIGINT)
    out, lines = _finish(process)
    assert process.returncode == 130 and out == ""
    last = lines[-1]
    assert last.startswith("rnnviz: interrupted at iteration ")
    assert last.endswith("; saved to run.rnnviz")
    assert not [line for line in lines if line.startswith("rnnviz:") and line != last]
    iteration = int(last.split("iteration ")[1].split(";")[0].replace(",", ""))
    assert iteration >= 1
    assert load_session(tmp_path / "run.rnnviz").iteration == iteration


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_stops_training_and_exits_143(tmp_path):
    process = _start_training(tmp_path)
    process.send_signal(signal.SIGTERM)
    out, lines = _finish(process)
    assert process.returncode == 143 and out == ""
    assert lines[-1].startswith("rnnviz: terminated at iteration ")
    assert lines[-1].endswith("; not saved (--out FILE saves the run)")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_elsewhere_is_one_line_and_143():
    # a command other than train (here `presets`, made to receive SIGTERM while it runs)
    done = run_rnnviz("presets", signal_at=("rnnviz.cli:_presets", signal.SIGTERM))
    assert (done.returncode, done.stderr, done.stdout) == (143, "rnnviz: terminated\n", "")


@pytest.mark.parametrize("command", ["presets", "render", "info"])
def test_ctrl_c_elsewhere_is_one_line_and_130(capsys, monkeypatch, tmp_path, command):
    import rnnviz.gui.app as app

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_presets", interrupt)
    monkeypatch.setattr(cli, "_info", interrupt)
    monkeypatch.setattr(app, "render", interrupt)  # while render trains
    monkeypatch.chdir(tmp_path)
    argv = {"render": ["render", "--steps", "1", "--out", "x.png"]}.get(command, [command])
    assert cli.main(argv) == 130
    captured = capsys.readouterr()
    assert captured.err == "rnnviz: interrupted\n" and captured.out == ""


def test_a_second_signal_ends_at_once_unless_the_run_is_being_saved():
    stop = StopSignals()
    stop._handle(signal.SIGINT, None)  # the first asks for a stop
    assert stop.signum == signal.SIGINT
    with pytest.raises(Interrupted):
        stop._handle(signal.SIGINT, None)
    stop.protect()
    stop._handle(signal.SIGTERM, None)  # noted, not acted on: the save goes on
    assert stop.signum == signal.SIGINT


def test_signal_handlers_are_restored_after_training(capsys):
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    assert cli.main(["train", "--preset", "alphabet", "--steps", "1", "--quiet"]) == 0
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


# ---------------------------------------------------------------- found by a hostile review


def test_every_message_is_one_short_line_whatever_it_quotes(capsys, nothing_runs):
    newline = refused_in_one_line(capsys, ["train", "--open", "/tmp/no\nsuch"])
    assert "no\\nsuch" in newline  # shown escaped, on the one line
    huge = refused_in_one_line(capsys, ["train", "--set", "model.hidden_size=" + "x" * 100_000])
    assert len(huge) <= len("rnnviz: ") + MAX_MESSAGE and " … " in huge
    assert huge.startswith("rnnviz: model.hidden_size")


def _signal_in(monkeypatch, where, attribute: str, signum: int) -> None:
    """Make ``where.attribute`` send ``signum`` to this process before it does its work."""
    real = getattr(where, attribute)

    def signalled(*args, **kwargs):
        os.kill(os.getpid(), signum)
        return real(*args, **kwargs)

    monkeypatch.setattr(where, attribute, signalled)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("where", "attribute", "signum", "said"),
    [
        # the evaluation is cut short: no figures, but the run is saved
        (Trainer, "evaluate", signal.SIGINT, "interrupted at iteration 3"),
        # the save goes on to its end: the figures are printed as without the signal
        (sessions, "save_session", signal.SIGTERM, "terminated while saving"),
    ],
    ids=["evaluation", "final-save"],
)
def test_a_signal_during_the_evaluation_or_the_final_save_still_saves_the_run(
    capsys, monkeypatch, tmp_path, where, attribute, signum, said
):
    _signal_in(monkeypatch, where, attribute, signum)
    out = tmp_path / "run.rnnviz"
    argv = ["train", "--preset", "alphabet", "--steps", "3", "--quiet", "--out", str(out)]
    assert cli.main(argv) == 128 + signum
    captured = capsys.readouterr()
    assert captured.err == f"rnnviz: {said}; saved to {out}\n"
    if attribute == "save_session":
        assert json.loads(captured.out)["out"] == str(out)
    else:
        assert captured.out == ""
    assert load_session(out).iteration == 3


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
def test_a_closed_terminal_stops_training_and_saves(tmp_path):
    process = _start_training(tmp_path, "--out", "run.rnnviz")
    process.send_signal(signal.SIGHUP)
    out, lines = _finish(process)
    assert process.returncode == 129 and out == ""
    assert lines[-1].startswith("rnnviz: stopped (the terminal closed) at iteration ")
    assert lines[-1].endswith("; saved to run.rnnviz")
    assert load_session(tmp_path / "run.rnnviz").iteration >= 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("signum", "word"), [(signal.SIGINT, "interrupted"), (signal.SIGTERM, "terminated")]
)
def test_a_signal_while_render_paints_writes_nothing_and_is_one_line(
    capsys, monkeypatch, tmp_path, signum, word
):
    from rnnviz.gui import app

    # raised inside Qt's paint events, the signal was swallowed (the picture written, exit 0)
    # or crashed the process
    _signal_in(monkeypatch, app, "_lay_out_at", signum)
    out = tmp_path / "x.png"
    argv = ["render", "--preset", "alphabet", "--steps", "0", "--size", "400x300"]
    assert cli.main([*argv, "--out", str(out)]) == 128 + signum
    assert capsys.readouterr().err == f"rnnviz: {word}\n"
    assert not out.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_while_the_command_starts_is_one_line():
    # the signal arrives while rnnviz.cli (and what it imports) is being imported
    done = run_rnnviz("presets", signal_at=("import rnnviz.cli", signal.SIGINT))
    assert (done.returncode, done.stderr, done.stdout) == (130, "rnnviz: interrupted\n", "")


def test_a_read_only_out_file_is_refused_before_training(capsys, nothing_runs):
    old = nothing_runs / "kept.rnnviz"
    old.write_bytes(b"the lecturer's session")
    old.chmod(0o444)
    message = refused_in_one_line(capsys, ["train", "--out", str(old)])
    assert message.endswith("kept.rnnviz is read-only: make it writable or give another name")
    assert old.read_bytes() == b"the lecturer's session"
