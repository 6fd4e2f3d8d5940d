"""Hostile session and weights files: each is refused with one SessionError naming the file,
in bounded memory and time, and the file is left exactly as it was.

The files are built by hand in ``tmp_path``: zip members written with ``zipfile`` or byte by
byte (to declare sizes that lie), ``.npy`` headers written raw. A "terabyte" header is a few
bytes on disk; a "gigabyte" member is a small deflate stream of zeros that claims more.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import stat
import struct
import subprocess
import sys
import time
import tracemalloc
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from rnnviz.training import sessions
from rnnviz.training.config import ConfigError, TrainConfig
from rnnviz.training.sessions import (
    SessionError,
    import_torch_state_dict,
    load_session,
    save_session,
)
from rnnviz.training.trainer import Trainer

SMALL = {"model.hidden_size": "8", "batch_size": "4", "task.delay": "5"}
#: What a refused file may cost to look at (the tracemalloc peak, NumPy's arrays included).
BOUNDED_MB = 64


def trained(steps=3, **extra) -> Trainer:
    trainer = Trainer(TrainConfig().with_settings({**SMALL, **extra}))
    list(trainer.run(steps=steps))
    return trainer


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> bytes:
    """The bytes of a valid small session (recall task, LSTM, H = 8, Adam, 3 iterations)."""
    path = save_session(trained(), tmp_path_factory.mktemp("good") / "good.rnnviz")
    return path.read_bytes()


@pytest.fixture(scope="module")
def good_text(tmp_path_factory) -> bytes:
    """A valid text session: it carries the hidden state between batches."""
    config = TrainConfig(task="text").with_settings(
        {"model.hidden_size": "8", "batch_size": "4", "seq_len": "16"}
    )
    trainer = Trainer(config)
    list(trainer.run(steps=2))
    return save_session(trainer, tmp_path_factory.mktemp("text") / "text.rnnviz").read_bytes()


# ---------------------------------------------------------------------- building files


def members_of(data: bytes) -> dict[str, bytes]:
    """The members of an archive, by name, as raw (inflated) bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def npy(array: np.ndarray) -> bytes:
    f = io.BytesIO()
    np.lib.format.write_array(f, np.asanyarray(array), allow_pickle=True)
    return f.getvalue()


def raw_header(text: str, version: tuple[int, int] = (1, 0)) -> bytes:
    """A ``.npy`` header with exactly ``text`` as its dictionary (no data after it)."""
    body = text.encode("latin1")
    head = b"\x93NUMPY" + bytes(version)
    size = 2 if version == (1, 0) else 4
    body += b" " * ((-(len(head) + size + len(body) + 1)) % 64) + b"\n"
    return head + struct.pack("<H" if size == 2 else "<I", len(body)) + body


def write_zip(path: Path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def write_raw_zip(path: Path, entries: list[dict]) -> Path:
    """A zip written byte by byte, so that sizes, flags and methods may lie.

    Each entry: ``name``, ``payload`` (the bytes stored), and optionally ``method`` (0),
    ``flags`` (0), ``crc`` (of the payload) and ``size`` (the declared inflated size).
    """
    out, directory = bytearray(), bytearray()
    for e in entries:
        name = e["name"].encode()
        payload = e["payload"]
        method, flags = e.get("method", 0), e.get("flags", 0)
        crc, size = e.get("crc", zlib.crc32(payload)), e.get("size", len(payload))
        offset = len(out)
        out += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, len(payload), size,
            len(name), 0,
        )  # fmt: skip
        out += name + payload
        directory += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc, len(payload),
            size, len(name), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        directory += name
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(out), 0
    )
    path.write_bytes(bytes(out + directory + end))
    return path


def stored(members: dict[str, bytes]) -> list[dict]:
    return [{"name": name, "payload": data} for name, data in members.items()]


def meta_of(members: dict[str, bytes]) -> dict:
    return json.loads(str(np.lib.format.read_array(io.BytesIO(members["meta.npy"]))))


def with_meta_text(members: dict[str, bytes], text: str) -> dict[str, bytes]:
    return {**members, "meta.npy": npy(np.array(text))}


def with_meta(members: dict[str, bytes], raw: str | None = None, **changes) -> dict[str, bytes]:
    """The members with the meta fields changed; ``raw`` replaces the JSON value of a field
    set to the string "RAW" (for numbers json.dumps will not write, like 1e400)."""
    meta = meta_of(members)
    meta.update(changes)
    text = json.dumps(meta)
    if raw is not None:
        text = text.replace('"RAW"', raw)
    return with_meta_text(members, text)


