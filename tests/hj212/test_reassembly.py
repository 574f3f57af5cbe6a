"""Multi-packet messages (PNUM/PNO) joined into one; incomplete sets time out."""

from __future__ import annotations

from tests.hj212 import vectors as v
from tests.hj212.vectors import frame

from ecozone.hj212 import IncompleteMessage, Reassembler, parse

PART1 = parse(frame(v.C50_PART1))
PART2 = parse(frame(v.C50_PART2))


def test_two_parts_of_c50_make_one_hour_message():
    r = Reassembler()
    assert r.add(PART1, now=0.0) is None
    whole = r.add(PART2, now=1.0)
    assert whole is not None
    assert list(whole.cp.pollutants) == ["w00000", "w01001", "w01018"]
    assert whole.qn == PART1.qn  # the first part's header
    assert whole.pnum is None and whole.pno is None
    assert whole.flag == 5  # Flag 7 without the D bit
    assert r.pending == 0


def test_parts_in_any_order():
    r = Reassembler()
    assert r.add(PART2, now=0.0) is None
    assert r.add(PART1, now=0.0).cp.pollutants["w01018"]["Cou"] == 63.0


def test_unpacketized_packet_passes_through():
    single = parse(frame(v.C16_MINUTE))
    assert Reassembler().add(single, now=0.0) is single


def test_incomplete_set_times_out_naming_what_arrived():
    r = Reassembler(timeout_s=60)
    r.add(PART1, now=0.0)
    assert r.expire(now=59.0) == []
    errors = r.expire(now=60.0)
    assert len(errors) == 1 and isinstance(errors[0], IncompleteMessage)
    assert "CN 2061 message of 2 packets incomplete after 60 s: received PNO 1" in str(errors[0])
    assert r.pending == 0


def test_pending_sets_are_bounded():
    r = Reassembler(max_pending=3)
    for i in range(10):
        r.add(parse(frame(v.C50_PART1.replace("MN=010000A8900016F000169DC0", f"MN={i:024d}"))), now=i)
    assert r.pending == 3
