"""Deterministic generator of realistic customer mails and agent replies.

Pure Python (no Django): everything random comes from one ``random.Random(seed)``, so the same
seed and the same calls give the same texts on every machine. The labels (intent, language,
sentiment, urgency) are known by construction; they become the demo tenant's training data.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import ModuleType

from kundenversteher.demo.texts import de, en

INTENTS: tuple[str, ...] = (
    "order_status",
    "delivery_date",
    "order_cancellation",
    "return_refund",
    "invoice_copy",
    "payment_issue",
    "password_reset",
    "address_change",
    "contract_info",
    "contract_cancellation",
    "repair_status",
    "maintenance_appointment",
    "device_fault",
    "product_info",
    "complaint",
    "praise",
    "other",
)
LANGUAGES: tuple[str, ...] = ("de", "en")
EMOTIONS: tuple[str, ...] = ("neutral", "angry", "worried", "grateful")

PRODUCTS: tuple[str, ...] = (
    "Brenner AeroTherm 8",
    "Brenner AeroTherm 12",
    "Brenner GeoTherm 12",
    "Brenner GeoTherm 16",
    "Brenner CondensPro 24",
    "Brenner HydroTower 300",
    "Brenner SmartControl 2",
)
PARTS: tuple[str, ...] = (
    "Umwälzpumpe UP 25-60",
    "Filtereinsatz FX-200",
    "Drucksensor DS-4",
    "Ausdehnungsgefäß 25 l",
    "Zündelektrode ZE-7",
    "Lüftermotor LM-12",
    "Platine CP-300",
)
ERROR_CODES: tuple[str, ...] = ("E104", "E231", "E305", "E512", "F28", "A11", "H07")
FIRST_NAMES: tuple[str, ...] = (
    "Hans", "Petra", "Jürgen", "Sabine", "Thomas", "Monika", "Stefan", "Andrea", "Michael",
    "Claudia", "Florian", "Julia", "Tobias", "Katrin", "Markus", "Anja", "Sebastian", "Lena",
    "Wolfgang", "Ursula", "Maximilian", "Sophie", "Georg", "Theresa",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Müller", "Schmidt", "Huber", "Wagner", "Bauer", "Maier", "Hofmann", "Schneider",
    "Fischer", "Weber", "Becker", "Brandl", "Gruber", "Lehner", "Zimmermann", "Krause",
    "Pichler", "Steiner", "Forster", "Lindner", "Obermeier", "Wimmer",
)  # fmt: skip
STREETS: tuple[str, ...] = (
    "Lindenstraße", "Kirchweg", "Am Mühlbach", "Bahnhofstraße", "Rosenweg", "Schulstraße",
    "Gartenstraße", "Ahornweg", "Hauptstraße", "Birkenallee", "Feldstraße", "Am Anger",
)  # fmt: skip
CITIES: tuple[str, ...] = (
    "80331 München", "93047 Regensburg", "86150 Augsburg", "90402 Nürnberg", "94032 Passau",
    "84028 Landshut", "97070 Würzburg", "83022 Rosenheim", "85049 Ingolstadt", "95444 Bayreuth",
)  # fmt: skip
COMPANIES: tuple[str, ...] = (
    "Heizungsbau {last} GmbH",
    "{last} Haustechnik GmbH & Co. KG",
    "Sanitär {last} e.K.",
    "{last} & Söhne Heizung-Sanitär",
    "Wärmetechnik {last} GmbH",
)
# Intents where an installer typically lists several orders in one mail.
B2B_MULTI_ORDER_INTENTS = frozenset(
    {"order_status", "delivery_date", "invoice_copy", "return_refund"}
)
# An intent's sentence mentions being cold only where heating is actually at stake.
HEATING_INTENTS = frozenset({"device_fault", "repair_status"})
_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """Real data of one demo customer to slot into a mail; missing fields are invented."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    customer_number: str | None = None  # "KD-104711"
    company: str | None = None
    phone: str | None = None
    order_numbers: tuple[str, ...] = ()
    contract_number: str | None = None  # "WV-200123"
    device_serial: str | None = None  # "BW2301004567"
    product_name: str | None = None
    invoice_number: str | None = None
    tracking_number: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerMail:
    subject: str
    text: str
    intent: str
    language: str  # "de" | "en"
    sentiment: str  # "negative" | "neutral" | "positive"
    urgent: bool
    emotion: str  # one of EMOTIONS
    formal: bool
    has_typos: bool
    has_quote: bool
    b2b: bool


