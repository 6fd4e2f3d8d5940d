"""Session files: exact continuation, validation of every key, atomic writes; PyTorch import."""

import json
import os
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

from rnnviz.training.config import TrainConfig
from rnnviz.training.sessions import (
    SessionError,
    SessionTargetError,
    import_torch_state_dict,
    load_session,
    save_session,
)
from rnnviz.training.trainer import Trainer

SMALL = {"model.hidden_size": "8", "batch_size": "4", "task.delay": "5"}


def trained(steps=5, **extra) -> Trainer:
    trainer = Trainer(TrainConfig().with_settings({**SMALL, **extra}))
    list(trainer.run(steps=steps))
    return trainer


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop", "adagrad"])
def test_open_and_continue_is_the_run_that_never_stopped(tmp_path, optimizer):
    settings = {"optim.kind": optimizer, "optim.lr": "0.01"}
    straight = trained(10, **settings)
    half = trained(4, **settings)
    path = save_session(half, tmp_path / "run.rnnviz")
    resumed = load_session(path)
    assert resumed.iteration == 4 and resumed.config == half.config
    list(resumed.run(steps=6))
    assert resumed.iteration == straight.iteration == 10
    for name, value in straight.model.params.items():
        np.testing.assert_allclose(resumed.model.params[name], value, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(
        resumed.loss_history.values(), straight.loss_history.values(), rtol=1e-5
    )
    assert resumed.rng.bit_generator.state == straight.rng.bit_generator.state


def test_text_session_keeps_the_carried_state_and_stream_positions(tmp_path):
    config = TrainConfig(task="text").with_settings(
        {"model.hidden_size": "8", "batch_size": "4", "seq_len": "16"}
    )
    straight = Trainer(config)
    list(straight.run(steps=6))
    half = Trainer(config)
    list(half.run(steps=3))
    resumed = load_session(save_session(half, tmp_path / "text.rnnviz"))
    assert resumed.h_carry is not None
    list(resumed.run(steps=3))
    for name, value in straight.model.params.items():
        np.testing.assert_allclose(resumed.model.params[name], value, rtol=1e-5, atol=1e-6)


def test_a_saved_file_is_plain_arrays_and_json(tmp_path):
    path = save_session(trained(), tmp_path / "s.rnnviz")
    with np.load(path, allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)
        meta = json.loads(str(data["meta"]))
    assert meta["format"] == "rnnviz-session" and meta["iteration"] == 5
    assert not list(tmp_path.glob(".*.tmp")), "the temporary file was left behind"


def _rewrite(path, edit):
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    edit(arrays)
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def _set_meta(arrays, **changes):
    meta = json.loads(str(arrays["meta"]))
    meta.update(changes)
    arrays["meta"] = np.array(json.dumps(meta))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda a: a.pop("param.rnn.weight_hh_l0"), "missing 'weight_hh_l0'"),
        (lambda a: a.__setitem__("param.rnn.bias_ih_l0", np.full(32, np.nan, np.float32)), "NaN"),
        (
            lambda a: a.__setitem__("param.rnn.bias_ih_l0", np.zeros(32)),
            "float64, expected float32",
        ),
        (lambda a: a.__setitem__("param.readout.weight", np.zeros((2, 2))), "shape"),
        (lambda a: a.__setitem__("surprise", np.zeros(1)), "unexpected entry 'surprise'"),
        (lambda a: a.pop("meta"), "not an rnnviz session"),
        (lambda a: _set_meta(a, version=99), "version 99"),
        (lambda a: _set_meta(a, iteration=-3), "invalid iteration"),
        (lambda a: _set_meta(a, rng={"bit_generator": "MT19937"}), "random state"),
        (lambda a: a.pop("hist.loss_history.values"), "loss history"),
        (lambda a: a.__setitem__("optim.step", np.array(-1)), "step"),
    ],
)
def test_tampered_files_are_refused_with_a_reason(tmp_path, edit, message):
    path = save_session(trained(), tmp_path / "s.rnnviz")
    _rewrite(path, edit)
    with pytest.raises(SessionError, match=message):
        load_session(path)


