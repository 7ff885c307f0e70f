#!/usr/bin/env python3
"""Apply small deliberate bugs one at a time and check that a test fails for each.

Each mutation replaces one exact piece of source with a plausible wrong one, runs the tests
that should notice, and puts the file back (also on Ctrl-C). A mutation that leaves the tests
green "survived": the suite is blind to that bug. Run from the repository root::

    .venv/bin/python scripts/mutations.py            # all, on SQLite (a minute or two)
    .venv/bin/python scripts/mutations.py --list
    .venv/bin/python scripts/mutations.py verdict-doubled-alpha rep-sees-every-team

Exit status 0 when every mutation is killed, 1 when one survived, 2 when a mutation no longer
applies (its source text moved: update the table below).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANALYSIS = "src/ninety/core/experiments/analysis.py"
VERDICT_TESTS = ("tests/core/test_verdict.py", "tests/core/test_experiments.py")
LIST_TESTS = ("tests/test_permission_lists.py",)


@dataclass(frozen=True)
class Mutation:
    name: str
    what: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    imports: str = ""  # an import the wrong code needs, added below the module's docstring


MUTATIONS = (
    Mutation(
        "verdict-ignores-interval-width",
        "'no detectable change' looks at the estimate only, not the confidence sequence",
        ANALYSIS,
        "inside = np.abs(est) + h < np.asarray(practical, dtype=np.float64)",
        "inside = np.abs(est) < np.asarray(practical, dtype=np.float64)",
        VERDICT_TESTS,
    ),
    Mutation(
        "verdict-no-enough-data-gate",
        "'no detectable change' without the enough-data gate",
        ANALYSIS,
        "none = ok & ~improved & ~worse",
        "none = ~improved & ~worse",
        VERDICT_TESTS,
    ),
    Mutation(
        "verdict-doubled-alpha",
        "'likely improved/worse' at p < 2α",
        ANALYSIS,
        "significant = ok & (pv < alpha)",
        "significant = ok & (pv < 2 * alpha)",
        VERDICT_TESTS,
    ),
    Mutation(
        "verdict-doubled-alpha-in-the-sequence",
        "the confidence sequence of the 'no detectable change' rule at 2α",
        ANALYSIS,
        "h = confidence_sequence_halfwidth(variance, tau2, alpha)",
        "h = confidence_sequence_halfwidth(variance, tau2, 2 * alpha)",
        VERDICT_TESTS,
    ),
    Mutation(
        "plan-default-alpha-doubled",
        "experiments decide at α = 0.10 by default",
        ANALYSIS,
        "    alpha: float = 0.05\n",
        "    alpha: float = 0.10\n",
        VERDICT_TESTS,
    ),
    Mutation(
        "verdict-gate-skips-the-control-before",
        "the enough-data gate forgets the control's before period",
        ANALYSIS,
        "& (nc_a >= m) & (ns_b >= m) & (nc_b >= m)",
        "& (nc_a >= m) & (ns_b >= m)",
        VERDICT_TESTS,
    ),
    Mutation(
        "delegate-keeps-access-after-cancel",
        "cancelling a delegation leaves the delegate's grant on the coachee",
        "src/ninety/delegation/services.py",
        "Status.OPEN)\n    grants.end(DELEGATION_GRANT, delegation.pk)\n",
        "Status.OPEN)\n",
        LIST_TESTS,
    ),
    Mutation(
        "gate-rep-sees-every-team",
        "the permission gate gives a rep every team of the org",
        "src/ninety/people/permissions.py",
        "    return qs.filter(id=viewer.team_id) if viewer.team_id else qs.none()\n",
        "    return qs\n",
        LIST_TESTS,
    ),
    Mutation(
        "rep-sees-every-team",
        "the team list (API) holds every team of the org",
        "src/ninety/people/queries.py",
        "        visible_teams(viewer)\n",
        "        Team.objects.filter(org_id=viewer.org_id)\n",
        LIST_TESTS,
    ),
    Mutation(
        "list-of-people-is-the-whole-org",
        "the people list (API) holds every person of the org",
        "src/ninety/people/api.py",
        'qs = visible_people(_viewer(request)).select_related("team").order_by("name")',
        'qs = Person.objects.filter(org_id=_viewer(request).org_id).select_related("team")',
        LIST_TESTS,
    ),
    Mutation(
        "list-of-experiments-is-the-whole-org",
        "the experiment list (API) holds every experiment of the org",
        "src/ninety/experiments/api.py",
        'qs = with_people(visible_experiments(_viewer(request))).prefetch_related("control")',
        "qs = with_people(Experiment.objects.filter(org_id=_viewer(request).org_id))",
        LIST_TESTS,
    ),
    Mutation(
        "way-prior-cap-x10",
        "the ways' prior may grow to 2,000 tries (a new way is never tried)",
        "src/ninety/core/ways.py",
        "WAY_PRIOR_MAX_STRENGTH = 200.0",
        "WAY_PRIOR_MAX_STRENGTH = 2000.0",
        ("tests/core/test_ways.py",),
    ),
    Mutation(
        "close-probability-off-by-a-tie",
        "a deal as old as a past won deal counts that deal as still open",
        "src/ninety/core/pace.py",
        '    s_a = (n - np.searchsorted(t, a, side="right")) / n',
        '    s_a = (n - np.searchsorted(t, a, side="left")) / n',
        ("tests/core/test_pace.py",),
    ),
    Mutation(
        "ways-ignore-the-seed",
        "P(best) draws ignore their seed",
        "src/ninety/core/ways.py",
        "    rng = np.random.default_rng(seed)\n",
        "    rng = np.random.default_rng(0)\n",
        ("tests/core/test_ways.py",),
    ),
    Mutation(
        "pace-ignores-the-seed",
        "the pace Monte Carlo ignores its seed",
        "src/ninety/core/pace.py",
        "np.random.default_rng(seed), n_draws",
        "np.random.default_rng(20240901), n_draws",
        ("tests/core/test_pace.py",),
    ),
)


def run_tests(tests: tuple[str, ...]) -> tuple[int, float]:
    env = {k: v for k, v in os.environ.items() if k != "NINETY_DATABASE_URL"}  # SQLite
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    return done.returncode, time.perf_counter() - started


def apply(m: Mutation) -> str:
    """The file's original text; writes the mutated one. Raises if the mutation no longer fits."""
    path = ROOT / m.path
    original = path.read_text()
    if original.count(m.old) != 1:
        raise LookupError(f"{m.name}: expected the text once in {m.path}, found it "
                          f"{original.count(m.old)} times")  # fmt: skip
    mutated = original.replace(m.old, m.new)
    if m.imports:
        future = "from __future__ import annotations\n"
        mutated = mutated.replace(future, future + m.imports, 1)
    path.write_text(mutated)
    return original


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and stop")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.names or m.name in args.names]
    if args.list:
        for m in MUTATIONS:
            print(f"{m.name:40} {m.what}")
        return 0
    unknown = set(args.names) - {m.name for m in MUTATIONS}
    if unknown:
        parser.error(f"no such mutation: {', '.join(sorted(unknown))}")
    suites = sorted({t for m in chosen for t in m.tests})
    code, secs = run_tests(tuple(suites))
    if code != 0:
        print(f"the tests fail before any mutation ({' '.join(suites)}): fix them first")
        return 2
    print(f"baseline: {' '.join(suites)} pass ({secs:.0f} s)")
    survived, broken = [], []
    for m in chosen:
        try:
            original = apply(m)
        except LookupError as exc:
            print(f"  ??  {exc}")
            broken.append(m.name)
            continue
        try:
            code, secs = run_tests(m.tests)
        finally:
            (ROOT / m.path).write_text(original)
        verdict = "killed" if code == 1 else "SURVIVED" if code == 0 else f"error (pytest {code})"
        print(f"  {verdict:9} {m.name:40} {secs:5.1f} s  {m.what}")
        if code == 0:
            survived.append(m.name)
        elif code != 1:
            broken.append(m.name)
    print(f"{len(chosen) - len(survived) - len(broken)} of {len(chosen)} mutations killed"
          + (f"; survived: {', '.join(survived)}" if survived else "")
          + (f"; did not apply or errored: {', '.join(broken)}" if broken else ""))  # fmt: skip
    return 1 if survived else 2 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