def _phrases(language: str) -> ModuleType:
    return de if language == "de" else en


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def template_counts() -> dict[tuple[str, str], int]:
    """Body templates (core × ask, plus installer variants) per (intent, language)."""
    counts: dict[tuple[str, str], int] = {}
    for language in LANGUAGES:
        bank = _phrases(language)
        for intent in INTENTS:
            cores = len(bank.CORES[intent]) + len(bank.B2B_CORES.get(intent, ()))
            counts[(intent, language)] = cores * len(bank.ASKS[intent])
    return counts


class TextGenerator:
    """Produces labelled customer mails and agent replies from one seed."""

    def __init__(self, seed: int, *, today: date = date(2026, 3, 12)) -> None:
        self._rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self._today = today

    # ---------------------------------------------------------------- public API

    def customer_mail(
        self,
        *,
        intent: str | None = None,
        language: str | None = None,
        facts: MessageFacts | None = None,
        b2b: bool | None = None,
    ) -> CustomerMail:
        rng = self._rng
        intent = intent or rng.choice(INTENTS)
        if intent not in INTENTS:
            raise ValueError(f"unknown intent {intent!r}")
        language = language or ("de" if rng.random() < 0.75 else "en")
        facts = facts or MessageFacts()
        b2b = (facts.company is not None or rng.random() < 0.2) if b2b is None else b2b
        bank = _phrases(language)
        slots = self._slots(language, facts, b2b=b2b)
        emotion = self._emotion(intent)
        formal = rng.random() < (0.55 if b2b else 0.6)

        core_pool: Sequence[str] = bank.CORES[intent]
        if b2b and intent in B2B_MULTI_ORDER_INTENTS and rng.random() < 0.5:
            core_pool = bank.B2B_CORES[intent]
        core = rng.choice(core_pool).format_map(slots)
        ask = rng.choice(bank.ASKS[intent]).format_map(slots)

        sentences: list[str] = []
        if emotion != "neutral" and rng.random() < 0.8:
            sentences.append(rng.choice(bank.EMOTION_OPENERS[emotion]))
        legal = cancel = False
        if emotion == "angry":
            legal = rng.random() < 0.3
            cancel = not legal and rng.random() < 0.3
        urgent = legal or rng.random() < self._urgency_rate(intent, emotion)

        greeting = ""
        if rng.random() < 0.92:
            greeting = rng.choice(bank.GREETINGS_FORMAL if formal else bank.GREETINGS_INFORMAL)
        # German continues in lower case after "Sehr geehrte Damen und Herren,"; anything
        # else starts a new sentence.
        core = core if (language == "de" and greeting and not sentences) else _cap(core)
        sentences.append(core)
        tail: list[str] = [ask]
        if legal:
            tail.append(rng.choice(bank.LEGAL_THREATS).format_map(slots))
        if cancel:
            tail.append(rng.choice(bank.CANCELLATION_THREATS))
        if urgent and not legal:
            pool = [u for u in bank.URGENCY if intent in HEATING_INTENTS or not _is_heating(u)]
            tail.append(rng.choice(pool))
        body = " ".join(sentences) + ("\n\n" if rng.random() < 0.35 else " ") + " ".join(tail)

        has_typos = False
        if rng.random() < 0.3:
            typo_body = self._typos(body, language)
            has_typos = typo_body != body
            body = typo_body

        parts = [greeting, body] if greeting else [body]
        parts.append(self._signature(language, facts, slots, formal=formal, b2b=b2b))
        subject = rng.choice(bank.SUBJECTS[intent]).format_map(slots)
        has_quote = rng.random() < 0.22
        if has_quote:
            parts.append(self._quote(intent, language, facts, slots, subject))
            subject = ("AW: " if language == "de" else "Re: ") + subject

        sentiment = {"angry": "negative", "worried": "negative", "grateful": "positive"}.get(
            emotion, "neutral"
        )
        return CustomerMail(
            subject=subject,
            text="\n\n".join(p for p in parts if p).strip(),
            intent=intent,
            language=language,
            sentiment=sentiment,
            urgent=urgent,
            emotion=emotion,
            formal=formal,
            has_typos=has_typos,
            has_quote=has_quote,
            b2b=b2b,
        )

    def agent_reply(
        self,
        *,
        intent: str,
        language: str,
        facts: MessageFacts | None = None,
        agent_name: str = "Anna Berger",
    ) -> str:
        rng = self._rng
        facts = facts or MessageFacts()
        bank = _phrases(language)
        slots = self._slots(language, facts, b2b=False)
        greeting = rng.choice(bank.REPLY_GREETINGS).format_map(slots)
        thanks = (
            rng.choice(("vielen Dank für Ihre Nachricht.", "danke für Ihre Anfrage."))
            if language == "de"
            else rng.choice(("Thank you for your message.", "Thanks for getting in touch."))
        )
        body = _cap(rng.choice(bank.REPLIES[intent]).format_map(slots))
        closing = rng.choice(bank.REPLY_CLOSINGS).format(agent=agent_name)
        return f"{greeting}\n\n{thanks} {body}\n\n{closing}"

    def mails(self, count: int, *, languages: Sequence[str] = LANGUAGES) -> Iterator[CustomerMail]:
        """``count`` mails cycling through every intent, so each intent is equally present."""
        for i in range(count):
            language = self._rng.choice(languages) if len(languages) > 1 else languages[0]
            if len(languages) > 1 and self._rng.random() < 0.4:
                language = "de"  # the demo tenant is German: about 70 % German overall
            yield self.customer_mail(intent=INTENTS[i % len(INTENTS)], language=language)

    # ---------------------------------------------------------------- pieces

    def _emotion(self, intent: str) -> str:
        rng = self._rng
        if intent == "praise":
            return "grateful"
        if intent == "complaint":
            return "angry" if rng.random() < 0.7 else "worried"
        weights = (0.4, 0.15, 0.45, 0.0) if intent == "device_fault" else (0.68, 0.14, 0.08, 0.1)
        return rng.choices(EMOTIONS, weights=weights)[0]

    @staticmethod
    def _urgency_rate(intent: str, emotion: str) -> float:
        if intent == "device_fault":
            return 0.5
        if emotion in ("angry", "worried"):
            return 0.25
        return 0.04

    def _slots(self, language: str, facts: MessageFacts, *, b2b: bool) -> dict[str, str]:
        rng = self._rng
        first = facts.first_name or rng.choice(FIRST_NAMES)
        last = facts.last_name or rng.choice(LAST_NAMES)
        orders = list(facts.order_numbers)
        while len(orders) < 3:
            digits = rng.choices((4, 5, 6, 7), weights=(4, 3, 2, 1))[0]
            orders.append(str(rng.randint(10 ** (digits - 1), 10**digits - 1)))
        company = facts.company or (rng.choice(COMPANIES).format(last=last) if b2b else "")
        code = rng.choice(ERROR_CODES)
        bank = _phrases(language)
        return {
            "order": orders[0],
            "order2": orders[1],
            "order3": orders[2],
            "contract": facts.contract_number or f"WV-{rng.randint(200000, 299999)}",
            "serial": facts.device_serial
            or f"BW{rng.randint(19, 26)}{rng.randint(0, 99_999_999):08d}",
            "error_code": code,
            "error": rng.choice(bank.ERRORS).format(code=code),
            "date": self._date_text(language, self._today + timedelta(days=rng.randint(-40, 21))),
            "amount": self._amount_text(language),
            "invoice": facts.invoice_number
            or f"RE-{self._today.year - rng.randint(0, 1)}-{rng.randint(1, 999_999):06d}",
            "product": facts.product_name or rng.choice(PRODUCTS),
            "part": rng.choice(PARTS),
            "customer_no": facts.customer_number or f"KD-{rng.randint(100000, 199999)}",
            "street": f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
            "city": rng.choice(CITIES),
            "name": f"{first} {rng.choice(LAST_NAMES)}",
            "first_name": first,
            "full_name": f"{first} {last}",
            "last_name": last,
            "company": company,
            "company_domain": re.sub(r"[^a-z]", "", last.lower().translate(_UMLAUTS))
            + "-haustechnik.example.de",
            "days": str(rng.randint(3, 21)),
            "tracking": facts.tracking_number or f"00340434{rng.randint(10**11, 10**12 - 1)}",
            "email": facts.email
            or f"{first.lower()}.{last.lower()}@example.de".translate(_UMLAUTS),
            "phone": facts.phone or self._phone(),
        }

    def _date_text(self, language: str, day: date) -> str:
        months = _phrases(language).MONTHS
        if language == "de":
            return self._rng.choice(
                (
                    f"{day:%d.%m.%Y}",
                    f"{day.day}.{day.month}.",
                    f"{day.day}. {months[day.month - 1]}",
                )
            )
        return self._rng.choice(
            (f"{day.day} {months[day.month - 1]} {day.year}", f"{months[day.month - 1]} {day.day}")
        )

    def _amount_text(self, language: str) -> str:
        cents = self._rng.choice(
            (self._rng.randint(1_990, 49_900), self._rng.randint(50_000, 1_500_000))
        )
        english = f"{cents / 100:,.2f}"
        if language == "en":
            return self._rng.choice((f"€{english}", f"EUR {english}"))
        german = english.replace(",", "_").replace(".", ",").replace("_", ".")
        return self._rng.choice((f"{german} €", f"{german} EUR", f"{german} Euro"))

    def _phone(self) -> str:
        # 030 23125 000-999 is reserved by the Bundesnetzagentur for fiction and drama.
        n = self._rng.randint(0, 999)
        return self._rng.choice((f"030 23125{n:03d}", f"+49 30 23125{n:03d}", f"030/23125-{n:03d}"))

    def _signature(
        self,
        language: str,
        facts: MessageFacts,
        slots: dict[str, str],
        *,
        formal: bool,
        b2b: bool,
    ) -> str:
        rng = self._rng
        bank = _phrases(language)
        if rng.random() < 0.12:  # a phone mail: no closing, only the footer
            return f"{slots['first_name']}\n\n{rng.choice(bank.MOBILE_FOOTERS)}"
        lines = [rng.choice(bank.CLOSINGS_FORMAL if formal else bank.CLOSINGS_INFORMAL)]
        lines.append(slots["full_name"] if formal or rng.random() < 0.5 else slots["first_name"])
        if b2b and slots["company"]:
            lines.append(slots["company"])
            if language == "de" and rng.random() < 0.5:
                lines.append("Installateur- und Heizungsbauermeister")
        if rng.random() < 0.4:
            prefix = rng.choice(("Tel. ", "Mobil: ", "Telefon: ")) if language == "de" else "Tel. "
            lines.append(prefix + slots["phone"])
        if facts.customer_number and rng.random() < 0.3:
            lines.append(
                ("Kundennr. " if language == "de" else "Customer no. ") + slots["customer_no"]
            )
        signature = "\n".join(lines)
        if rng.random() < 0.1:
            signature += "\n\n" + rng.choice(bank.MOBILE_FOOTERS)
        return signature

    def _quote(
        self,
        intent: str,
        language: str,
        facts: MessageFacts,
        slots: dict[str, str],
        subject: str,
    ) -> str:
        rng = self._rng
        bank = _phrases(language)
        when = datetime.combine(
            self._today - timedelta(days=rng.randint(1, 30)),
            time(rng.randint(7, 18), rng.randint(0, 59)),
        )
        # The quoted reply speaks about the same person and the same numbers as the mail.
        same = MessageFacts(
            first_name=slots["first_name"],
            last_name=slots["last_name"],
            email=slots["email"],
            customer_number=slots["customer_no"],
            order_numbers=(slots["order"], slots["order2"], slots["order3"]),
            contract_number=slots["contract"],
            device_serial=slots["serial"],
            product_name=slots["product"],
            invoice_number=slots["invoice"],
            tracking_number=facts.tracking_number,
        )
        reply = self.agent_reply(intent=intent, language=language, facts=same)
        values = {
            "date": f"{when:%d.%m.%Y}" if language == "de" else f"{when:%d %b %Y}",
            "time": f"{when:%H:%M}",
            "weekday": bank.WEEKDAYS[when.weekday()],
            "email": slots["email"],
            "subject": subject,
        }
        if rng.random() < 0.6:
            header: str = bank.QUOTE_HEADER_GMAIL.format_map(values)
            quoted = "\n".join(f"> {line}" if line else ">" for line in reply.splitlines())
            return header + "\n" + quoted
        header = bank.QUOTE_HEADER_OUTLOOK.format_map(values)
        return header + "\n\n" + reply

    def _typos(self, body: str, language: str) -> str:
        rng = self._rng
        kind = rng.choice(("swap", "umlaut", "lower") if language == "de" else ("swap", "lower"))
        if kind == "umlaut" and any(c in body for c in "äöüÄÖÜß"):
            return body.translate(_UMLAUTS)
        if kind == "lower":
            # Lower-case everything except tokens carrying numbers (order numbers, serials):
            # people type "meine bestellung 4711", not "bw2301004567".
            return " ".join(
                t if any(c.isdigit() for c in t) else t.lower() for t in body.split(" ")
            )
        words = [m for m in _WORD.finditer(body) if len(m.group()) >= 5]
        if not words:
            return body
        chars = list(body)
        for match in rng.sample(words, k=min(len(words), rng.randint(1, 3))):
            i = rng.randint(match.start() + 1, match.end() - 3)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        return "".join(chars)


def _is_heating(sentence: str) -> bool:
    return "Kalt" in sentence or "heating" in sentence
