"""Ticketing (工单): the work order from draft to closing, and the features around it.

The modules at this level are the kernel every feature shares: the life cycle's words (``states``), its
refusals (``errors``), the limits (``limits``), the time limits (``deadlines``) and spoken numbers
(``spoken_numbers``). Each sub-package is one feature: ``orders`` (the work order and its service),
``catalogue`` (派单目录), ``matters`` (并单), ``supervision`` (督办 and the deadline watch),
``suggestions`` (草稿建议, 知识库) and ``privacy`` (号码脱敏, 保密工单). Features use the kernel; the
layering test (tests/unit/test_layering.py) keeps the direction.
"""
