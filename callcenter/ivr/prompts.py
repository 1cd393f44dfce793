"""Voice prompts of the hotline (语音提示): pure data, no synthesis and no I/O here.

Rule (GB/T 33358-2016, 政务服务便民热线服务规范): no menu tree in front of a human agent; the caller
hears a short greeting and the recording notice, then waits for an agent. The 15-second answer target is
counted from the queue join, but callers feel the whole wait, so greeting + notice stay within a few seconds.

``text`` (or ``spoken`` where it differs) is what the natural voice reads; ``pinyin`` is what espeak-ng
reads: tone numbers 1-5 (5 = neutral tone) for espeak-ng's
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
    spoken: str = ""  # the text as the natural voice reads it, when it differs ("12345" → 幺二三四五)

    @property
    def reading(self) -> str:
        """What a text-reading engine is given: ``spoken`` or else ``text``."""
        return self.spoken or self.text


GREETING = Prompt(
    id="greeting",
    text="您好，欢迎致电12345政务服务便民热线",
    pinyin="nin2 hao3, huan1 ying2 zhi4 dian4 yao1 er4 san1 si4 wu3 zheng4 wu4 fu2 wu4 bian4 min2 re4 xian4.",
    spoken="您好，欢迎致电幺二三四五政务服务便民热线",
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

# --- IVR self-service and queue prompts (issue 5, part D: docs/ivr-and-queues.md) -------------------------
TICKET_ACCEPTED = Prompt(
    id="ticket_accepted",
    text="您查询的工单已受理，正在安排办理",
    pinyin="nin2 cha2 xun2 de5 gong1 dan1 yi3 shou4 li3, zheng4 zai4 an1 pai2 ban4 li3.",
)
TICKET_IN_PROGRESS = Prompt(
    id="ticket_in_progress",
    text="您查询的工单正在办理中，请耐心等待",
    pinyin="nin2 cha2 xun2 de5 gong1 dan1 zheng4 zai4 ban4 li3 zhong1, qing3 nai4 xin1 deng3 dai4.",
)
TICKET_CONCLUDED = Prompt(
    id="ticket_concluded",
    text="您查询的工单已办结",
    pinyin="nin2 cha2 xun2 de5 gong1 dan1 yi3 ban4 jie2.",
)
TICKET_NOT_FOUND = Prompt(
    id="ticket_not_found",
    text="未查到该工单，请核对工单号",
    pinyin="wei4 cha2 dao4 gai1 gong1 dan1, qing3 he2 dui4 gong1 dan1 hao4.",
)
TICKET_UNAVAILABLE = Prompt(
    id="ticket_unavailable",
    text="工单查询暂时无法使用",
    pinyin="gong1 dan1 cha2 xun2 zan4 shi2 wu2 fa3 shi3 yong4.",
)
WAIT_HINT = Prompt(
    id="wait_hint",
    text="当前来电较多，请您耐心等候；如需稍后回电，请按1",
    pinyin=(
        "dang1 qian2 lai2 dian4 jiao4 duo1, qing3 nin2 nai4 xin1 deng3 hou4; "
        "ru2 xu1 shao1 hou4 hui2 dian4, qing3 an4 yao1."
    ),
)
CALL_ME_BACK_CONFIRM = Prompt(
    id="callback_confirm",
    text="已为您登记回电，我们会尽快给您回电，再见",
    pinyin="yi3 wei4 nin2 deng1 ji4 hui2 dian4, wo3 men5 hui4 jin3 kuai4 gei3 nin2 hui2 dian4, zai4 jian4.",
)
IVR_PROMPTS: tuple[Prompt, ...] = (
    TICKET_ACCEPTED,
    TICKET_IN_PROGRESS,
    TICKET_CONCLUDED,
    TICKET_NOT_FOUND,
    TICKET_UNAVAILABLE,
    WAIT_HINT,
    CALL_ME_BACK_CONFIRM,
)

# --- Missed-call call-back (漏接回拨, issue 5, part E: docs/missed-calls.md): what the citizen hears on
# answering
MISSED_CALL_INTRO = Prompt(
    id="callback_intro",
    text="这里是12345热线，您刚才的来电未能接通，现为您转接人工服务",
    pinyin=(
        "zhe4 li3 shi4 yao1 er4 san1 si4 wu3 re4 xian4, "
        "nin2 gang1 cai2 de5 lai2 dian4 wei4 neng2 jie1 tong1, "
        "xian4 wei4 nin2 zhuan3 jie1 ren2 gong1 fu2 wu4."
    ),
    spoken="这里是幺二三四五热线，您刚才的来电未能接通，现为您转接人工服务",
)

# --- The callback survey (回访, issue 14: docs/surveys.md). The call opens with speech made per order that
# names the matter ("您好，这里是幺二三四五热线，您于十一月二十八日反映的…问题，承办单位已办理回复"), then:
SURVEY_QUESTION = Prompt(
    id="survey_question",
    text="请您对办理结果进行评价：满意请按1，基本满意请按2，不满意请按3；您也可以直接说满意、基本满意或不满意",
    pinyin=(
        "qing3 nin2 dui4 ban4 li3 jie2 guo3 jin4 xing2 ping2 jia4: man3 yi4 qing3 an4 yi1, "
        "ji1 ben3 man3 yi4 qing3 an4 er4, bu4 man3 yi4 qing3 an4 san1; "
        "nin2 ye3 ke3 yi3 zhi2 jie1 shuo1 man3 yi4, ji1 ben3 man3 yi4 huo4 bu4 man3 yi4."
    ),
)
SURVEY_INVALID = Prompt(
    id="survey_invalid",
    text="您的按键无效，请重新选择",
    pinyin="nin2 de5 an4 jian4 wu2 xiao4, qing3 chong2 xin1 xuan3 ze2.",
)
SURVEY_REASON = Prompt(
    id="survey_reason",
    text="请在提示音后说明不满意的原因，说完请挂机",
    pinyin=(
        "qing3 zai4 ti2 shi4 yin1 hou4 shuo1 ming2 bu4 man3 yi4 de5 yuan2 yin1, shuo1 wan2 qing3 gua4 ji1."
    ),
)
SURVEY_THANKS = Prompt(
    id="survey_thanks",
    text="感谢您对12345热线工作的支持，再见",
    pinyin="gan3 xie4 nin2 dui4 yao1 er4 san1 si4 wu3 re4 xian4 gong1 zuo4 de5 zhi1 chi2, zai4 jian4.",
    spoken="感谢您对幺二三四五热线工作的支持，再见",
)
SURVEY_PROMPTS: tuple[Prompt, ...] = (SURVEY_QUESTION, SURVEY_INVALID, SURVEY_REASON, SURVEY_THANKS)

PROMPTS: tuple[Prompt, ...] = (
    GREETING,
    RECORDING_NOTICE,
    PLEASE_WAIT,
    *IVR_PROMPTS,
    MISSED_CALL_INTRO,
    *SURVEY_PROMPTS,
)
HOLD_PROMPTS: tuple[Prompt, ...] = (PLEASE_WAIT,)  # what music-on-hold plays to waiting callers


def by_id(prompt_id: str) -> Prompt:
    """The prompt named ``prompt_id``; raises KeyError for an unknown id."""
    for prompt in PROMPTS:
        if prompt.id == prompt_id:
            return prompt
    raise KeyError(prompt_id)
