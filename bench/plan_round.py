"""Benchmark the planner: 1,000 schools × 3 channels × 2 contacts with 60 auditors.

Run: ``.venv/bin/python bench/plan_round.py [--repeat 5]``. Prints the median
seconds (target: under 5 s on one core) and how many contacts were placed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audits.models import Channel, Slot
from audits.planning.planner import (
    ChannelQuota,
    PlanAuditor,
    PlanRequest,
    PlanScenario,
    PlanSchool,
    plan_round,
)
from audits.planning.slots import school_days

LEVELS = ["elementary", "middle", "high", "other"]


def big_request(schools: int, auditors: int, seed: int) -> PlanRequest:
    """A district of ``schools`` schools, ``auditors`` auditors (a quarter speak Spanish), six weeks."""
    scenarios = {
        Channel.PHONE: (
            PlanScenario(1, Channel.PHONE),
            PlanScenario(2, Channel.PHONE),
            PlanScenario(3, Channel.PHONE, "es"),
        ),
        Channel.EMAIL: (PlanScenario(4, Channel.EMAIL), PlanScenario(5, Channel.EMAIL)),
        Channel.VISIT: (PlanScenario(6, Channel.VISIT), PlanScenario(7, Channel.VISIT)),
    }
    first = date(2027, 2, 1)
    return PlanRequest(
        schools=tuple(PlanSchool(i, LEVELS[i % 4]) for i in range(schools)),
        auditors=tuple(
            PlanAuditor(
                10_000 + i,
                frozenset({"en", "es"}) if i % 4 == 0 else frozenset({"en"}),
                max_per_day=6,
                conflicts=frozenset({i * 7 % schools}),
            )
            for i in range(auditors)
        ),
        quotas=tuple(ChannelQuota(channel, 2, scenarios[channel]) for channel in Channel),
        days=tuple(school_days(first, first + timedelta(days=41), [first + timedelta(days=14)])),
        slots=tuple(Slot),
        seed=seed,
    )


def main() -> None:
    """Plan the big round ``--repeat`` times and print the median."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--auditors", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    request = big_request(args.schools, args.auditors, seed=1)
    samples = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        plan = plan_round(request)
        samples.append(time.perf_counter() - start)
    loads = plan.per_auditor().values()
    print(
        f"plan {args.schools} schools × 3 channels × 2 contacts, {args.auditors} auditors: "
        f"median {statistics.median(samples):.2f} s over {args.repeat} runs (target < 5 s); "
        f"placed {len(plan.contacts)}, unplaced {len(plan.unplaced)}, load {min(loads)}–{max(loads)}"
        " per auditor"
    )


if __name__ == "__main__":
    main()