def refused(call, path: Path, *patterns: str, peak_mb: float = BOUNDED_MB) -> str:
    """Assert ``call(path)`` raises SessionError naming the file, matching ``patterns``, within
    ``peak_mb`` of memory, and that the file's bytes and mtime did not change."""
    before = (path.read_bytes(), os.stat(path).st_mtime_ns) if path.is_file() else None
    tracemalloc.start()
    try:
        with pytest.raises(SessionError) as info:
            call(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert path.name in message, message
    assert "\n" not in message and len(message) < 600, message
    for pattern in patterns:
        assert re.search(pattern, message), message
    assert peak < peak_mb * 2**20, f"peak {peak / 2**20:.0f} MB while refusing: {message}"
    if before is not None:
        assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before, "the file changed"
    return message


def import_into_fresh(path: Path) -> None:
    import_torch_state_dict(trained(0), path)


# ---------------------------------------------------------------------- members


def _pickled_param(m):
    return {**m, "param.rnn.bias_ih_l0.npy": npy(np.array([{"a": 1}] * 32, dtype=object))}


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        # a member without the .npy name that NumPy would still read as the weight
        (
            lambda m: {
                ("param.rnn.weight_hh_l0" if k == "param.rnn.weight_hh_l0.npy" else k): v
                for k, v in m.items()
            },
            r"'param\.rnn\.weight_hh_l0' that is not a NumPy array \(\.npy\)",
        ),
        (lambda m: {**m, "notes.txt": b"hello"}, r"'notes\.txt' that is not a NumPy array"),
        (lambda m: {**m, "meta.npy": b"not numpy at all, just text"}, r"'meta\.npy'.*bad magic"),
        (_pickled_param, r"Python objects"),
        (
            lambda m: {**m, "param.rnn.bias_ih_l0.npy": npy(np.zeros(32, [("a", "<f4")]))},
            r"structured or raw dtype",
        ),
        (
            lambda m: {**m, "param.rnn.bias_ih_l0.npy": npy(np.zeros(32, "V4"))},
            r"structured or raw dtype",
        ),
        (
            lambda m: {
                **m,
                "param.rnn.bias_ih_l0.npy": raw_header(
                    "{'descr': '<f4', 'fortran_order': 'yes', 'shape': (32,), }"
                )
                + bytes(128),
            },
            r"'param\.rnn\.bias_ih_l0\.npy'.*(memory order|unreadable header)",
        ),
        (
            lambda m: {
                **m,
                "param.rnn.bias_ih_l0.npy": raw_header(
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (-4, -8), }"
                ),
            },
            r"invalid shape",
        ),
        (
            lambda m: {**m, "param.rnn.bias_ih_l0.npy": npy(np.zeros(32, "<f4"))[:-56]},
            r"'param\.rnn\.bias_ih_l0\.npy' claims 128 bytes",
        ),
        (
            lambda m: {**m, "param.rnn.bias_ih_l0.npy": npy(np.zeros(32, "<c8"))},
            r"unsupported dtype",
        ),
    ],
)
def test_members_that_are_not_plain_npy_arrays_are_refused(tmp_path, good, edit, pattern):
    path = write_zip(tmp_path / "s.rnnviz", edit(members_of(good)))
    refused(load_session, path, pattern)


def test_weights_file_with_a_pickled_or_misnamed_member_is_refused(tmp_path):
    donor = trained(0)
    arrays = {k[4:]: v for k, v in donor.model.params.items() if k.startswith("rnn.")}
    members = {f"{k}.npy": npy(v) for k, v in arrays.items()}
    path = write_zip(tmp_path / "w.npz", {**members, "extra": npy(np.zeros(3))})
    refused(import_into_fresh, path, r"'extra' that is not a NumPy array")
    path = write_zip(tmp_path / "w.npz", {**members, "meta.npy": b"\x93NUMPY garbage"})
    refused(import_into_fresh, path, r"'meta\.npy'")


def test_an_archive_listing_too_many_members_is_refused_before_parsing_them(tmp_path, good):
    members = members_of(good)
    entries = stored(members) + [
        {"name": f"param.x{k}.npy", "payload": b""} for k in range(sessions_max_members() + 1)
    ]
    path = write_raw_zip(tmp_path / "s.rnnviz", entries)
    refused(load_session, path, r"members")


def sessions_max_members() -> int:
    from rnnviz.training.archive import MAX_MEMBERS

    return MAX_MEMBERS


# ---------------------------------------------------------------------- the JSON description


