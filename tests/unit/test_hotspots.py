"""load/hotspots.py: inclusive and self shares from py-spy's collapsed stacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from load.hotspots import frame_name, main, parse, summarize

RAW = """\
process 41:"python trivia up";thread (0x7f01);run (/x/lib/python3.11/threading.py:975);\
invoke (/work/main/infra/local/lambda_runtime.py:80);submit_answer \
(/work/main/services/single/handlers.py:40);_make_api_call \
(/r/site-packages/botocore/client.py:980) 6
process 41:"python trivia up";thread (0x7f01);run (/x/lib/python3.11/threading.py:975);\
invoke (/work/main/infra/local/lambda_runtime.py:80);submit_answer \
(/work/main/services/single/handlers.py:40);score (/work/main/services/single/scoring.py:12) 2
process 41:"python trivia up";thread (0x7f02);\
_run_once (/x/lib/python3.11/asyncio/base_events.py:1900) 2
not a stack line
"""


def test_frame_names_keep_the_package_and_drop_process_and_thread_frames() -> None:
    assert frame_name("_make_api_call (/r/site-packages/botocore/client.py:980)") == (
        "botocore/client.py:_make_api_call")
    assert frame_name("run (threading.py:975)") == "threading.py:run"
    assert frame_name('process 41:"python trivia up"') is None
    assert frame_name("thread (0x7f01)") is None


def test_shares_are_inclusive_and_self_of_all_samples() -> None:
    profile = summarize(parse(RAW.splitlines()))
    shares = {share.function: share for share in profile.shares}
    assert profile.samples == 10
    handler = shares["services/single/handlers.py:submit_answer"]
    assert (handler.inclusive, handler.self_share) == (pytest.approx(0.8), 0.0)
    botocore = shares["botocore/client.py:_make_api_call"]
    assert (botocore.inclusive, botocore.self_share) == (pytest.approx(0.6), pytest.approx(0.6))
    assert profile.shares[0].inclusive >= profile.shares[-1].inclusive


def test_under_keeps_one_path_and_counts_shares_of_it() -> None:
    profile = summarize(parse(RAW.splitlines()), under="submit_answer")
    shares = {share.function: share.inclusive for share in profile.shares}
    assert profile.samples == 8
    assert shares["services/single/handlers.py:submit_answer"] == 1.0
    assert "threading.py:run" not in shares  # above the cut


def test_the_command_prints_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "cloud.txt"
    profile.write_text(RAW)
    assert main([str(profile), "--top", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "10 samples"
    assert len(lines) == 4 and "%" in lines[2]
