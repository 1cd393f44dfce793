"""Feature: what a draft suggests to the agent (草稿建议). Category, location, urgency and intent read
from the caller's words, matched against the catalogue's terms, and the knowledge base (知识库) of
standard answers. Advice only: the agent decides at registration (受理).
"""
