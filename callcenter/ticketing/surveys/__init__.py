"""Automated 回访 by phone (issue 14): a durable survey job per order and reply round, placed by the survey
dialer through the ``SurveyDialer`` port, its answer applied to the work order (docs/surveys.md)."""
