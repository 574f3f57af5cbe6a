"""FrameDecoder: whole frames out of any chunking, garbage skipped, memory bounded."""

from __future__ import annotations

import contextlib

from hypothesis import given
from hypothesis import strategies as st
from tests.hj212 import vectors as v
from tests.hj212.vectors import frame

from ecozone.hj212 import BadHeader, BadTrailer, FrameDecoder, FrameTooLong, parse

FRAMES = [frame(s) for s in (v.A_EXAMPLE, v.C14_RTD, v.C16_MINUTE, v.C18_DAY, v.C50_PART1)]
STREAM = b"".join(FRAMES)


def test_several_frames_in_one_chunk():
    assert FrameDecoder().feed(STREAM) == FRAMES


def test_frame_split_byte_by_byte():
    decoder = FrameDecoder()
    out = []
    for i in range(len(STREAM)):
        out += decoder.feed(STREAM[i : i + 1])
    assert out == FRAMES
    assert decoder.buffered == 0


@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=30))
def test_any_chunking_gives_the_same_frames(cuts):
    points = sorted(set(cuts))
    chunks = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)], strict=True)]
    decoder = FrameDecoder()
    out = [f for chunk in chunks for f in decoder.feed(chunk)]
    assert out == FRAMES


def test_garbage_before_a_frame_is_skipped_and_reported():
    decoder = FrameDecoder()
    assert decoder.feed(b"\x00\xffHELLO" + FRAMES[0]) == [FRAMES[0]]
    rejected = decoder.take_rejected()
    assert len(rejected) == 1
    assert isinstance(rejected[0].error, BadHeader)
    assert rejected[0].data == b"\x00\xffHELLO"
    assert "7 bytes before '##' skipped" in str(rejected[0].error)


def test_resynchronises_after_a_header_without_digits():
    decoder = FrameDecoder()
    assert decoder.feed(b"##ab" + FRAMES[1]) == [FRAMES[1]]
    assert "not a 4-digit length" in str(decoder.take_rejected()[0].error)


def test_corrupt_frame_with_wrong_length_is_cut_at_its_crlf_and_the_next_survives():
    corrupt = frame(v.A_EXAMPLE, length=50)
    decoder = FrameDecoder()
    out = decoder.feed(corrupt + FRAMES[1])
    assert out == [corrupt, FRAMES[1]]


def test_frame_whose_trailer_was_lost_is_cut_where_the_next_begins():
    no_trailer = FRAMES[0][:-2]
    decoder = FrameDecoder()
    assert decoder.feed(no_trailer + FRAMES[1]) == [no_trailer, FRAMES[1]]


def test_claimed_length_above_maximum_is_rejected_without_buffering():
    decoder = FrameDecoder(max_data_length=1024)
    out = decoder.feed(b"##9000" + b"A" * 5000)
    assert out == []
    rejected = decoder.take_rejected()
    assert isinstance(rejected[0].error, FrameTooLong)
    assert "length field says 9000 bytes; at most 1024" in str(rejected[0].error)
    assert decoder.buffered == 0  # the 5000 bytes were garbage, not held


def test_no_trailer_within_the_longest_frame_is_dropped():
    decoder = FrameDecoder(max_data_length=100)
    decoder.feed(b"##0090" + b"x" * 200)
    errors = [r.error for r in decoder.take_rejected()]
    assert any(isinstance(e, BadTrailer) for e in errors)
    assert decoder.buffered < 112


def test_partial_header_waits_for_more():
    decoder = FrameDecoder()
    assert decoder.feed(b"#") == []
    assert decoder.feed(b"#01") == []
    assert decoder.feed(FRAMES[0][4:]) == [FRAMES[0]]


@given(st.binary(max_size=3000))
def test_random_bytes_never_raise_and_memory_stays_bounded(data):
    decoder = FrameDecoder(max_data_length=1024)
    for i in range(0, len(data), 97):
        for f in decoder.feed(data[i : i + 97]):
            with contextlib.suppress(ValueError):
                parse(f)
    assert decoder.buffered <= 6 + 1024 + 6