def test_metadata_nested_thousands_deep_is_refused(tmp_path, good):
    members = members_of(good)
    deep = "[" * 100_000 + "]" * 100_000
    path = write_zip(tmp_path / "s.rnnviz", with_meta(members, raw=deep, diverged="RAW"))
    refused(load_session, path, r"nested too deeply")
    path = write_zip(tmp_path / "t.rnnviz", with_meta_text(members, deep))
    refused(load_session, path, r"nested too deeply")


@pytest.mark.parametrize(
    ("field", "raw", "pattern"),
    [
        ("iteration", "9" * 5000, r"5000 digits"),
        ("iteration", "9" * 4000, r"4000 digits"),
        ("loss_limit", "1e400", r"too large"),
        ("lr_at_divergence", "-1e400", r"too large"),
        ("loss_limit", "NaN", r"NaN, which is not a number"),
        ("lr_at_divergence", "Infinity", r"Infinity, which is not a number"),
        (
            "rng",
            '{"bit_generator": "PCG64", "state": {"state": ' + "7" * 4000 + ', "inc": 1}, '
            '"has_uint32": 0, "uinteger": 0}',
            r"4000 digits",
        ),
    ],
)
def test_metadata_numbers_too_large_or_not_numbers_are_refused(tmp_path, good, field, raw, pattern):
    path = write_zip(tmp_path / "s.rnnviz", with_meta(members_of(good), raw=raw, **{field: "RAW"}))
    refused(load_session, path, pattern)


_PCG = {"bit_generator": "PCG64", "has_uint32": 0, "uinteger": 0}


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"iteration": 2**63}, r"invalid iteration"),
        ({"iteration": True}, r"invalid iteration"),
        ({"lr_at_divergence": -1.0}, r"learning rate at divergence"),
        ({"lr_at_divergence": "fast"}, r"learning rate at divergence"),
        ({"loss_limit": 0}, r"loss limit"),
        ({"carry_parts": 7}, r"carried states"),
        ({"diverged": 12}, r"divergence note"),
        ({"surprise": 1}, r"unknown field 'surprise'"),
        ({"rng": {**_PCG, "state": {"state": 2**130, "inc": 1}}}, r"random state"),
        ({"rng": {**_PCG, "state": {"state": "x", "inc": 1}}}, r"random state"),
        ({"rng": {**_PCG, "state": {"state": 1, "inc": 1}, "has_uint32": "x"}}, r"random state"),
        ({"rng": {**_PCG, "state": {"state": 1, "inc": 1}, "uinteger": -1}}, r"random state"),
        ({"rng": {**_PCG, "state": {"state": 1, "inc": 1}, "extra": 1}}, r"random state"),
        ({"rng": [1, 2]}, r"random state"),
        ({"config": {"model": {"hidden_size": 10**9}}}, r"hidden_size"),
        ({"config": {"optim": {"lr": -1}}}, r"learning rate"),
        ({"config": "lstm"}, r"JSON object"),
        # True == 1 and 1.0 == 1 in Python: the version must be the whole number itself
        ({"version": True}, r"version must be a whole number, got true"),
        ({"version": 1.0}, r"version must be a whole number, got 1\.0"),
        # JSON's "\ud800" is a lone surrogate, not text: it breaks whatever prints it
        ({"diverged": "exploded \ud800"}, r"not valid Unicode"),
        ({"config": {"model": {"cell": "\udcff"}}}, r"not valid Unicode"),
        ({"surprise\ud83d": 1}, r"not valid Unicode"),
    ],
)
def test_metadata_out_of_range_or_of_the_wrong_type_is_refused(tmp_path, good, changes, pattern):
    members = members_of(good)
    if "config" in changes and isinstance(changes["config"], dict):
        config = meta_of(members)["config"]
        for group, values in changes["config"].items():
            config[group].update(values)
        changes = {"config": config}
    path = write_zip(tmp_path / "s.rnnviz", with_meta(members, **changes))
    refused(load_session, path, pattern)


@pytest.mark.parametrize("code", [0x110000, 0xFFFFFFFF, 0xD800])
def test_metadata_characters_that_are_not_unicode_are_refused(tmp_path, good, code):
    """The description is a UCS-4 array: a code point above U+10FFFF (NumPy's str() of it
    raises SystemError) or a lone surrogate is refused as not text."""
    members = members_of(good)
    text = json.dumps(meta_of(members))
    codes = np.frombuffer(text.encode("utf-32-le"), "<u4").copy()
    codes[text.index("diverged") + 2] = code  # inside a key of the JSON
    array = codes.view(f"<U{codes.size}").reshape(())
    path = write_zip(tmp_path / "s.rnnviz", {**members, "meta.npy": npy(array)})
    refused(load_session, path, r"not valid Unicode")


