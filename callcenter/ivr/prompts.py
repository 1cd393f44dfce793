"""Voice prompts of the hotline (语音提示): pure data, no synthesis and no I/O here.

Rule (GB/T 33358-2016, 政务服务便民热线服务规范): no menu tree in front of a human agent; the caller
hears a short greeting and the recording notice, then waits for an agent. The 15-second answer target is
counted from the queue join, but callers feel the whole wait, so greeting + notice stay within a few seconds.

``pinyin`` is what the synthesizer reads: tone numbers 1-5 (5 = neutral tone) for espeak-ng's
``cmn-latn-pinyin`` voice; the number 12345 is read digit by digit with 一 as "yao1", as on Chinese phones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Prompt:
    """One prompt: ``id`` names the sound file (``<id>.wav``) that the dialplan plays."""

    id: str
    text: str  # Simplified Chinese, what the caller hears
    pinyin: str  # the same words in tone-numbered pinyin
    trailing_silence_ms: int = 0  # silence appended, e.g. so that looped hold audio has pauses


GREETING = Prompt(
    id="greeting",
    text="您好，欢迎致电12345政务服务便民热线",
    pinyin="nin2 hao3, huan1 ying2 zhi4 dian4 yao1 er4 san1 si4 wu3 zheng4 wu4 fu2 wu4 bian4 min2 re4 xian4.",
)

RECORDING_NOTICE = Prompt(
    id="recording_notice",
    text="为了提高服务质量，您的通话可能会被录音",
    pinyin="wei4 le5 ti2 gao1 fu2 wu4 zhi4 liang4, nin2 de5 tong1 hua4 ke3 neng2 hui4 bei4 lu4 yin1.",
)

PLEASE_WAIT = Prompt(
    id="please_wait",
    text="正在为您转接人工服务，请稍候",
    pinyin="zheng4 zai4 wei4 nin2 zhuan3 jie1 ren2 gong1 fu2 wu4, qing3 shao1 hou4.",
    trailing_silence_ms=6000,  # music-on-hold loops this file: the message, then a pause
)

PROMPTS: tuple[Prompt, ...] = (GREETING, RECORDING_NOTICE, PLEASE_WAIT)
HOLD_PROMPTS: tuple[Prompt, ...] = (PLEASE_WAIT,)  # what music-on-hold plays to waiting callers


def by_id(prompt_id: str) -> Prompt:
    """The prompt named ``prompt_id``; raises KeyError for an unknown id."""
    for prompt in PROMPTS:
        if prompt.id == prompt_id:
            return prompt
    raise KeyError(prompt_id)
