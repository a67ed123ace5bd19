"""``trtcache mutate``: the conformance suite measured by a mutation engine (cosmic-ray).

* :mod:`.trees`: which files of a target are mutated, and the worker trees they are
  copied into (one per worker: cosmic-ray mutates a file in place);
* :mod:`.near`: the clauses whose tests reach the mutated code, run first;
* :mod:`.run_one`: the engine's test command, run in a worker tree on one mutant;
* :mod:`.engine`: the cosmic-ray session (init, sample, baseline, workers, exec);
* :mod:`.equivalents`: mutants documented as unobservable, left out of the score;
* :mod:`.result`: the score, the survivors as diffs, the JSON result.
"""
