"""Character error rate (CER) for Chinese and word error rate (WER) for space-delimited languages.

CER = (substitutions + deletions + insertions) / reference characters, after both texts are normalised
with :func:`~callcenter.adapters.asr.text.normalize_zh`. Over a corpus the edits and the reference
characters are summed first (corpus-level CER = Σ edits / Σ reference chars), so long utterances weigh
more than short ones; this is the figure speech papers and the Vosk model cards report.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from callcenter.adapters.asr.text import normalize_zh, words_of


def edit_distance(reference: Sequence[Hashable], hypothesis: Sequence[Hashable]) -> int:
    """Levenshtein distance: the fewest substitutions, deletions and insertions turning one into the other.

    Unit costs; O(len(reference) × len(hypothesis)) time and O(len(hypothesis)) memory.
    """
    previous = list(range(len(hypothesis) + 1))
    for i, ref_item in enumerate(reference, start=1):
        current = [i]
        for j, hyp_item in enumerate(hypothesis, start=1):
            substitution = previous[j - 1] + (ref_item != hyp_item)
            current.append(min(substitution, previous[j] + 1, current[j - 1] + 1))
        previous = current
    return previous[-1]


@dataclass(frozen=True, slots=True)
class ErrorCount:
    """Edits against a reference of ``length`` units (characters for CER, words for WER)."""

    edits: int
    length: int

    @property
    def rate(self) -> float:
        """edits / length. Undefined (ValueError) for an empty reference."""
        if self.length == 0:
            raise ValueError("error rate is undefined for an empty reference")
        return self.edits / self.length

    def __add__(self, other: ErrorCount) -> ErrorCount:
        return ErrorCount(self.edits + other.edits, self.length + other.length)


def cer_count(reference: str, hypothesis: str) -> ErrorCount:
    """Character edits between two Chinese texts after normalisation (see :func:`normalize_zh`)."""
    ref, hyp = normalize_zh(reference), normalize_zh(hypothesis)
    return ErrorCount(edit_distance(ref, hyp), len(ref))


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate of one utterance; may exceed 1.0 when the hypothesis adds many characters."""
    return cer_count(reference, hypothesis).rate


def corpus_cer(pairs: Iterable[tuple[str, str]]) -> float:
    """Corpus-level CER over (reference, hypothesis) pairs: total edits / total reference characters."""
    return sum((cer_count(ref, hyp) for ref, hyp in pairs), ErrorCount(0, 0)).rate


def wer_count(reference: str, hypothesis: str) -> ErrorCount:
    """Word edits between two texts of a space-delimited language (see :func:`words_of`)."""
    ref, hyp = words_of(reference), words_of(hypothesis)
    return ErrorCount(edit_distance(ref, hyp), len(ref))


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of one utterance."""
    return wer_count(reference, hypothesis).rate
