"""Feature: staffing (人员排班测算). Erlang C and Erlang A arithmetic, and how many agents answer a
forecast of calls within the service-level target. Pure.
"""
