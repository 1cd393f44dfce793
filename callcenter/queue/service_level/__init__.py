"""Feature: the 15-second service level (15秒服务水平) and the connection rate (接通率). The definition
and the ledger entries (``ledger``), the live tally for the wallboard (``tally``), its alarm
(``alarm``), the floor handler that records entries (``recorder``), the queue_log recount
(``queue_log``) and the reconciliation of both (``reconcile``). Definition: docs/adr/0013.
"""
