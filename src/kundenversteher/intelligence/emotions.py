"""Emotions from a self-written German/English cue lexicon, and a rule-based fallback sentiment.

The lexicon is written for this project (no SentiWS: its licence is non-commercial). Cues are word
stems with a weight; a negation shortly before a cue cancels it (or, for praise words, turns it
into disappointment: "nicht zufrieden"); intensifiers, shouting in capitals and "!!!" raise it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kundenversteher.intelligence._cues import CueMatcher
from kundenversteher.intelligence.types import Emotion, Sentiment, SentimentResult

FALLBACK_VERSION = "rules-1"
# |score| below this is neutral: one problem word plus a plea for help (-0.29) is a normal request.
SENTIMENT_THRESHOLD = 0.3

# (emotion, weight, patterns). "POSITIVE" marks praise that counts for sentiment but is not one of
# the four emotions; negated, it becomes frustration.
_POSITIVE = "positive"
_NEGATIVE = "negative"
_LEXICON: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    (
        Emotion.ANGER,
        1.0,
        (
            r"unverschämt\w*",
            r"frechheit",
            r"skandal\w*",
            r"wütend\w*",
            r"sauer\b",
            r"verärgert\w*",
            r"ärgerlich\w*",
            r"empör\w*",
            r"zumutung",
            r"katastroph\w*",
            r"inkompetent\w*",
            r"abzocke\w*",
            r"betrug\w*",
            r"betrüg\w*",
            r"lächerlich\w*",
            r"unmöglich\w*",
            r"schweinerei",
            r"saftladen",
            r"reicht\s+(?:mir|jetzt)",
            r"furious",
            r"angry",
            r"outrageous",
            r"unacceptable",
            r"ridiculous",
            r"scam",
            r"incompetent\w*",
            r"disgrace\w*",
            r"fed\s+up",
            r"pissed",
            r"inakzeptabel",
            r"nicht\s+akzeptabel",
            r"fassungslos",
        ),
    ),
    (
        Emotion.FRUSTRATION,
        0.8,
        (
            r"enttäusch\w*",
            r"frustr\w*",
            r"leider",
            r"schon\s+wieder",
            r"immer\s+noch",
            r"genervt",
            r"nervig\w*",
            r"ärgere",
            r"warte\w*\s+(?:\w+\s+){0,3}(?:seit|schon)",
            r"seit\s+(?:wochen|tagen|monaten)",
            r"keine\s+(?:antwort|rückmeldung|reaktion)",
            r"unzufrieden\w*",
            r"schlecht\w*",
            r"mangelhaft\w*",
            r"ärgernis",
            r"zum\s+(?:zweiten|dritten|vierten|x-ten|wiederholten|\d+\.)\s+mal",
            r"kündig\w*",
            r"cancel\w*\s+(?:my\s+)?contract",
            r"(?:once|yet)\s+again",
            r"disappoint\w*",
            r"frustrat\w*",
            r"annoy\w*",
            r"still\s+(?:no|not|waiting)",
            r"for\s+weeks",
            r"no\s+(?:reply|response|answer)",
            r"useless",
            r"poor\b",
            r"terrible",
            r"awful",
            r"unhappy",
            r"dissatisfied",
        ),
    ),
    (
        Emotion.WORRY,
        0.8,
        (
            r"sorge\w*",
            r"besorgt\w*",
            r"angst",
            r"befürcht\w*",
            r"beunruhig\w*",
            r"verunsichert\w*",
            r"hilflos\w*",
            r"verzweifelt\w*",
            r"panik",
            r"gefährlich\w*",
            r"dringend\w*",
            r"sofort\w*",
            r"umgehend\w*",
            r"notfall\w*",
            r"asap",
            r"immediately",
            r"emergency",
            r"eiskalt\w*",
            r"frieren",
            r"gasgeruch",
            r"freezing",
            r"worried",
            r"worry",
            r"concerned",
            r"afraid",
            r"scared",
            r"anxious",
            r"desperate",
            r"urgent\w*",
            r"dangerous",
        ),
    ),
    (
        # A plea for help is mild worry: alone it neither makes the emotion nor a negative mail.
        Emotion.WORRY,
        0.4,
        (r"bitte\s+helfen", r"hilfe\b", r"help\s+me", r"please\s+help"),
    ),
    (
        Emotion.GRATITUDE,
        1.0,
        (
            r"(?:vielen|herzlichen|besten|tausend)\s+dank",
            r"danke\w*",
            r"dankbar\w*",
            r"bedanke?\w*",
            r"thanks?\b",
            r"thank\s+you",
            r"grateful",
            r"appreciate\w*",
        ),
    ),
    (
        _POSITIVE,
        1.0,
        (
            r"zufrieden\w*",
            r"super\b",
            r"toll\w*",
            r"klasse\b",
            r"prima\b",
            r"perfekt\w*",
            r"hervorragend\w*",
            r"ausgezeichnet\w*",
            # not the closing formula "Mit freundlichen Grüßen"
            r"freundlich\w*+(?!\s+gr(?:ü|ue)(?:ß|ss)e)",
            r"kompetent\w*",
            r"schnell\w*\s+(?:hilfe|erledigt|geholfen|reagiert|geliefert)",
            r"lob\w*",
            r"begeistert\w*",
            r"great",
            r"excellent",
            r"perfect\w*",
            r"happy",
            r"satisfied",
            r"amazing",
            r"wonderful",
            r"helpful",
            r"friendly",
            r"awesome",
            r"good\b",
            r"gut\b",
        ),
    ),
    (
        # Everyday evaluative words (chat, social media), written from general knowledge.
        _POSITIVE,
        0.7,
        (
            r"schön\w*",
            r"freu(?!ndlich)\w*",
            r"(?:ich|wir)\s+lieben?\b",  # not the salutation "Liebe Frau …"
            r"geil\w*",
            r"cool\b",
            r"genial\w*",
            r"wunderbar\w*",
            r"glücklich\w*",
            r"herrlich\w*",
            r"spitze\b",
            r"empfehlen\w*",
            r"empfehlenswert",
            r"lustig\w*",
            r"yay\b",
            r"juhu\b",
            r"love\b",
            r"loved\b",
            r"nice\b",
            r"fantastic",
            r"brilliant",
            r"recommend\w*",
            r"glad\b",
            r"enjoy\w*",
        ),
    ),
    (
        _NEGATIVE,
        0.7,
        (
            r"schlimm\w*",
            r"traurig\w*",
            r"schrecklich\w*",
            r"furchtbar\w*",
            r"mies\w*",
            r"miserabel\w*",
            r"blöd\w*",
            r"doof\w*",
            r"hasse\w*",
            r"nervt\b",
            r"mist\b",
            r"scheiß\w*",
            r"scheiss\w*",
            r"kotz\w*",
            r"peinlich\w*",
            r"versagt\w*",
            r"ätzend\w*",
            r"horror\w*",
            r"hate\w*",
            r"sucks?\b",
            r"worst\b",
            r"horrible",
            r"sad\b",
            r"crap\w*",
            r"shit\w*",
            r"pathetic",
            r"waste\s+of",
        ),
    ),
    (
        # Problem words are the normal business of a service desk: weak on their own.
        _NEGATIVE,
        0.2,
        (
            r"defekt\w*",
            r"kaputt\w*",
            r"beschwer\w*",
            r"reklamation\w*",
            r"problem\w*",
            r"fehler\w*",
            r"ärger\b",
            r"broken",
            r"complain\w*",
            r"faulty",
            r"bad\b",
        ),
    ),
)

_INTENSIFIERS = re.compile(
    r"(?:sehr|extrem|total|absolut|äußerst|wirklich|echt|völlig|so|really|very|extremely|"
    r"totally|absolutely|so)\s+$",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"(?:\bnicht|\bkein\w*|\bnie(?:mals)?|\bnot|\bno|n't|\bnever|\bohne|\bwithout)"
    r"(?:\s+\w+){0,2}\s+$",
    re.IGNORECASE,
)
# Politeness formulas are not gratitude for anything that happened ("Danke im Voraus").
_FORMULA_AFTER = re.compile(
    r"^\s*(?:im\s+voraus|vorab|in\s+advance|für\s+ihre\s+(?:mühe|hilfe|bemühungen)|"
    r"[,!.]?\s*(?:und|and)\s+(?:viele|beste|liebe|freundliche|herzliche)?\s*(?:grüße|gruß|regards))",
    re.IGNORECASE,
)
_SHOUTED_WORD = re.compile(r"\b[A-ZÄÖÜ]{3,}\b")
_EXCLAMATIONS = re.compile(r"!{2,}|\?!|!\?")
# Emoticons and emoji are not words, so the word-start matcher cannot see them.
_POSITIVE_EMOJI = "😀😃😄😁😊🙂😍🥰👍🙏❤💯🎉"
_NEGATIVE_EMOJI = "😠😡🤬😤😞😢😭🙁☹👎💩"
_POSITIVE_SYMBOLS = re.compile(rf"(?<![\w)]):-?[)D]|;-?\)|[{_POSITIVE_EMOJI}]")
_NEGATIVE_SYMBOLS = re.compile(rf"(?<![\w(]):-?\(|:'\(|[{_NEGATIVE_EMOJI}]")
# Every symbol above is an emoticon with ":" or ";", or an emoji. Umlauts make almost every German
# mail non-ASCII; one scan for the emoji (a set lookup per character, in C) is cheaper than two
# scans with a look-behind tried at every position (~35 µs on a 300-character mail).
_EMOJI = re.compile(f"[{_POSITIVE_EMOJI}{_NEGATIVE_EMOJI}]")


@functools.cache
def _cues() -> CueMatcher:
    # Compiled on first use, not at import (importing the package must do no work). The label is
    # the lexicon entry's index: one emotion may have entries of different weight.
    return CueMatcher(
        [(str(index), p) for index, (_, _, patterns) in enumerate(_LEXICON) for p in patterns]
    )


@dataclass(frozen=True, slots=True)
class EmotionCue:
    emotion: str  # an Emotion value, or "positive"/"negative" (sentiment-only cues)
    text: str
    start: int
    end: int
    weight: float
    negated: bool


@dataclass(frozen=True, slots=True)
class EmotionAnalysis:
    scores: dict[str, float]  # emotion value → accumulated weight
    emotions: tuple[Emotion, ...]  # present emotions, strongest first
    cues: tuple[EmotionCue, ...]
    sentiment: SentimentResult


def _intensity(text: str) -> float:
    """1.0 for calm text, up to 2.0 for shouting with exclamation marks."""
    words = max(1, len(text.split()))
    shouted = len(_SHOUTED_WORD.findall(text))
    boost = 1.0
    if shouted >= 3 and shouted / words > 0.3:
        boost += 0.5
    if _EXCLAMATIONS.search(text):
        boost += 0.3
    return min(boost, 2.0)


def find_emotion_cues(text: str) -> list[EmotionCue]:
    cues: list[EmotionCue] = []
    for m in _cues().finditer(text):
        emotion, weight, _ = _LEXICON[int(m.label)]
        emotion = str(emotion)
        before = text[max(0, m.start - 30) : m.start]
        negated = bool(_NEGATION.search(before)) and not m.text.lower().startswith(
            ("nicht", "kein", "no ", "not")
        )
        if _INTENSIFIERS.search(before):
            weight *= 1.5
        if emotion == Emotion.GRATITUDE and _FORMULA_AFTER.search(text[m.end : m.end + 40]):
            weight *= 0.2
        cues.append(EmotionCue(emotion, m.text, m.start, m.end, weight, negated))
    return cues


def analyse_emotions(text: str) -> EmotionAnalysis:
    cues = find_emotion_cues(text)
    intensity = _intensity(text)
    scores: dict[str, float] = {}
    if ":" in text or ";" in text or (not text.isascii() and _EMOJI.search(text)):
        symbols_pos = len(_POSITIVE_SYMBOLS.findall(text))
        symbols_neg = len(_NEGATIVE_SYMBOLS.findall(text))
        if symbols_pos:
            scores[_POSITIVE] = 0.7 * min(symbols_pos, 3)
        if symbols_neg:
            scores[_NEGATIVE] = 0.7 * min(symbols_neg, 3)
    for cue in cues:
        emotion = cue.emotion
        if cue.negated:
            # "nicht zufrieden" is disappointment; "nicht wütend", "keine Sorge" cancel out.
            if emotion in (_POSITIVE, Emotion.GRATITUDE):
                emotion = Emotion.FRUSTRATION
            else:
                continue
        scores[emotion] = scores.get(emotion, 0.0) + cue.weight * intensity
    emotion_scores = {e: s for e, s in scores.items() if e in Emotion.__members__.values()}
    emotions = tuple(
        Emotion(e) for e, s in sorted(emotion_scores.items(), key=lambda item: -item[1]) if s >= 0.5
    )
    return EmotionAnalysis(
        scores=scores, emotions=emotions, cues=tuple(cues), sentiment=_sentiment(scores, emotions)
    )


def _sentiment(scores: dict[str, float], emotions: tuple[Emotion, ...]) -> SentimentResult:
    positive = scores.get(_POSITIVE, 0.0) + scores.get(Emotion.GRATITUDE, 0.0)
    negative = (
        scores.get(Emotion.ANGER, 0.0) * 1.5
        + scores.get(Emotion.FRUSTRATION, 0.0)
        + scores.get(Emotion.WORRY, 0.0) * 0.5
        + scores.get(_NEGATIVE, 0.0)
    )
    total = positive + negative
    score = 0.0 if total == 0 else (positive - negative) / (total + 1.0)
    score = max(-1.0, min(1.0, score))
    if score <= -SENTIMENT_THRESHOLD:
        label = Sentiment.NEGATIVE
    elif score >= SENTIMENT_THRESHOLD:
        label = Sentiment.POSITIVE
    else:
        label = Sentiment.NEUTRAL
    return SentimentResult(
        label=label, score=round(score, 3), emotions=emotions, model_version=FALLBACK_VERSION
    )


def fallback_sentiment(text: str) -> SentimentResult:
    """Rule-based sentiment for when no sentiment model is loaded (version "rules-1")."""
    return analyse_emotions(text).sentiment
