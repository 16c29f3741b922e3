"""Rebuilding a service from the log and comparing it with the live one (`thidua audit replay`)."""

from thidua_shared.replay.compare import TableComparison, compare_databases
from thidua_shared.replay.rebuild import Refusal, Replayer, ReplaySpec, own_event_writers, stamped, stamped_runs

__all__ = ["Refusal", "Replayer", "ReplaySpec", "TableComparison", "compare_databases", "own_event_writers", "stamped", "stamped_runs"]
