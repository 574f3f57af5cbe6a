"""Frames per second of the HJ 212 codec on one core, and its memory on a 100 MB stream.

The frame is a minute-data upload (CN 2051) of six flue-gas pollutants, each
with Min, Avg, Max and Flag, about 500 bytes, built with ecozone.hj212.encode.
Measured, each with the C accelerator and with the pure-Python code path
(a subprocess with ECOZONE_HJ212_PURE=1, since _accel chooses at import):

  parse + CRC    parse(frame), which always checks the CRC
  parse, no CRC  parse(frame) with _accel.crc16 replaced, in this process only,
                 by a stub returning the frame's CRC (the stub call is counted)
  encode         encode(packet)

beside a plain parser of the kind written in a hurry (split on ';' and ',', a
dict per pollutant, float() on each number, a bit-by-bit CRC loop; no checks,
DataTime left as text), run in the same process. Each figure is the best and
the median of several repetitions (time.perf_counter, garbage collector on).

The memory figure feeds a generated 100 MB stream of such frames (never held
whole) to FrameDecoder in 64 KiB chunks and parses every frame, in a fresh
subprocess: ru_maxrss after the pass, then tracemalloc's peak on another
pass; a pass without parsing times FrameDecoder alone.

    python bench/codec.py [--repeat 7] [--stream-mb 100] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from ecozone.hj212 import CommandParams, FrameDecoder, Packet, _accel, _parse, encode, parse

POLLUTANTS = ("a34013", "a21026", "a21002", "a19001", "a01012", "a01011")  # dust SO2 NOx O2 T v
CHUNK = 64 * 1024


def minute_packet(minute: int = 0, mn: str = "88888880000001ABCDEF0123") -> Packet:
    """A CN 2051 minute-data packet: six pollutants x Min/Avg/Max/Flag."""
    pollutants = {}
    for i, code in enumerate(POLLUTANTS):
        base = 10.0 + 7.3 * i + 0.01 * minute
        pollutants[code] = {
            "Min": round(base * 0.91, 3),
            "Avg": round(base, 3),
            "Max": round(base * 1.12, 3),
            "Flag": "N",
        }
    data_time = datetime(2025, 3, 1, 8, 0) + timedelta(minutes=minute)
    return Packet(
        qn=data_time.strftime("%Y%m%d%H%M%S") + "123",
        st="31",
        cn="2051",
        pw="123456",
        mn=mn,
        flag=5,
        cp=CommandParams(data_time=data_time, pollutants=pollutants),
    )


# ------------------------------------------------------ the plain parser ---


def plain_crc(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ byte
        for _ in range(8):
            if crc & 1:
                crc = (crc >> 1) ^ 0xA001
            else:
                crc >>= 1
    return crc


def plain_parse(frame: bytes, check_crc: bool = True) -> dict:
    data = frame[6:-6]
    if check_crc and plain_crc(data) != int(frame[-6:-2], 16):
        raise ValueError("bad CRC")
    header, _, cp = data.decode().partition(";CP=&&")
    packet: dict = dict(item.split("=", 1) for item in header.split(";"))
    fields = {}
    pollutants: dict[str, dict] = {}
    for group in cp[:-2].split(";"):
        for item in group.split(","):
            key, value = item.split("=", 1)
            if "-" in key:
                code, sub = key.split("-", 1)
                pollutants.setdefault(code, {})[sub] = value if sub == "Flag" else float(value)
            else:
                fields[key] = value
    packet["CP"] = {"fields": fields, "pollutants": pollutants}
    return packet


def plain_encode(packet: dict) -> bytes:
    items = [f"{key}={packet[key]}" for key in ("QN", "ST", "CN", "PW", "MN", "Flag")]
    cp = [f"DataTime={packet['DataTime']}"]
    for code, subs in packet["pollutants"].items():
        cp.append(",".join(f"{code}-{sub}={value}" for sub, value in subs.items()))
    data = (";".join(items) + ";CP=&&" + ";".join(cp) + "&&").encode()
    return b"##%04d%s%04X\r\n" % (len(data), data, plain_crc(data))


def plain_packet(packet: Packet) -> dict:
    return {
        "QN": packet.qn,
        "ST": packet.st,
        "CN": packet.cn,
        "PW": packet.pw,
        "MN": packet.mn,
        "Flag": packet.flag,
        "DataTime": packet.cp.data_time.strftime("%Y%m%d%H%M%S"),
        "pollutants": packet.cp.pollutants,
    }


# ----------------------------------------------------------- throughput ---


def measure(call: Callable[[], object], repeat: int, min_seconds: float = 0.2) -> dict:
    """Frames per second of call(), best and median of `repeat` timed loops."""
    loops = 1
    while True:  # calibrate: one loop long enough for perf_counter
        start = time.perf_counter()
        for _ in range(loops):
            call()
        if time.perf_counter() - start >= min_seconds:
            break
        loops *= 2
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(loops):
            call()
        rates.append(loops / (time.perf_counter() - start))
    return {"best": max(rates), "median": statistics.median(rates)}


def codec_figures(repeat: int) -> dict:
    """parse + CRC, parse without CRC and encode, on whichever path _accel chose."""
    packet = minute_packet()
    frame = encode(packet)
    assert parse(frame) == packet
    figures = {
        "accelerated": _accel.ACCELERATED,
        "frame_bytes": len(frame),
        "parse_crc": measure(lambda: parse(frame), repeat),
        "encode": measure(lambda: encode(packet), repeat),
    }
    sent_crc = int(frame[-6:-2], 16)
    real_crc16 = _accel.crc16
    _accel.crc16 = lambda data: sent_crc
    try:
        figures["parse_no_crc"] = measure(lambda: parse(frame), repeat)
    finally:
        _accel.crc16 = real_crc16
    return figures


def plain_figures(repeat: int) -> dict:
    packet = minute_packet()
    frame = encode(packet)
    loose = plain_packet(packet)
    assert plain_encode(loose) == frame
    assert plain_parse(frame)["CP"]["pollutants"] == packet.cp.pollutants
    return {
        "parse_crc": measure(lambda: plain_parse(frame), repeat),
        "parse_no_crc": measure(lambda: plain_parse(frame, check_crc=False), repeat),
        "encode": measure(lambda: plain_encode(loose), repeat),
    }


def run_worker(args: list[str], pure: bool) -> dict:
    env = dict(os.environ)
    env.pop("ECOZONE_HJ212_PURE", None)
    if pure:
        env["ECOZONE_HJ212_PURE"] = "1"
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


# --------------------------------------------------------------- memory ---


def stream_chunks(total_bytes: int) -> Iterator[bytes]:
    """total_bytes of back-to-back frames from 64 devices, cut into 64 KiB chunks
    that ignore frame boundaries. One 32 KiB block of frames is repeated; the
    stream itself is never held."""
    block = b"".join(
        encode(minute_packet(i, mn=f"{0x88888880000001ABCDEF0000 + i:024X}")) for i in range(64)
    )
    sent = 0
    offset = 0
    while sent < total_bytes:
        size = min(CHUNK, total_bytes - sent)
        parts = []
        need = size
        while need:
            piece = block[offset : offset + need]
            parts.append(piece)
            need -= len(piece)
            offset = (offset + len(piece)) % len(block)
        chunk = b"".join(parts)
        sent += len(chunk)
        yield chunk


def decode_stream(total_bytes: int, parse_frames: bool = True) -> tuple[int, int, float]:
    decoder = FrameDecoder()
    frames = 0
    start = time.perf_counter()
    for chunk in stream_chunks(total_bytes):
        for frame in decoder.feed(chunk):
            if parse_frames:
                parse(frame)
            frames += 1
    seconds = time.perf_counter() - start
    rejected = len(decoder.take_rejected()) + decoder.rejects_discarded
    return frames, rejected, seconds


def memory_figures(stream_mb: int) -> dict:
    total = stream_mb * 1024 * 1024
    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    frames, rejected, seconds = decode_stream(total)
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _, _, decoder_seconds = decode_stream(total, parse_frames=False)
    tracemalloc.start()
    decode_stream(total)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "accelerated": _accel.ACCELERATED,
        "stream_bytes": total,
        "frames": frames,
        "rejected": rejected,
        "seconds": seconds,
        "decoder_seconds": decoder_seconds,
        "maxrss_before_kib": baseline_kib,
        "maxrss_kib": maxrss_kib,
        "tracemalloc_peak_bytes": peak,
    }


# -------------------------------------------------------------- profile ---


def profile_parse() -> None:
    """Where the time of parse() goes: each stage timed alone, then cProfile."""
    packet = minute_packet()
    frame = encode(packet)
    data = frame[6:-6]
    crc_bytes = frame[-6:-2]
    text = data.decode("ascii")
    cp_text = text[text.index("CP=&&") + 5 : -2]
    header = {"QN": packet.qn, "ST": "31", "CN": "2051", "PW": "123456", "MN": packet.mn}
    check_header = _parse._check_header_values
    stages = [
        ("parse(frame), whole", lambda: parse(frame)),
        ("  _decode", lambda: _parse._decode(data, False, [])),
        ("  _check_crc", lambda: _parse._check_crc(data, crc_bytes, False, [])),
        ("  _parse_text, whole", lambda: _parse._parse_text(text, False, [])),
        ("    _check_header_values", lambda: check_header(header, "2017", False, [], None)),
        ("    _parse_cp, whole", lambda: _parse._parse_cp(cp_text, False, [], None)),
        ("      split_cp", lambda: _accel.split_cp(cp_text, False)),
    ]  # fmt: skip
    print(f"stages of parse(), accelerated={_accel.ACCELERATED} (best of 7, µs per frame):")
    for name, call in stages:
        rate = measure(call, 7, min_seconds=0.1)["best"]
        print(f"  {name:32s} {1e6 / rate:7.2f}")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(100_000):
        parse(frame)
    profiler.disable()
    print("\ncProfile of 100,000 parse() calls (its overhead inflates small calls):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(14)


# ----------------------------------------------------------------- main ---


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as meminfo:
            memory = f", {int(meminfo.readline().split()[1]) / 1024**2:.1f} GiB RAM"
    except OSError:
        memory = ""
    return (
        f"{model}, {os.cpu_count()} CPUs{memory}; Python {platform.python_version()},"
        f" {platform.system()} {platform.release()}"
    )


def row(name: str, figure: dict) -> str:
    return (
        f"  {name:24s} {figure['best']:>10,.0f} {figure['median']:>10,.0f}"
        f" {1e6 / figure['best']:>8.2f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed loops per figure")
    parser.add_argument("--stream-mb", type=int, default=100, help="size of the memory stream")
    parser.add_argument("--profile", action="store_true", help="also break down parse()")
    parser.add_argument("--worker", choices=["codec", "memory"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "codec":
        print(json.dumps(codec_figures(args.repeat)))
        return
    if args.worker == "memory":
        print(json.dumps(memory_figures(args.stream_mb)))
        return

    print(time.strftime("%Y-%m-%d %H:%M %Z"), "|", machine())
    fast = codec_figures(args.repeat)
    plain = plain_figures(args.repeat)
    pure = run_worker(["--worker", "codec", "--repeat", str(args.repeat)], pure=True)
    print(
        f"\nframes/s, one core, {fast['frame_bytes']}-byte CN 2051 frame"
        f" (6 pollutants x Min/Avg/Max/Flag); best, median, µs at best"
    )
    if not fast["accelerated"]:
        print("  (the C accelerator is not built: 'accelerated' rows are pure Python too)")
    for what, label in (
        ("parse_crc", "parse + CRC"),
        ("parse_no_crc", "parse, no CRC (stub)"),
        ("encode", "encode"),
    ):
        print(label)
        print(row("accelerated", fast[what]))
        print(row("pure Python", pure[what]))
        print(row("plain parser" if what != "encode" else "plain encoder", plain[what]))

    memory = run_worker(["--worker", "memory", "--stream-mb", str(args.stream_mb)], pure=False)
    mib = memory["stream_bytes"] / 1024**2
    print(
        f"\nFrameDecoder + parse of a {mib:.0f} MiB stream in 64 KiB chunks"
        f" (accelerated={memory['accelerated']}): {memory['frames']:,} frames,"
        f" {memory['rejected']} rejected, {memory['seconds']:.1f} s"
        f" ({memory['frames'] / memory['seconds']:,.0f} frames/s,"
        f" {mib / memory['seconds']:.1f} MiB/s)"
    )
    print(
        f"  FrameDecoder alone, frames not parsed: {memory['decoder_seconds']:.1f} s"
        f" ({memory['frames'] / memory['decoder_seconds']:,.0f} frames/s,"
        f" {mib / memory['decoder_seconds']:.1f} MiB/s)"
    )
    print(
        f"  ru_maxrss {memory['maxrss_kib'] / 1024:.1f} MiB"
        f" (interpreter and imports alone: {memory['maxrss_before_kib'] / 1024:.1f} MiB);"
        f" tracemalloc peak {memory['tracemalloc_peak_bytes'] / 1024:.0f} KiB"
    )
    if args.profile:
        print()
        profile_parse()


if __name__ == "__main__":
    main()
