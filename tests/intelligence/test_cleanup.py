from __future__ import annotations

from kundenversteher.intelligence.cleanup import (
    clean_email_body,
    html_to_text,
    strip_quoted_reply,
    strip_signature,
)


def test_html_to_text_keeps_line_structure_and_drops_scripts() -> None:
    markup = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head>"
        "<body><p>Hallo,</p><p>die Heizung&nbsp;ist <b>aus</b>.</p><ul><li>Gerät A</li>"
        "<li>Gerät B</li></ul>Gruß<br>Anna</body></html>"
    )
    assert html_to_text(markup) == (
        "Hallo,\n\ndie Heizung ist aus.\n\n- Gerät A\n\n- Gerät B\n\nGruß\nAnna"
    )


def test_html_to_text_survives_broken_markup() -> None:
    # A dangling "<" is kept as text rather than guessed away.
    assert html_to_text("<p>Hallo <b>Welt</p></div><td>x &amp; y <") == "Hallo Welt\n\nx & y <"


def test_german_reply_header_cuts_the_history() -> None:
    text = "Danke, passt.\n\nAm 20.11.2026 um 10:00 schrieb Service <s@b.de>:\n> alte Nachricht"
    assert strip_quoted_reply(text) == "Danke, passt."


def test_english_reply_header_cuts_the_history() -> None:
    text = "Thanks!\n\nOn Mon, 23 Nov 2026 at 10:00, Service <s@b.de> wrote:\n> old"
    assert strip_quoted_reply(text) == "Thanks!"


def test_outlook_headers_cut_the_history() -> None:
    text = (
        "Bitte Termin bestätigen.\n\nVon: Service <s@b.de>\nGesendet: Montag, 23. November 2026\n"
        "An: kunde@example.de\nBetreff: Termin\n\nalter Text"
    )
    assert strip_quoted_reply(text) == "Bitte Termin bestätigen."


def test_english_outlook_and_original_message_markers_cut_the_history() -> None:
    assert strip_quoted_reply("Ok.\nFrom: A <a@b.de>\nSent: Monday\nold") == "Ok."
    assert strip_quoted_reply("Ok.\n-----Original Message-----\nold") == "Ok."
    assert strip_quoted_reply("Ok.\n-----Ursprüngliche Nachricht-----\nalt") == "Ok."


def test_quoted_lines_are_removed() -> None:
    assert strip_quoted_reply("Neue Zeile\n> zitiert\n>> doppelt\nnoch neu") == (
        "Neue Zeile\nnoch neu"
    )


def test_signature_after_closing_is_split_off() -> None:
    result = strip_signature("Heizung ist aus.\nBitte melden.\n\nMit freundlichen Grüßen\nMax\n")
    assert result.body == "Heizung ist aus.\nBitte melden."
    assert result.signature == "Mit freundlichen Grüßen\nMax"


def test_dash_dash_and_mobile_footers_start_the_signature() -> None:
    assert strip_signature("Text\n-- \nMax Muster\nFirma").signature == "-- \nMax Muster\nFirma"
    assert strip_signature("Text\n\nVon meinem iPhone gesendet").body == "Text"
    assert strip_signature("Text\n\nSent from my iPhone").body == "Text"
    assert strip_signature("Text\nBest regards,\nJohn").body == "Text"


def test_greeting_word_early_in_a_long_mail_does_not_cut_it() -> None:
    lines = ["Gruß vorab an das Team."] + [f"Zeile {i}" for i in range(10)]
    text = "\n".join(lines)
    assert strip_signature(text).body == text


def test_text_without_signature_is_kept() -> None:
    assert strip_signature("Nur Text").signature == ""


def test_clean_email_body_combines_the_steps() -> None:
    markup = (
        "<div>Meine Bestellung 4711 fehlt.</div><div>Viele Grüße<br>Anna</div>"
        "<div>Am 20.11.2026 schrieb Service:</div><blockquote>alt</blockquote>"
    )
    result = clean_email_body(markup, is_html=True)
    assert (result.body, result.signature) == ("Meine Bestellung 4711 fehlt.", "Viele Grüße\nAnna")


def test_wrapped_gmail_reply_header_cuts_the_history() -> None:
    text = (
        "Passt so.\n\nAm Mo., 23. Nov. 2026 um 10:00 Uhr schrieb Brenner Service <\n"
        "service@brenner.de>:\n> alt"
    )
    assert strip_quoted_reply(text) == "Passt so."


def test_schrieb_in_the_customers_own_text_is_kept() -> None:
    text = "Am Telefon schrieb mir Ihr Kollege nichts auf.\n\nBitte Rückruf."
    assert strip_quoted_reply(text) == text


def test_short_greeting_with_a_name_starts_the_signature() -> None:
    assert strip_signature("Wo bleibt das Paket?\nGruß Peter").body == "Wo bleibt das Paket?"
    assert strip_signature("Danke!\nLG Anna").body == "Danke!"
