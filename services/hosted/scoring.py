"""Points for a correct answer (docs/websocket.md, "Scoring").

``round(1000 * (1 - 0.5 * clamp((t - 0.5) / (T - 0.5), 0, 1)))``: 1000 within half a second,
falling linearly to 500 at the deadline. The Redis answer script computes the same formula from
its own clock (``store_scripts.ANSWER``); the integration tests hold the two together.
"""

from __future__ import annotations

import math

FULL_POINTS = 1000
GRACE_SECONDS = 0.5


def points_for(elapsed_ms: int, time_limit_seconds: int, *, correct: bool) -> int:
    if not correct:
        return 0
    elapsed = elapsed_ms / 1000
    span = max(time_limit_seconds - GRACE_SECONDS, 0.001)
    fraction = min(max((elapsed - GRACE_SECONDS) / span, 0.0), 1.0)
    # Half-up rounding, as Lua's math.floor(x + 0.5) does in the script (not banker's rounding).
    return math.floor(FULL_POINTS * (1 - 0.5 * fraction) + 0.5)
