"""The demo message generator: deterministic, varied, labelled, realistic formats."""

from __future__ import annotations

import re
from collections import Counter

from kundenversteher.demo.texts import INTENTS, MessageFacts, TextGenerator, template_counts


def test_same_seed_gives_the_same_mails():
    first = [m.text for m in TextGenerator(42).mails(300)]
    second = [m.text for m in TextGenerator(42).mails(300)]
    assert first == second


def test_different_seeds_give_different_mails():
    first = [m.text for m in TextGenerator(1).mails(50)]
    second = [m.text for m in TextGenerator(2).mails(50)]
    assert sum(a == b for a, b in zip(first, second, strict=True)) == 0


def test_every_intent_has_enough_templates_in_both_languages():
    counts = template_counts()
    assert set(counts) == {(i, lang) for i in INTENTS for lang in ("de", "en")}
    assert min(v for (_, lang), v in counts.items() if lang == "de") >= 25
    assert min(v for (_, lang), v in counts.items() if lang == "en") >= 15


def test_each_intent_yields_many_distinct_texts_in_both_languages():
    mails = list(TextGenerator(7).mails(17 * 120))
    per_intent = Counter(m.intent for m in mails)
    assert set(per_intent) == set(INTENTS)
    assert set(per_intent.values()) == {120}
    for intent in INTENTS:
        texts = {m.text for m in mails if m.intent == intent}
        assert len(texts) == 120, intent
        languages = {m.language for m in mails if m.intent == intent}
        assert languages == {"de", "en"}, intent


def test_german_is_the_majority_language():
    mails = list(TextGenerator(3).mails(2000))
    german_share = sum(m.language == "de" for m in mails) / len(mails)
    assert 0.62 < german_share < 0.78


def test_a_share_has_typos_quotes_urgency_and_every_sentiment():
    mails = list(TextGenerator(5).mails(2000))
    assert 0.15 < sum(m.has_typos for m in mails) / 2000 < 0.4
    assert 0.12 < sum(m.has_quote for m in mails) / 2000 < 0.32
    assert 0.05 < sum(m.urgent for m in mails) / 2000 < 0.35
    assert {m.sentiment for m in mails} == {"negative", "neutral", "positive"}
    assert all(m.sentiment == "positive" for m in mails if m.intent == "praise")
    assert all(m.sentiment == "negative" for m in mails if m.intent == "complaint")


def test_quoted_mails_carry_a_reply_header_and_quoted_lines():
    mails = [m for m in TextGenerator(11).mails(600) if m.has_quote]
    gmail = [m for m in mails if "schrieb Brenner Service" in m.text or "wrote:" in m.text]
    outlook = [
        m
        for m in mails
        if "-----Ursprüngliche Nachricht-----" in m.text or "-----Original Message-----" in m.text
    ]
    assert len(gmail) + len(outlook) == len(mails)
    assert gmail
    assert outlook
    assert all("\n> " in m.text for m in gmail)
    assert all(m.subject.startswith(("AW: ", "Re: ")) for m in mails)


def test_german_typos_include_missing_umlauts_and_lowercase_nouns():
    mails = [m for m in TextGenerator(13).mails(3000) if m.has_typos and m.language == "de"]
    assert any(re.search(r"\b(fuer|koennen|Rueck|Stoerung|moechte)", m.text) for m in mails)
    assert any(" bestellung " in m.text for m in mails)


def test_entities_follow_the_shared_number_formats():
    text = "\n".join(m.text for m in TextGenerator(17).mails(1500))
    assert re.search(r"\bWV-\d{6}\b", text)
    assert re.search(r"\bBW\d{10}\b", text)
    assert re.search(r"\bRE-20\d\d-\d{6}\b", text)
    assert re.search(r"\bKD-\d{6}\b", text)
    assert re.search(r"(Bestellung|Bestellnummer|Auftrag|order) #?\d{4,7}\b", text)
    assert re.search(r"\b(Fehler|Störung|error) [EFAH]\d{2,3}\b", text)
    assert not re.search(r"\{[a-z_0-9]+\}", text)  # every slot was filled


def test_phone_numbers_come_only_from_the_fictional_range():
    text = "\n".join(m.text for m in TextGenerator(19).mails(1500))
    phones = re.findall(r"(?:\+49 30 |030[ /])23125-?\d{3}", text)
    assert phones
    assert not re.search(r"\b01[5-7]\d", text)  # no mobile numbers that might be real


def test_real_facts_are_slotted_into_the_mail():
    facts = MessageFacts(
        first_name="Clara",
        last_name="Schmidt",
        email="clara.schmidt@example.de",
        customer_number="KD-104711",
        order_numbers=("4711",),
        contract_number="WV-200123",
        device_serial="BW2301004567",
    )
    generator = TextGenerator(23)
    mail = generator.customer_mail(intent="order_status", language="de", facts=facts)
    assert "4711" in mail.text
    fault = generator.customer_mail(intent="device_fault", language="en", facts=facts)
    assert fault.intent == "device_fault"
    assert fault.language == "en"
    cancel = generator.customer_mail(intent="contract_cancellation", language="de", facts=facts)
    assert "WV-200123" in cancel.text


def test_installers_sometimes_cite_several_orders():
    generator = TextGenerator(29)
    mails = [
        generator.customer_mail(intent="order_status", language="de", b2b=True) for _ in range(60)
    ]
    multi = [m for m in mails if len(re.findall(r"\b\d{4,7}\b", m.text.split("\n\n")[1])) >= 3]
    assert multi
    assert all(m.b2b for m in mails)


def test_agent_reply_greets_the_customer_and_signs_with_the_agent():
    facts = MessageFacts(first_name="Clara", last_name="Schmidt", order_numbers=("4711",))
    reply = TextGenerator(31).agent_reply(
        intent="order_status", language="de", facts=facts, agent_name="Ben Koch"
    )
    assert "Clara" in reply
    assert "4711" in reply
    assert "Ben Koch" in reply
