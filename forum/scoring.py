"""The pure arithmetic of scoring, shared by paper review and award judging.

No models, no database: numbers in, numbers out, so the edges can be tested
exactly and both apps agree on what a weighted mean is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Σ(value × weight) / Σ weight over (value, weight) pairs; None when there is no weight at all."""
    total = weight_sum = 0.0
    for value, weight in pairs:
        total += float(value) * float(weight)
        weight_sum += float(weight)
    return total / weight_sum if weight_sum else None


def trimmed_mean(values: Sequence[float], trim: int) -> float | None:
    """The mean after dropping the `trim` lowest and `trim` highest values.

    When fewer than 2 × trim + 1 values remain to drop from, nothing is dropped
    (a trimmed mean of two judges is their mean). None for no values.
    """
    if not values:
        return None
    ordered = sorted(float(v) for v in values)
    if trim > 0 and len(ordered) > 2 * trim:
        ordered = ordered[trim:-trim]
    return sum(ordered) / len(ordered)


def spread(values: Sequence[float]) -> float:
    """Highest minus lowest (0 for fewer than two values)."""
    return (max(values) - min(values)) if len(values) >= 2 else 0.0


def is_divergent(values: Sequence[float], threshold: float) -> bool:
    """Judges are far apart when their highest and lowest totals differ by more than `threshold`."""
    return spread(values) > float(threshold)


def rank_with_ties(scores: Sequence[tuple[object, float]]) -> list[tuple[object, int, bool]]:
    """Competition ranking ("1224"): equal scores share a rank and are flagged as tied.

    Takes (key, score) pairs, returns (key, rank, tied) from the best down; scores
    are compared as given, so round them first to the precision that counts.
    """
    ordered = sorted(scores, key=lambda pair: -pair[1])
    counts: dict[float, int] = {}
    for _key, score in ordered:
        counts[score] = counts.get(score, 0) + 1
    out, rank, previous = [], 0, None
    for position, (key, score) in enumerate(ordered, start=1):
        if score != previous:
            rank, previous = position, score
        out.append((key, rank, counts[score] > 1))
    return out


def tier_for(score: float, thresholds: Sequence[tuple[object, float]]) -> object | None:
    """The tier whose threshold is the highest one the score reaches (score ≥ threshold); None below all."""
    best, best_min = None, None
    for tier, minimum in thresholds:
        if float(score) >= float(minimum) and (best_min is None or float(minimum) > best_min):
            best, best_min = tier, float(minimum)
    return best


def to_points(value: float | None, places: str = "0.01") -> Decimal | None:
    """Round half up to the stored precision (Decimal), as results are stored and compared."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)
