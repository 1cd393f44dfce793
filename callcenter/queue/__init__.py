"""The queue and the floor (话务现场): callers waiting, seats answering, and the figures of both.

The modules at this level are the kernel the features share: the floor's events (``events``), the
live queue state Asterisk reports (``live``), the floor handler table (``pipeline``), the wallboard's
view (``floor``) and which calls are streamed to live transcription (``live_taps``). Each sub-package
is one feature: ``seats`` (坐席), ``service_level`` (15秒服务水平), ``missed_calls`` (漏接回拨) and
``staffing`` (人员排班测算).
"""
