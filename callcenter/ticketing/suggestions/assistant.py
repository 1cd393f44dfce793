"""What the draft suggests to the agent who registers it (草稿建议), read from the caller's words.

Pure and computed when the draft is read, so nothing is stored that the agent has not confirmed: the
urgency grade with its reasons, the caller's intent (咨询/求助/投诉/举报/建议) and the work order's request
type where it has one, the contact number said on the call (read through the recogniser's slips in a
phone-number context, `heard_numbers`), the request text with spoken numbers as
digits and, given the dispatch catalogue, the category (`extract_category`) and the place
(`extract_location`) the words name. With a catalogue, and unless switched off (setting
``asr_correction``), the words are first put right by sound (`correction`: 东城去 → 东城区) and every
field is read from the corrected words; the corrections are listed, and the stored transcript is never
changed. For a consultation (咨询), the knowledge base's answers that fit the
words (`knowledge`), for the agent to read out. The agent accepts or overrides each in the registration
form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from callcenter.ticketing.catalogue.model import Catalogue
from callcenter.ticketing.deadlines import RequestType, Urgency
from callcenter.ticketing.heard_numbers import contact_number
from callcenter.ticketing.orders.classify import CurrentCatalogue
from callcenter.ticketing.spoken_numbers import digits_from_speech
from callcenter.ticketing.suggestions.correction import Correction, CorrectionVocabulary, correct
from callcenter.ticketing.suggestions.cues import (
    CallerIntent,
    order_type_from_text,
    request_type_of,
    urgency_from_text,
)
from callcenter.ticketing.suggestions.extract_category import (
    CategoryLexicon,
    CategorySuggestion,
    suggest_category,
)
from callcenter.ticketing.suggestions.extract_location import LocationSuggestion, suggest_location
from callcenter.ticketing.suggestions.knowledge import CurrentKnowledge, KnowledgeAnswer, KnowledgeBase


@dataclass(frozen=True, slots=True)
class DraftSuggestions:
    urgency: Urgency
    urgency_reasons: tuple[str, ...]
    intent: CallerIntent
    intent_confidence: float
    request_type: RequestType | None  # None: the category's default type applies
    contact_number: str | None
    request_text: str  # the caller's words (corrected by sound) with spoken numbers as digits
    category: CategorySuggestion | None = None  # None: no catalogue, or no category term heard
    location: LocationSuggestion | None = None  # None: no catalogue, or no known place heard
    knowledge: tuple[KnowledgeAnswer, ...] = ()  # for a consultation: answers of the knowledge base
    corrections: tuple[Correction, ...] = ()  # names put right by sound (heard → name), in order


def suggest(
    request_text: str,
    catalogue: Catalogue | None = None,
    lexicon: CategoryLexicon | None = None,
    knowledge: KnowledgeBase | None = None,
    *,
    correction: bool = True,
) -> DraftSuggestions:
    """What the words suggest; with a catalogue also the category (its names, plus ``lexicon``'s
    keywords when given) and the place; with a knowledge base, answers when the caller asks (咨询).
    ``correction``: with a catalogue, read the words after putting misheard names right by sound."""
    corrections: tuple[Correction, ...] = ()
    if correction and catalogue is not None:
        corrected = correct(request_text, correction_vocabulary(catalogue, lexicon))
        request_text, corrections = corrected.text, corrected.corrections
    urgency, reasons = urgency_from_text(request_text)
    intent, confidence = order_type_from_text(request_text)
    category = location = None
    if catalogue is not None:
        category = suggest_category(lexicon or CategoryLexicon(), catalogue.categories, request_text)
        location = suggest_location(catalogue.gazetteer, request_text)
    answers: tuple[KnowledgeAnswer, ...] = ()
    if knowledge is not None and intent is CallerIntent.CONSULTATION:
        answers = knowledge.match(request_text, category_code=category.code if category else None)
    return DraftSuggestions(
        urgency=urgency,
        urgency_reasons=reasons,
        intent=intent,
        intent_confidence=round(confidence, 2),
        request_type=request_type_of(intent),
        contact_number=contact_number(request_text),
        request_text=digits_from_speech(request_text),
        category=category,
        location=location,
        knowledge=answers,
        corrections=corrections,
    )


_VOCABULARY_CACHE: Final[list[tuple[Catalogue, CategoryLexicon | None, CorrectionVocabulary]]] = []


def correction_vocabulary(catalogue: Catalogue, lexicon: CategoryLexicon | None) -> CorrectionVocabulary:
    """The names of this catalogue and lexicon, built once while they stay the ones in force."""
    if _VOCABULARY_CACHE and _VOCABULARY_CACHE[0][0] is catalogue and _VOCABULARY_CACHE[0][1] is lexicon:
        return _VOCABULARY_CACHE[0][2]
    terms = () if lexicon is None else (k.term for k in lexicon.keywords)
    vocabulary = CorrectionVocabulary.of(catalogue.gazetteer, catalogue.categories, terms)
    _VOCABULARY_CACHE[:] = [(catalogue, lexicon, vocabulary)]
    return vocabulary


class DraftAdvisor:
    """Suggestions against what is in force in this process: the current catalogue, the category
    keywords and the current knowledge base."""

    def __init__(
        self,
        catalogue: CurrentCatalogue,
        lexicon: CategoryLexicon,
        knowledge: CurrentKnowledge | None = None,
        *,
        correction: bool = True,
    ) -> None:
        self._catalogue = catalogue
        self._lexicon = lexicon
        self._knowledge = knowledge or CurrentKnowledge()
        self._correction = correction

    def advise(self, request_text: str) -> DraftSuggestions:
        catalogue, knowledge = self._catalogue.current(), self._knowledge.current()
        return suggest(request_text, catalogue, self._lexicon, knowledge, correction=self._correction)
