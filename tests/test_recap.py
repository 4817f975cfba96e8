"""The model's recap reply, read robustly: only citations of messages it was given survive."""

from __future__ import annotations

import json

from bot.core.digest.recap import Recap, RecapPoint, RecapTopic, parse_recap


def test_invented_citations_are_dropped_and_points_left_bare_with_them() -> None:
    reply = "Here it is:\n" + json.dumps(
        {
            "topics": [
                {
                    "title": "The  venue",
                    "points": [
                        {"text": "They chose the boathouse.", "ids": [3, 999, 3]},
                        {"text": "Someone invented this.", "ids": [999]},
                    ],
                },
                {"title": "Nothing real", "points": [{"text": "Made up.", "ids": [7]}]},
            ]
        }
    )
    assert parse_recap(reply, {3, 4}) == Recap(
        (RecapTopic("The venue", (RecapPoint("They chose the boathouse.", (3,)),)),)
    )


def test_an_unreadable_reply_is_no_recap() -> None:
    assert parse_recap("Sorry, I cannot.", {1}) == Recap()
    assert parse_recap('{"topics": [{"title": 1, "points": "x"}', {1}) == Recap()
    assert parse_recap('{"topics": {"title": "t"}}', {1}) == Recap()