# ---------------------------------------------------------------------- array values


def _replace(members, key, array):
    return {**members, f"{key}.npy": npy(array)}


@pytest.mark.parametrize(
    ("key", "value", "pattern"),
    [
        ("param.rnn.weight_hh_l0", np.full((32, 8), 1e300), r"float64, expected float32"),
        ("param.rnn.weight_hh_l0", np.full((32, 8), np.inf, np.float32), r"NaN or infinite"),
        ("optim.m.rnn.weight_hh_l0", np.full((32, 8), 1e300), r"float64, expected float32"),
        ("optim.v.rnn.bias_hh_l0", np.full(32, np.nan, np.float32), r"NaN or infinite"),
        ("optim.v.rnn.bias_hh_l0", np.full(32, -1, np.float32), r"≥ 0"),
        ("hist.loss_history.values", np.full(3, 1e300), r"float64, expected float32"),
        ("hist.loss_history.values", np.full(3, np.nan, np.float32), r"NaN or infinite"),
        ("hist.loss_history.iterations", np.array([3, 2, 1]), r"not increasing"),
        ("hist.loss_history.iterations", np.array([1, 2, 99]), r"not increasing"),
        ("hist.loss_history.stride", np.array(3), r"stride"),
        ("optim.step", np.array(2**40), r"step count"),
        ("optim.lr", np.array(0.5), r"learning rate 0\.5 is not the one in the settings"),
        ("optim.lr", np.array(np.inf), r"learning rate"),
        ("optim.beta1", np.array(1.5), r"beta1"),
    ],
)
def test_values_out_of_range_or_overflowing_float32_are_refused(
    tmp_path, good, key, value, pattern
):
    path = write_zip(tmp_path / "s.rnnviz", _replace(members_of(good), key, value))
    refused(load_session, path, pattern)


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        (np.full((1, 4, 8), 1e300), r"float64, expected float32"),
        (np.full((1, 4, 8), np.nan, np.float32), r"NaN or infinite"),
    ],
)
def test_a_carried_state_that_overflows_or_is_not_finite_is_refused(
    tmp_path, good_text, value, pattern
):
    path = write_zip(tmp_path / "t.rnnviz", _replace(members_of(good_text), "carry.0", value))
    refused(load_session, path, pattern)


def test_imported_weights_that_overflow_float32_are_refused_and_nothing_is_loaded(tmp_path):
    trainer = trained(0)
    before = {k: v.copy() for k, v in trainer.model.params.items()}
    arrays = {k[4:]: v.astype(np.float64) for k, v in trained(2).model.params.items() if "rnn" in k}
    arrays["weight_hh_l0"] = np.full((32, 8), 1e300)
    np.savez(tmp_path / "w.npz", **arrays)
    refused(lambda p: import_torch_state_dict(trainer, p), tmp_path / "w.npz", r"too large")
    for name, value in before.items():
        assert np.array_equal(trainer.model.params[name], value)


# ---------------------------------------------------------------------- sizes that lie


@pytest.mark.parametrize("count", [2**40, 10**9])
def test_a_header_claiming_terabytes_is_refused_before_allocating(tmp_path, good, count):
    header = raw_header(f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({count},), }}")
    members = {**members_of(good), "param.rnn.weight_hh_l0.npy": header + bytes(64)}
    path = write_zip(tmp_path / "s.rnnviz", members)
    assert path.stat().st_size < 100_000
    refused(load_session, path, r"'param\.rnn\.weight_hh_l0\.npy' claims")
    path = write_zip(tmp_path / "w.npz", {"weight_ih_l0.npy": header + bytes(64)})
    refused(import_into_fresh, path, r"'weight_ih_l0\.npy' claims")


def _zeros_deflated(header: bytes, zeros: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(header + bytes(zeros)) + packer.flush()


def test_a_member_that_would_inflate_to_gigabytes_is_refused_before_inflating(tmp_path, good):
    count = 768 << 20  # 3 GiB of float32
    header = raw_header(f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({count},), }}")
    payload = _zeros_deflated(header, 1 << 20)  # 1 MiB of real zeros, about 1 KB packed
    members = members_of(good)
    members.pop("param.rnn.weight_hh_l0.npy")
    bomb = {
        "name": "param.rnn.weight_hh_l0.npy",
        "payload": payload,
        "method": zipfile.ZIP_DEFLATED,
        "size": len(header) + 4 * count,
    }
    path = write_raw_zip(tmp_path / "s.rnnviz", [*stored(members), bomb])
    assert path.stat().st_size < 100_000
    start = time.perf_counter()
    refused(load_session, path, r"would inflate to 3,072 MB")
    assert time.perf_counter() - start < 5


