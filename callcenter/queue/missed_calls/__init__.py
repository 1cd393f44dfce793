"""Feature: missed-call callbacks (漏接回拨). Which missed callers are put on the callback list, which
numbers may be dialled, the steps of a callback request, and the dialer that calls citizens back.
"""
