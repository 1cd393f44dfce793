"""Feature: the citizen's personal data in free text. Masking phone, ID and bank-card numbers (号码脱敏)
and removing the informant from the texts of a confidential order (保密工单) before a unit reads them.
Pure functions on text, used by the order views and by drafting.
"""
