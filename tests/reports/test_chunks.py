"""The chunk ledger: how a batch is cut, which write finishes it, and what a newer claim refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.chunks import (
    ChunkTally,
    ClaimTakenError,
    begin_chunk,
    read_ledger,
    record_chunk,
    split,
    start_ledger,
)


def test_split_cuts_in_order_with_a_shorter_last_chunk() -> None:
    assert split([5, 3, 9, 1, 7], 2) == [[5, 3], [9, 1], [7]]
    assert split([5, 3], 0) == [[5, 3]]
    assert split([], 2) == []


def test_only_the_write_that_finishes_the_last_chunk_completes_the_ledger(tmp_path: Path) -> None:
    start_ledger(tmp_path, 1, "claim-a", [[1, 2], [3]])
    first = record_chunk(tmp_path, 1, "claim-a", 0, ChunkTally([1, 2], done=2, built=2, finished=True))
    assert not first.completed and first.ledger.done == 2
    failed = ChunkTally([3], done=1, failed=1, failures=[("School C (3)", "figures: boom")], finished=True)
    last = record_chunk(tmp_path, 1, "claim-a", 1, failed)
    assert last.completed and last.ledger.finished
    assert last.ledger.summary() == "built 2, unchanged 0, failed 1"
    assert last.ledger.failures == [("School C (3)", "figures: boom")]
    assert not begin_chunk(tmp_path, 1, "claim-a", 0)  # redelivered after it finished: nothing to do


def test_a_redelivered_chunk_starts_its_tally_anew(tmp_path: Path) -> None:
    start_ledger(tmp_path, 1, "claim-a", [[1, 2]])
    record_chunk(tmp_path, 1, "claim-a", 0, ChunkTally([1, 2], done=1))
    assert begin_chunk(tmp_path, 1, "claim-a", 0)
    ledger = read_ledger(tmp_path, 1)
    assert ledger is not None and ledger.done == 0 and ledger.chunks[0].schools == [1, 2]


def test_a_resumed_job_keeps_finished_chunks_and_refuses_the_earlier_claim(tmp_path: Path) -> None:
    start_ledger(tmp_path, 1, "claim-a", [[1, 2], [3]])
    record_chunk(tmp_path, 1, "claim-a", 0, ChunkTally([1, 2], done=2, built=2, finished=True))
    record_chunk(tmp_path, 1, "claim-a", 1, ChunkTally([3], done=0))
    resumed = start_ledger(tmp_path, 1, "claim-b", [[1, 2], [3]])
    assert [chunk.finished for chunk in resumed.chunks] == [True, False] and resumed.built == 2
    with pytest.raises(ClaimTakenError):
        record_chunk(tmp_path, 1, "claim-a", 1, ChunkTally([3], done=1, finished=True))
    with pytest.raises(ClaimTakenError):
        begin_chunk(tmp_path, 1, "claim-a", 1)