def test_a_member_claiming_more_than_deflate_can_give_is_refused(tmp_path, good):
    count = 32 << 20  # 128 MiB: under the budget for one array, but not from a 1 KB stream
    header = raw_header(f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({count},), }}")
    payload = _zeros_deflated(header, 1 << 20)
    entry = {"name": "w.npy", "payload": payload, "method": 8, "size": len(header) + 4 * count}
    path = write_raw_zip(tmp_path / "s.rnnviz", [*stored(members_of(good)), entry])
    refused(load_session, path, r"more than deflate can")


def test_members_over_a_lowered_budget_are_refused_before_inflating(tmp_path, good, monkeypatch):
    path = tmp_path / "s.rnnviz"
    path.write_bytes(good)
    monkeypatch.setattr(sessions, "MAX_ARRAY_BYTES", 1000)
    refused(load_session, path, r"more than the 1,000 bytes rnnviz reads for one array")
    monkeypatch.setattr(sessions, "MAX_ARRAY_BYTES", 1 << 20)
    monkeypatch.setattr(sessions, "MAX_SESSION_BYTES", 4000)
    refused(load_session, path, r"more than 4,000 bytes")


def test_a_config_asking_for_a_huge_model_is_refused_without_building_it(tmp_path, good):
    members = members_of(good)
    config = meta_of(members)["config"]
    config["model"].update(hidden_size=1024, num_layers=4, bidirectional=True)
    path = write_zip(tmp_path / "s.rnnviz", with_meta(members, config=config))
    refused(load_session, path, r"weight", peak_mb=BOUNDED_MB)


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (
            lambda m: _replace(m, "optim.buf.rnn.weight_hh_l0", np.zeros((32, 8), np.float32)),
            r"optimiser state has an unexpected entry",
        ),
        (lambda m: with_meta(m, config={**meta_of(m)["config"], "history": 2}), r"3 rows"),
        (lambda m: _replace(m, "carry.0", np.zeros((1, 4, 8), np.float32)), r"incomplete"),
        (
            lambda m: _replace(
                with_meta(m, carry_parts=1), "carry.0", np.zeros((1, 4, 8), np.float32)
            ),
            r"carries no hidden state",
        ),
        (lambda m: _replace(m, "task.position", np.zeros(10**5)), r"task state"),
        (lambda m: _replace(m, "hist.dh_history.values", np.zeros((3, 2, 5), "f4")), r"dh history"),
        (lambda m: _replace(m, "hist.metric_history.values", np.zeros((3, 9), "f4")), r"shape"),
        (
            lambda m: with_meta(
                m, config={**meta_of(m)["config"], "model": {"cell": "gru", "hidden_size": 8}}
            ),
            r"shape \(32, 18\), expected \(24, 18\)",
        ),
    ],
)
def test_settings_that_disagree_with_the_arrays_are_refused(tmp_path, good, edit, pattern):
    path = write_zip(tmp_path / "s.rnnviz", edit(members_of(good)))
    refused(load_session, path, pattern)


@pytest.mark.parametrize(
    "error",
    [
        ConfigError("the model would need 40 GB, more than this computer has"),
        MemoryError(),
        OverflowError("Python int too large to convert to C long"),
    ],
)
def test_an_error_while_building_the_trainer_becomes_a_session_error(
    tmp_path, good, monkeypatch, error
):
    def refuse(*args, **kwargs):
        raise error

    path = tmp_path / "s.rnnviz"
    path.write_bytes(good)
    monkeypatch.setattr(sessions, "Trainer", refuse)
    refused(load_session, path, r"cannot be opened")


# ---------------------------------------------------------------------- zip features


def test_unknown_compression_methods_and_encrypted_members_are_refused(tmp_path, good):
    members = members_of(good)
    lzma = write_zip(tmp_path / "lzma.rnnviz", members, zipfile.ZIP_LZMA)
    refused(load_session, lzma, r"compression method 14")
    entries = stored(members)
    entries[0] = {**entries[0], "method": 99}
    refused(load_session, write_raw_zip(tmp_path / "m99.rnnviz", entries), r"method 99")
    entries = stored(members)
    entries[0] = {**entries[0], "flags": 0x1}
    refused(load_session, write_raw_zip(tmp_path / "enc.rnnviz", entries), r"encrypted")