def test_truncated_and_foreign_files_are_refused(tmp_path):
    path = save_session(trained(), tmp_path / "s.rnnviz")
    data = path.read_bytes()
    (tmp_path / "cut.rnnviz").write_bytes(data[: len(data) // 2])
    with pytest.raises(SessionError, match="damaged, truncated"):
        load_session(tmp_path / "cut.rnnviz")
    (tmp_path / "notes.rnnviz").write_text("hello")
    with pytest.raises(SessionError, match="not a readable"):
        load_session(tmp_path / "notes.rnnviz")
    with pytest.raises(SessionError, match="does not exist"):
        load_session(tmp_path / "nothing.rnnviz")
    pickled = tmp_path / "pickle.rnnviz"
    with zipfile.ZipFile(pickled, "w") as z:  # an object array: needs pickle to read
        with z.open("meta.npy", "w") as f:
            np.lib.format.write_array(f, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(SessionError):
        load_session(pickled)


def test_import_pytorch_weights_with_a_module_prefix(tmp_path):
    trainer = trained(0, **{"model.cell": "gru"})
    donor = trained(3, **{"model.cell": "gru", "seed": "5"})
    arrays = {f"encoder.{k[4:]}": v for k, v in donor.model.params.items() if k.startswith("rnn.")}
    arrays["head.weight"] = donor.model.params["readout.weight"]
    arrays["head.bias"] = donor.model.params["readout.bias"]
    np.savez(tmp_path / "w.npz", **arrays)
    report = import_torch_state_dict(trainer, tmp_path / "w.npz")
    assert report["readout"] and "weight_hh_l0" in report["recurrent"]
    for name, value in donor.model.params.items():
        assert np.array_equal(trainer.model.params[name], value)


def test_import_that_does_not_fit_loads_nothing(tmp_path):
    trainer = trained(0)
    before = {k: v.copy() for k, v in trainer.model.params.items()}
    np.savez(tmp_path / "w.npz", weight_ih_l0=np.zeros((32, 3)), weight_hh_l0=np.zeros((32, 8)))
    with pytest.raises(SessionError, match="does not fit"):
        import_torch_state_dict(trainer, tmp_path / "w.npz")
    np.savez(tmp_path / "none.npz", fc=np.zeros(3))
    with pytest.raises(SessionError, match="no recurrent weights"):
        import_torch_state_dict(trainer, tmp_path / "none.npz")
    for name, value in before.items():
        assert np.array_equal(trainer.model.params[name], value)


def test_a_saved_file_has_the_permissions_of_any_new_file(tmp_path):
    """A session is for sharing (with students, between machines): not private to its owner as
    a temporary file would be, but what the user's umask gives every new file."""
    umask = os.umask(0o022)
    try:
        path = save_session(trained(steps=1), tmp_path / "shared.rnnviz")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
    assert not list(tmp_path.glob(".shared.rnnviz.*"))  # no temporary file left beside it


def test_a_name_near_the_file_systems_limit_is_saved(tmp_path):
    """A temporary file is named after the first 100 bytes of the target's name only: with
    the whole name, ``.NAME.PID.RANDOM.tmp`` of a 250-character name would pass 255 bytes."""
    if os.pathconf(tmp_path, "PC_NAME_MAX") < 250:
        pytest.skip("this file system has shorter names")
    name = "r" * 243 + ".rnnviz"
    path = save_session(trained(steps=1), tmp_path / name)
    assert load_session(path).iteration == 1
    assert [p.name for p in tmp_path.iterdir()] == [name]
    # a temporary file a killed save of it left behind is still found, and removed
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    stale = tmp_path / f".{name[:100]}.{child.pid}.abcd1234.tmp"
    stale.write_bytes(b"partial")
    os.utime(stale, (time.time() - 3600,) * 2)
    save_session(trained(steps=2), tmp_path / name)
    assert [p.name for p in tmp_path.iterdir()] == [name]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_saving_through_a_symbolic_link_writes_the_file_it_names(tmp_path):
    """As any program that writes a file does (and as ``render --out`` does): the link stays
    a link, and the file it leads to gets the session."""
    real = tmp_path / "run-12.rnnviz"
    save_session(trained(steps=1), real)
    link = tmp_path / "latest.rnnviz"
    link.symlink_to("run-12.rnnviz")  # relative, as links usually are
    chain = tmp_path / "current.rnnviz"
    chain.symlink_to(link)
    assert save_session(trained(steps=2), link) == link
    assert link.is_symlink() and os.readlink(link) == "run-12.rnnviz"
    assert load_session(real).iteration == 2
    save_session(trained(steps=3), chain)
    assert chain.is_symlink() and link.is_symlink() and load_session(real).iteration == 3
    # a dangling link: the file it names is created, in the folder it names
    dangling = tmp_path / "next.rnnviz"
    dangling.symlink_to(tmp_path / "sub" / "run-13.rnnviz")
    with pytest.raises(SessionTargetError, match=r"next\.rnnviz: it is a link to .*folder"):
        save_session(trained(steps=1), dangling)
    (tmp_path / "sub").mkdir()
    save_session(trained(steps=1), dangling)
    assert dangling.is_symlink() and load_session(tmp_path / "sub" / "run-13.rnnviz")
    loop = tmp_path / "loop.rnnviz"
    loop.symlink_to(loop)
    with pytest.raises(SessionTargetError, match=r"loop\.rnnviz: .*loop"):
        save_session(trained(steps=1), loop)
    assert loop.is_symlink()
    expected = {"run-12.rnnviz", "latest.rnnviz", "current.rnnviz", "next.rnnviz", "loop.rnnviz"}
    assert {p.name for p in tmp_path.iterdir()} == expected | {"sub"}


def test_a_read_only_file_is_refused_and_left_as_it_was(tmp_path):
    """No write bit for anyone (``chmod 444``) means "keep this": refused, even for root, who
    could replace it, rather than replaced silently by a file of mode 0644."""
    path = save_session(trained(steps=1), tmp_path / "final.rnnviz")
    os.chmod(path, 0o444)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with pytest.raises(SessionTargetError, match=r"final\.rnnviz: it is read-only"):
        save_session(trained(steps=2), path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert path.stat().st_mode & 0o777 == 0o444
    assert [p.name for p in tmp_path.iterdir()] == ["final.rnnviz"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_replacing_a_file_keeps_its_permission_bits(tmp_path, mode):
    path = save_session(trained(steps=1), tmp_path / "mine.rnnviz")
    os.chmod(path, mode)
    umask = os.umask(0o022)
    try:
        save_session(trained(steps=2), path)
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == mode and load_session(path).iteration == 2
