"""Preview pacing: many replies streaming at once share a budget of preview updates."""

from __future__ import annotations

import pytest

from bot.telegram.stream import PreviewPacer


@pytest.mark.parametrize(("streaming", "interval"), [(0, 1.0), (5, 1.0), (40, 2.0), (200, 10.0)])
def test_interval_grows_with_the_number_of_streaming_replies(
    streaming: int, interval: float
) -> None:
    pacer = PreviewPacer(min_interval_s=1.0, max_per_second=20.0)
    pacer.streaming = streaming
    assert pacer.interval() == pytest.approx(interval)
    # Together the replies never exceed the budget of previews per second.
    assert streaming / pacer.interval() <= 20.0


def test_replies_are_fetched_whole_when_previews_would_be_too_rare() -> None:
    pacer = PreviewPacer(min_interval_s=1.0, max_per_second=20.0)
    pacer.streaming = 10
    assert pacer.worth_streaming()
    pacer.streaming = 100  # each reply would get a preview every 5 s
    assert not pacer.worth_streaming()
