"""The fault harness's parts (``benchmarks/faults.py`` runs them; tests/test_fault_harness.py too).

- ``services``: private Redis and PostgreSQL (killed and restarted freely), the sandbox, the
  service's Celery processes;
- ``launch``: how a worker or beat is started (the real Celery app, plus a settable clock offset);
- ``load``: the campaign spec files (posts due throughout the run) and the mid-run edit;
- ``schedule``: the seeded list of faults; ``inject``: doing them;
- ``mailbox``: the SMTP server the reports go to, and the knob that makes a week fall due mid-run;
- ``verdict``: the end state checked against the sandbox's ground truth, the metrics windows and
  the reports received, and the figures.
"""
