"""Benchmark the planner at state scale (issue 24, item 4).

20 districts of 500 schools (10,000 schools) × 3 channels × 2 contacts, 15 auditors per district
(300 auditors), a window of 15 school days, daily maxima of 15 contacts (a quarter of the auditors
speak Spanish; each has one conflict school). Target: under 10 s.

Two figures, because the planner's model has no district in it (a ``PlanRequest`` is one round's
schools and the auditors who may take them):

* ``per district``: what Touchpoint does. A round belongs to one district and is planned with that
  district's auditors only, so the state's planning is 20 requests of 500 schools and 15 auditors.
  The figure is the time to plan all 20 one after the other (one core); each one is also printed.
* ``one request``: the whole state as a single request of 10,000 schools and 300 auditors, as if
  every auditor could go to every school. Touchpoint never builds such a request (auditors work
  for one district); it is the worst case of the planner's cost in schools × auditors.

Run: ``.venv/bin/python bench/plan_state.py [--repeat 3] [--skip-whole]``. Prints medians over the
runs, the peak memory of planning (tracemalloc, in a separate untimed run) and the load average.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audits.models import Channel, Slot
from audits.planning.planner import (
    ChannelQuota,
    Plan,
    PlanAuditor,
    PlanRequest,
    PlanScenario,
    PlanSchool,
    plan_round,
)
from audits.planning.slots import school_days

LEVELS = ["elementary", "middle", "high", "other"]
FIRST_DAY = date(2027, 2, 1)


def window(school_day_count: int) -> tuple[date, ...]:
    """The first ``school_day_count`` school days from ``FIRST_DAY`` (weekdays, one closure)."""
    closure = FIRST_DAY + timedelta(days=14)
    days = school_days(FIRST_DAY, FIRST_DAY + timedelta(days=7 * school_day_count), [closure])
    return tuple(days[:school_day_count])


def scenarios() -> dict[Channel, tuple[PlanScenario, ...]]:
    """Seven scenarios: three phone (one in Spanish), two email, two visit."""
    return {
        Channel.PHONE: (
            PlanScenario(1, Channel.PHONE),
            PlanScenario(2, Channel.PHONE),
            PlanScenario(3, Channel.PHONE, "es"),
        ),
        Channel.EMAIL: (PlanScenario(4, Channel.EMAIL), PlanScenario(5, Channel.EMAIL)),
        Channel.VISIT: (PlanScenario(6, Channel.VISIT), PlanScenario(7, Channel.VISIT)),
    }


def district_request(
    district: int, schools: int, auditors: int, days: tuple[date, ...], max_per_day: int, seed: int
) -> PlanRequest:
    """District ``district``'s round: its schools and auditors (ids unique state-wide)."""
    first_school = district * schools
    first_auditor = 100_000 + district * auditors
    by_channel = scenarios()
    return PlanRequest(
        schools=tuple(PlanSchool(first_school + i, LEVELS[i % 4]) for i in range(schools)),
        auditors=tuple(
            PlanAuditor(
                first_auditor + i,
                frozenset({"en", "es"}) if i % 4 == 0 else frozenset({"en"}),
                max_per_day=max_per_day,
                conflicts=frozenset({first_school + i * 7 % schools}),
            )
            for i in range(auditors)
        ),
        quotas=tuple(ChannelQuota(channel, 2, by_channel[channel]) for channel in Channel),
        days=days,
        slots=tuple(Slot),
        seed=seed + district,
    )


def whole_state(requests: list[PlanRequest], seed: int) -> PlanRequest:
    """All districts' schools and auditors in one request (every auditor may go to every school)."""
    first = requests[0]
    return PlanRequest(
        schools=tuple(school for request in requests for school in request.schools),
        auditors=tuple(auditor for request in requests for auditor in request.auditors),
        quotas=first.quotas,
        days=first.days,
        slots=first.slots,
        seed=seed,
    )


def timed(work: Callable[[], list[Plan]], repeat: int) -> tuple[list[float], list[float], list[Plan]]:
    """Wall-clock and CPU seconds of each of ``repeat`` runs of ``work``, and the plans of the last run.

    On a shared machine the CPU seconds (the process's own) move less with the load than the wall clock.
    """
    samples: list[float] = []
    cpu: list[float] = []
    plans: list[Plan] = []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        plans = work()
        samples.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return samples, cpu, plans


def peak_mib(work: Callable[[], list[Plan]]) -> float:
    """Peak memory allocated by Python while ``work`` runs (tracemalloc), in MiB."""
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def describe(plans: list[Plan]) -> str:
    """Placed and unplaced contacts, and the spread of load per auditor."""
    placed = sum(len(plan.contacts) for plan in plans)
    unplaced = sum(len(plan.unplaced) for plan in plans)
    loads = [load for plan in plans for load in plan.per_auditor().values()]
    return f"placed {placed}, unplaced {unplaced}, load {min(loads)}–{max(loads)} per auditor"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    """Plan the state district by district, then as one request, and print the medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--districts", type=int, default=20)
    parser.add_argument("--schools", type=int, default=500, help="schools per district")
    parser.add_argument("--auditors", type=int, default=15, help="auditors per district")
    parser.add_argument("--days", type=int, default=15, help="school days in the window")
    parser.add_argument("--max-per-day", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-whole", action="store_true", help="skip the single-request figure")
    args = parser.parse_args()
    days = window(args.days)
    requests = [
        district_request(d, args.schools, args.auditors, days, args.max_per_day, seed=1)
        for d in range(args.districts)
    ]
    total_schools = args.districts * args.schools
    total_auditors = args.districts * args.auditors
    print(
        f"state: {args.districts} districts, {total_schools} schools × 3 channels × 2 contacts, "
        f"{total_auditors} auditors, {len(days)} school days, at most {args.max_per_day} a day"
    )

    def per_district() -> list[Plan]:
        return [plan_round(request) for request in requests]

    samples, cpu, plans = timed(per_district, args.repeat)
    print(
        f"per district (20 requests, one after the other): median {statistics.median(samples):.2f} s "
        f"over {args.repeat} runs ({', '.join(f'{s:.2f}' for s in samples)}; target < 10 s), "
        f"CPU median {statistics.median(cpu):.2f} s; "
        f"one district {statistics.median(samples) / args.districts:.2f} s; {describe(plans)}; "
        f"peak {peak_mib(per_district):.0f} MiB; {load_average()}"
    )
    if not args.skip_whole:
        state = whole_state(requests, seed=1)

        def one_request() -> list[Plan]:
            return [plan_round(state)]

        samples, cpu, plans = timed(one_request, args.repeat)
        print(
            f"one request (10,000 schools, 300 auditors): median {statistics.median(samples):.2f} s "
            f"over {args.repeat} runs ({', '.join(f'{s:.2f}' for s in samples)}; target < 10 s), "
            f"CPU median {statistics.median(cpu):.2f} s; "
            f"{describe(plans)}; peak {peak_mib(one_request):.0f} MiB; {load_average()}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:.0f} MiB; {load_average()}")


if __name__ == "__main__":
    main()
