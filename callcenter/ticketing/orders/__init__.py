"""Feature: the work order (工单) itself. Its drafted content (``model``), its life-cycle record
(``record``, the one owner of id, status and version), the pure transition table and rules
(``lifecycle`` with ``handling``, ``extensions``, ``followup``), drafting from a call (``drafting``,
``intake``), registration (受理), deadlines per order (``scheduling``), what each viewer may see
(``views``, ``access``), attachments, and the work-order service that loads, decides and saves
(``service``).
"""
