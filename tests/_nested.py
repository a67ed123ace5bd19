"""What the project's tests pass to a nested whole suite run against a target that passes.

Such a run checks plumbing (a package installed from its wheel, a target without a part,
an upstream layout, ``trtcache mutate``'s baseline, a vendor's logging idioms on the
liveness clauses), not the state machines' search: it runs them at trtcache-dev's budget,
50 examples of at most 25 steps, even where ``CI=true`` picks trtcache-ci's 200 of 50 (the
profile's derandomization stays, so the run is the same every time), an eighth of the
machine work. The reference's own whole-suite run at the CI budget is
``tests/test_zoo.py``'s; the zoo's kills, the exec/fork parity and the wheels' verdicts
keep the run's profile.
"""

PASSING_TARGET_ENV = {"TRTCACHE_EXAMPLES": "50", "TRTCACHE_STEPS": "25"}
