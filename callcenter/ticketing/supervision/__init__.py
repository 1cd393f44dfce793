"""Feature: supervision (督办) and the deadline watch. Formal pressure on a handling unit about an order
or a matter at risk, and the sweep that raises yellow cards (黄牌), red cards (红牌) and contact alerts and
tells the units' live inboxes.
"""