def test_a_damaged_deflate_stream_is_refused(tmp_path, good):
    data = bytearray(good)
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        info = max(z.infolist(), key=lambda i: i.compress_size)
    name_len, extra_len = struct.unpack(
        "<2H", data[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_len + extra_len
    data[start : start + 16] = b"\xff" * 16  # an invalid deflate block type
    path = tmp_path / "s.rnnviz"
    path.write_bytes(bytes(data))
    refused(load_session, path, re.escape(repr(info.filename)))


# ---------------------------------------------------------------------- paths


class _HangError(Exception):
    pass


def _within(seconds, call):
    """Run ``call()`` in this thread; fail if it has not returned after ``seconds``."""

    def alarm(signum, frame):
        raise _HangError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        return call()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _char_device(path: Path) -> Path:
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
    except (OSError, AttributeError):
        pytest.skip("cannot make a device node here (needs root)")
    return path


@pytest.mark.skipif(not hasattr(signal, "SIGALRM") or not hasattr(os, "mkfifo"), reason="POSIX")
@pytest.mark.parametrize("call", [load_session, import_into_fresh], ids=["open", "import"])
def test_paths_that_are_not_regular_files_are_refused_without_opening(tmp_path, call):
    fifo = tmp_path / "pipe.rnnviz"
    os.mkfifo(fifo)
    _within(5, lambda: refused(call, fifo, r"is a FIFO \(named pipe\), not a regular file"))
    refused(call, _char_device(tmp_path / "null.rnnviz"), r"is a device")
    folder = tmp_path / "folder.rnnviz"
    folder.mkdir()
    refused(call, folder, r"is a folder")
    refused(call, tmp_path / "nothing.rnnviz", r"does not exist")
    with pytest.raises(SessionError, match="names no file"):
        call("")


# ---------------------------------------------------------------------- saving


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX")
def test_saving_never_replaces_a_fifo_a_device_or_a_folder(tmp_path):
    trainer = trained(1)
    fifo = tmp_path / "pipe.rnnviz"
    os.mkfifo(fifo)
    with pytest.raises(SessionError, match=r"pipe\.rnnviz: it is a FIFO"):
        _within(5, lambda: save_session(trainer, fifo))
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    folder = tmp_path / "folder.rnnviz"
    folder.mkdir()
    with pytest.raises(OSError, match=r"it is a folder"):  # also an OSError, as writes fail
        save_session(trainer, folder)
    assert folder.is_dir()
    device = _char_device(tmp_path / "null")
    with pytest.raises(SessionError, match=r"null: it is a device"):
        save_session(trainer, device)
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.rnnviz", "null", "pipe.rnnviz"]


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_saving_removes_stale_temporary_files_of_a_killed_save_and_nothing_else(tmp_path):
    dead, alive = _dead_pid(), os.getppid()
    old = time.time() - 3600
    names = {
        "stale": f".run.rnnviz.{dead}.abcd1234.tmp",  # its process is gone, untouched for long
        "older": ".run.rnnviz.k3j4h5g6.tmp",  # from before the pid was in the name
        "recent": f".run.rnnviz.{dead}.zzzz9999.tmp",  # touched a moment ago: may be written
        "alive": f".run.rnnviz.{alive}.abcd1234.tmp",  # its process still runs
        "other": f".other.rnnviz.{dead}.abcd1234.tmp",  # another target's
        "longer": f".run.rnnviz.{dead}.abcd1234.tmp.keep",
        "prefix": f"x.run.rnnviz.{dead}.abcd1234.tmp",
    }
    for key, name in names.items():
        (tmp_path / name).write_bytes(b"partial")
        if key != "recent":
            os.utime(tmp_path / name, (old, old))
    folder = tmp_path / f".run.rnnviz.{dead}.dir12345.tmp"
    folder.mkdir()
    os.utime(folder, (old, old))
    save_session(trained(1), tmp_path / "run.rnnviz")
    left = {p.name for p in tmp_path.iterdir()}
    assert names["stale"] not in left and names["older"] not in left
    expected = {"run.rnnviz", folder.name} | {names[k] for k in names} - {
        names["stale"],
        names["older"],
    }
    assert left == expected
    load_session(tmp_path / "run.rnnviz")


def test_the_round_trip_still_opens_and_is_not_written_to(tmp_path, good):
    path = tmp_path / "s.rnnviz"
    path.write_bytes(good)
    os.chmod(path, 0o444)
    before = os.stat(path).st_mtime_ns
    tracemalloc.start()
    try:
        trainer = load_session(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert trainer.iteration == 3 and peak < BOUNDED_MB * 2**20
    assert path.read_bytes() == good and os.stat(path).st_mtime_ns == before


# ---------------------------------------------------------------------- .npy headers NumPy trips on


def _weights_members() -> dict[str, bytes]:
    """A weights file that fits ``trained(0)``: its recurrent weights under PyTorch's names."""
    donor = trained(0)
    return {f"{k[4:]}.npy": npy(v) for k, v in donor.model.params.items() if k.startswith("rnn.")}


@pytest.mark.parametrize(
    ("header", "pattern"),
    [
        # NumPy's header filter tokenizes it and raises tokenize.TokenError, no ValueError
        (b"\x93NUMPY\x01\x00\x08\x00{'descr'", r"unreadable header|truncated"),
        (raw_header("{'descr': '<f4', 'fortran_order': False, 'shape': (32,"), r"unreadable"),
        # NumPy reads a Python 2 header (32L) only after a UserWarning on stderr
        (raw_header("{'descr': '<f4', 'fortran_order': False, 'shape': (32L,), }"), r"unread"),
        # an alias NumPy takes with a DeprecationWarning ('a' for 'S')
        (raw_header("{'descr': 'a5', 'fortran_order': False, 'shape': (32,), }"), r"dtype"),
        # nested too deeply for Python's parser; a shape of shapes
        (raw_header("{'descr': '<f4', 'shape': " + "(" * 300 + ")" * 300 + "}"), r"unreadable"),
        (
            raw_header("{'descr': '<f4', 'fortran_order': False, 'shape': ((32,),), }"),
            r"invalid shape",
        ),
        (raw_header("{'descr': '<i3', 'fortran_order': False, 'shape': (32,), }"), r"dtype"),
        (
            raw_header("{'descr': '<f4', 'fortran_order': False, 'shape': (32,), 'x': 1}"),
            r"unreadable header",
        ),
        (raw_header("[" * 5000 + "]" * 4000), r"unreadable header"),
        # an invalid escape: a SyntaxWarning from Python's parser (3.12 on)
        (raw_header("{'descr': '\\d<f4', 'fortran_order': False, 'shape': (32,), }"), r"backslash"),
    ],
)
@pytest.mark.parametrize("call", [load_session, import_into_fresh], ids=["open", "import"])
def test_npy_headers_numpy_trips_on_are_refused_without_a_warning(
    tmp_path, good, header, pattern, call
):
    """Any Exception NumPy's own header parser raises (tokenize.TokenError was one) and any
    warning it prints are kept from the user: the header is read and parsed by rnnviz, and the
    file refused with one SessionError."""
    if call is load_session:
        members = {**members_of(good), "meta.npy": header + bytes(32)}
    else:
        members = {**_weights_members(), "weight_hh_l0.npy": header + bytes(32)}
    path = write_zip(tmp_path / "h.npz", members)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would fail the test, not be printed
        refused(call, path, pattern)


def test_a_header_longer_than_numpy_reads_is_refused_in_one_short_line(tmp_path, good):
    """NumPy words this one over three lines ("Header info length … To allow loading …")."""
    header = raw_header("{'descr': '<f4', 'fortran_order': False, 'shape': (32,), }" + " " * 20_000)
    path = write_zip(tmp_path / "long.rnnviz", {**members_of(good), "meta.npy": header})
    message = refused(load_session, path, r"header of 20,\d{3} bytes, more than the 10,000")
    assert len(message) < 200 and "To allow" not in message
    path = write_zip(tmp_path / "long.npz", {**_weights_members(), "weight_ih_l0.npy": header})
    refused(import_into_fresh, path, r"'weight_ih_l0\.npy' has a header of")


def test_a_session_error_is_one_short_line_whatever_it_quotes(monkeypatch, tmp_path, good):
    """Whatever an exception from NumPy or zipfile says (several lines, thousands of
    characters) and whatever the file is called, the message stays one short line."""
    from rnnviz.training import archive

    def talkative(*args, **kwargs):
        raise ValueError("first line\nsecond line\n\tthird " + "and more " * 2000)

    monkeypatch.setattr(archive.NpzArchive, "_open", talkative)
    path = tmp_path / "s.rnnviz"
    path.write_bytes(good)
    for call in (load_session, import_into_fresh):
        message = refused(call, path, r"first line second line third and more")
        assert len(message) <= 500, message
    odd = tmp_path / "two\nlines.rnnviz"
    odd.write_bytes(good)
    with pytest.raises(SessionError) as info:
        load_session(odd)
    assert "two\\nlines.rnnviz" in str(info.value) and "\n" not in str(info.value)


def _damaged(rng: np.random.Generator, members: dict[str, bytes]) -> tuple[bytes, str]:
    """A damaged copy of the archive of ``members``, and what was done, for a failure's message.

    Either the archive's bytes are cut short or have a few bits flipped (zipfile and its CRC
    meet those), or one member's bytes are damaged inside an archive that is otherwise
    sound (its CRC agrees), so that the damage reaches the ``.npy`` header parser (a few
    header bytes replaced, by brackets and quotes half the time: what a parser stumbles on),
    the JSON description or the checks of the values (a few data bytes replaced).
    """
    how = int(rng.integers(4))
    if how < 2:
        data = bytearray(write_zip(io.BytesIO(), members).getvalue())
        if how == 0:
            cut = int(rng.integers(len(data)))
            return bytes(data[:cut]), f"cut at {cut}"
        spots = rng.integers(len(data), size=int(rng.integers(1, 5))).tolist()
        for spot in spots:
            data[spot] ^= 1 << int(rng.integers(8))
        return bytes(data), f"bits flipped at {spots}"
    name = sorted(members)[int(rng.integers(len(members)))]
    member = bytearray(members[name])
    header_end = min(10 + struct.unpack("<H", member[8:10])[0], len(member))
    low, high = (0, header_end) if how == 2 else (header_end, len(member))
    if high <= low:
        low, high = 0, header_end
    changes = []
    for _ in range(int(rng.integers(1, 4))):
        spot = int(rng.integers(low, high))
        if rng.random() < 0.5:
            member[spot] = rng.choice(list(b"{}()[]'\",: \n\\L"))
        else:
            member[spot] = int(rng.integers(256))
        changes.append((spot, bytes(member[spot : spot + 1])))
    damaged = {**members, name: bytes(member)}
    return write_zip(io.BytesIO(), damaged).getvalue(), f"{name} bytes replaced: {changes}"


def test_random_damage_to_a_session_is_refused_or_loads(tmp_path, good):
    """A few hundred damaged copies of a valid session (seeded): each gives a SessionError of
    one line or a trainer, never another exception."""
    rng = np.random.default_rng(20240613)
    members = members_of(good)
    path = tmp_path / "damaged.rnnviz"
    outcomes = {"refused": 0, "loaded": 0}
    for _ in range(300):
        data, how = _damaged(rng, members)
        path.write_bytes(data)
        try:
            load_session(path)
        except SessionError as error:
            message = str(error)
            assert "\n" not in message and len(message) <= 500, (how, message)
            outcomes["refused"] += 1
        except Exception as error:  # the failure says which damage let what escape
            pytest.fail(f"{how}: {type(error).__name__}: {error}")
        else:
            outcomes["loaded"] += 1
    assert outcomes["refused"] > 150, outcomes


def test_random_damage_to_a_weights_file_is_refused_or_imported(tmp_path):
    rng = np.random.default_rng(7)
    members = _weights_members()
    trainer = trained(0)
    path = tmp_path / "damaged.npz"
    for _ in range(150):
        data, how = _damaged(rng, members)
        path.write_bytes(data)
        try:
            import_torch_state_dict(trainer, path)
        except SessionError as error:
            assert "\n" not in str(error), (how, str(error))
        except Exception as error:
            pytest.fail(f"{how}: {type(error).__name__}: {error}")


# ---------------------------------------------------------------------- weights near the limit


@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("value", [3e38, -3e38, 1e20])
@pytest.mark.parametrize("task", ["recall", "ball"])
def test_finite_weights_near_float32_s_limit_train_without_a_numpy_warning(
    tmp_path, cell, value, task
):
    """Weights of 3e38 are finite and pass every check of a file; what they overflow to is
    reported as a divergence or as NaN scores, never as a NumPy warning on stderr or an error
    (the evaluation's loss refused NaN outputs; the snapshot's gradient overflowed)."""
    source = trained(2, **{"model.cell": cell, "task": task})
    for weight in source.model.params.values():
        weight[...] = value
    trainer = load_session(save_session(source, tmp_path / "huge.rnnviz"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning fails the test
        trainer.snapshot()
        result = trainer.step()
        trainer.snapshot()
        scores = trainer.evaluate()
    assert result is not None and (result.applied or trainer.diverged)
    assert "loss" in scores and all(isinstance(v, float) for v in scores.values())


def test_training_a_session_of_huge_weights_prints_no_warning(tmp_path):
    """What the review ran: ``rnnviz train --open F --steps 1`` on such a session."""
    source = trained(2)
    for weight in source.model.params.values():
        weight[...] = 3e38
    path = save_session(source, tmp_path / "huge.rnnviz")
    done = subprocess.run(
        [sys.executable, "-m", "rnnviz", "train", "--open", str(path), "--steps", "1", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "default"},
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert json.loads(done.stdout)["diverged"]
