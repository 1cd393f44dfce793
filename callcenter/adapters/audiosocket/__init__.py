"""Asterisk AudioSocket: the TCP protocol and the live worker's server (docs/live-transcription.md)."""
