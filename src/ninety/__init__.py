"""Ninety: coach the 90% — behaviors and process first, results at the side."""

import os

# The analytics work on small arrays (a team, a month) inside web and CLI processes that run
# side by side. Multi-threaded BLAS only adds thread start-up and spinning there (measured: a
# team diagnosis went from 0.2 s to 1.8 s on a loaded 2-core machine), so one thread each,
# unless the operator says otherwise. Must run before NumPy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
