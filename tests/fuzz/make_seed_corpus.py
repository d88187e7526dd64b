#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses (README.md): small valid inputs of each format and
a few refused ones, so fuzzing starts from both sides of every check. Deterministic; run from
anywhere with Debian's python3 (numpy): /usr/bin/python3 tests/fuzz/make_seed_corpus.py"""
import io
import json
import pathlib
import struct

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
PROFILES = HERE.parent.parent / "sim" / "profiles"


def write(kind, name, data):
    folder = CORPUS / kind
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def npy_bytes(array, version=None):
    buffer = io.BytesIO()
    if version is None:
        np.save(buffer, array)
    else:
        np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()


def npy_corpus():
    write("npy", "uint8_2x3.npy", npy_bytes(np.array([[0, 1, 1], [1, 0, 1]], dtype=np.uint8)))
    write("npy", "bool_4.npy", npy_bytes(np.array([True, False, True, True])))
    write("npy", "float32_2x2.npy", npy_bytes(np.array([[0.5, -1.0], [2.0, 1e-3]], np.float32)))
    write("npy", "float64_3.npy", npy_bytes(np.array([1.0, 0.0, 1.0000000001])))
    write("npy", "uint16_2.npy", npy_bytes(np.array([4095, 7], dtype=np.uint16)))
    write("npy", "int32_2.npy", npy_bytes(np.array([-3, 9], dtype=np.int32)))
    write("npy", "int64_scalar.npy", npy_bytes(np.array(42, dtype=np.int64)))
    write("npy", "complex64_2.npy", npy_bytes(np.array([1 + 2j, -1j], dtype=np.complex64)))
    write("npy", "float32_empty_0x4.npy", npy_bytes(np.zeros((0, 4), np.float32)))
    write("npy", "uint8_format2.npy", npy_bytes(np.ones((2, 2), np.uint8), version=(2, 0)))
    write("npy", "fortran_order.npy", npy_bytes(np.asfortranarray(np.ones((2, 3), np.float32))))
    write("npy", "big_endian.npy", npy_bytes(np.array([1.0, 2.0], dtype=">f8")))
    write("npy", "truncated_data.npy", npy_bytes(np.arange(16, dtype=np.float32))[:-9])
    write("npy", "not_npy.txt", b"hello, not an array\n")


def profile_corpus():
    for name in ("gen2", "gen3"):
        write("profile", name + ".json", (PROFILES / (name + ".json")).read_text())
    gen2 = json.loads((PROFILES / "gen2.json").read_text())
    broken = json.loads(json.dumps(gen2))
    broken["camera"]["bits"] = 9
    write("profile", "bad_bits.json", json.dumps(broken))
    broken = json.loads(json.dumps(gen2))
    del broken["dmd"]
    write("profile", "missing_section.json", json.dumps(broken))
    broken = json.loads(json.dumps(gen2))
    broken["controller"]["input_buffer_frames"] = "many"
    write("profile", "wrong_type.json", json.dumps(broken))
    write("profile", "not_json.json", "{\"name\": \"x\", ")
    write("profile", "array.json", "[1, 2, 3]")


def uri_corpus():
    uris = {
        "gen2": "sim:gen2",
        "options": "sim:gen3?seed=7&noise_seed=3&noise=off&lock_wait=5",
        "faults": "sim:gen2?faults=dma_read:0.01,dropped_frame:0.001,hang:0.0005&fault_seed=7",
        "faults_all": "sim:gen2?faults=dma_read:0.1,dma_write:0.1,dropped_frame:0.1,hang:0.1",
        "path_vcd": "sim:path/to/profile.json?vcd=trace.vcd",
        "unknown_option": "sim:gen2?colour=blue",
        "twice": "sim:gen2?seed=1&seed=2",
        "no_scheme": "gen2",
        "bad_seed": "sim:gen2?seed=-1",
        "bad_fault": "sim:gen2?faults=dma_read:2",
    }
    for name, text in uris.items():
        write("uri", name + ".txt", text)


# Small device of fuzz_job_descriptor.cpp: 64 x 16 mirrors (128-byte frames), 32 x 16 pixels.
FRAME_BYTES = 64 * 16 // 8
HOST_BASE = 0x10000


def job(n_features, replication, frames, feature_rows, config_changes=None, flags=1,
        stride=FRAME_BYTES):
    descriptor = struct.pack("<QQIIIIQQIIII", HOST_BASE, 0x900000, stride, 64, frames, flags,
                             7, 0, 0, 0, 0, 0)
    config = {
        "n_features": n_features, "replication": replication, "first_mirror": 0,
        "roi_x": 0, "roi_y": 0, "roi_width": 32, "roi_height": 2, "n_components": 64,
        "exposure_ns": 400000, "frametime_ns": 500000, "medium_seed_lo": 1,
        "medium_seed_hi": 0, "noise_seed_lo": 2, "noise_seed_hi": 0, "mode": 1,
    }
    config.update(config_changes or {})
    words = struct.pack("<15I", *config.values())
    memory = b""
    for row in feature_rows:
        bits = np.zeros(64 * 16, np.uint8)
        for f, value in enumerate(row):
            bits[f * replication:(f + 1) * replication] = value
        memory += np.packbits(bits).tobytes()
    return descriptor + words + memory


def job_descriptor_corpus():
    write("job_descriptor", "valid_2_frames", job(8, 4, 2, [[1, 0] * 4, [0, 1] * 4]))
    write("job_descriptor", "valid_small", job(5, 1, 1, [[1, 1, 0, 0, 1]]))
    write("job_descriptor", "partial_feature", job(8, 4, 1, [[1] * 8])[:-1] + b"\x01")
    write("job_descriptor", "frames_beyond_memory", job(8, 4, 9, [[1] * 8]))
    write("job_descriptor", "timing_only", job(8, 4, 3, [], {"mode": 3}))
    write("job_descriptor", "bad_stride", job(8, 4, 1, [[0] * 8], stride=3))
    write("job_descriptor", "bad_flags", job(8, 4, 1, [[0] * 8], flags=6))
    write("job_descriptor", "bad_roi", job(8, 4, 1, [[0] * 8], {"roi_x": 31}))
    write("job_descriptor", "too_many_features", job(8, 4, 1, [], {"n_features": 2000}))


if __name__ == "__main__":
    npy_corpus()
    profile_corpus()
    uri_corpus()
    job_descriptor_corpus()
