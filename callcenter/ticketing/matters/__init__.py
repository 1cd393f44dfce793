"""Feature: matters (并单). Whether a new work order repeats an open matter (同一诉求), linking it at
registration, and escalating a matter that gathers enough distinct callers to supervision (督办).
"""
