from hypothesis import settings, Phase
from hypothesis.stateful import run_state_machine_as_test
from pytest_trtcache.lifecycle import machine_for
M = machine_for("reference", kinds=("facade",))
def f(): return M()
f._hypothesis_internal_use_seed = 159245381731412335918459279126595292806
run_state_machine_as_test(f, settings=settings(max_examples=50, stateful_step_count=25, deadline=None, database=None, phases=[Phase.generate], report_multiple_bugs=False))
