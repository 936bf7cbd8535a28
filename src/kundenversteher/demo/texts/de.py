"""German phrase bank for the demo mails of Brenner Wärmetechnik GmbH.

Each intent has *cores* (the concern, starting lower-case because German mails continue after
"Sehr geehrte Damen und Herren," in lower case) and *asks* (what the writer wants). A body is one
core plus one ask, so an intent with 10 cores and 5 asks has 50 body templates; greetings,
emotions, threats, signatures, typos and quotes multiply that into the thousands.

Slots: {order} {order2} {order3} {contract} {serial} {error} {error_code} {date} {amount}
{invoice} {product} {part} {customer_no} {street} {city} {name} {days}.
"""

from __future__ import annotations

CORES: dict[str, tuple[str, ...]] = {
    "order_status": (
        "ich habe am {date} unter der Bestellnummer {order} eine {product} bestellt und seitdem"
        " nichts mehr gehört.",
        "wie ist der aktuelle Stand meiner Bestellung {order}?",
        "meine Bestellung Nr. {order} vom {date} steht im Kundenkonto immer noch auf"
        " „in Bearbeitung“.",
        "können Sie mir sagen, ob die Bestellung {order} schon versendet wurde?",
        "ich warte auf die Ersatzteile aus Auftrag {order} ({part}).",
        "zu meiner Bestellung {order} habe ich noch keine Versandbestätigung bekommen.",
        "Bestellung #{order}: ist die schon raus? Im Shop steht nichts.",
        "ich wollte mal nachfragen, was aus meiner Bestellung {order} geworden ist.",
        "seit {days} Tagen warte ich auf eine Rückmeldung zu meiner Bestellung {order}.",
        "unter der Kundennummer {customer_no} habe ich die Bestellung {order} aufgegeben – wo"
        " steht die gerade?",
        "ist meine Bestellung mit der Auftragsnummer {order} schon bearbeitet worden?",
        # The most common way to ask (and the demo inbox's first story); without it the demo
        # model learnt "wo bleibt …" only from delivery-date mails.
        "wo bleibt meine Bestellung {order}? Ich habe sie am {date} aufgegeben.",
        "wo bleibt eigentlich meine Bestellung {order}? Der Monteur braucht die {product} bald.",
        "ich habe vor {days} Tagen eine {product} bestellt. Wo bleibt meine Bestellung {order}?",
    ),
    "delivery_date": (
        "wann wird die {product} aus meiner Bestellung {order} geliefert?",
        "können Sie mir einen Liefertermin für die Bestellung {order} nennen?",
        "laut Auftragsbestätigung sollte die Lieferung zu Bestellung {order} am {date} kommen,"
        " bisher ist nichts da.",
        "wir bekommen am {date} den Heizungsbauer, bis dahin muss die Ware aus Auftrag {order}"
        " da sein.",
        "ist die {product} (Bestellnummer {order}) auf Lager oder wie lange ist die Lieferzeit?",
        "die Sendungsverfolgung zu Bestellung {order} zeigt seit Tagen keinen Fortschritt mehr.",
        "kommt die Lieferung zur Bestellung {order} per Spedition? Dann müsste ich jemanden zu"
        " Hause haben.",
        "bitte teilen Sie mir mit, an welchem Tag die Ware aus Bestellung {order} zugestellt wird.",
        "wir haben am {date} eine {product} bestellt (Bestell-Nr. {order}) und brauchen einen"
        " verbindlichen Liefertermin.",
        "bis wann kann ich mit dem {part} aus Bestellung {order} rechnen?",
    ),
    "order_cancellation": (
        "ich möchte meine Bestellung {order} vom {date} stornieren.",
        "bitte stornieren Sie den Auftrag {order}, ich habe das Teil inzwischen woanders bekommen.",
        "die Bestellung {order} hat sich leider erledigt, bitte nicht mehr verschicken.",
        "ich habe versehentlich zweimal bestellt, bitte die Bestellung {order} streichen.",
        "ist es noch möglich, die Bestellung {order} zu widerrufen? Sie ist noch nicht versendet.",
        "hiermit widerrufe ich meine Bestellung {order} ({product}).",
        "wir brauchen die {product} aus Auftrag {order} doch nicht mehr, der Endkunde hat sich"
        " anders entschieden.",
        "bitte Bestellung #{order} canceln – falsche Artikelnummer erwischt.",
        "ich trete vom Kaufvertrag zur Bestellnummer {order} zurück.",
        "können Sie den {part} aus Bestellung {order} bitte noch aus dem Auftrag nehmen?",
    ),
    "return_refund": (
        "ich möchte die {product} aus Bestellung {order} zurückschicken, sie passt nicht zu"
        " meiner Anlage.",
        "das gelieferte Teil aus Auftrag {order} ist beschädigt angekommen, ich möchte es"
        " zurückgeben.",
        "ich habe die Ware aus Bestellung {order} am {date} zurückgeschickt und warte noch auf"
        " die Erstattung von {amount}.",
        "wie läuft eine Rücksendung ab? Es geht um Bestellung {order}.",
        "bitte schicken Sie mir ein Retourenetikett für die Bestellung {order}.",
        "die Rückerstattung für meine Retoure zu Bestellung {order} ist immer noch nicht auf"
        " meinem Konto.",
        "falscher Artikel geliefert (Bestellnummer {order}) – ich will mein Geld zurück.",
        "die Gutschrift über {amount} zur Bestellung {order} fehlt mir noch.",
        "wir haben zu viele Teile aus Auftrag {order} bekommen und möchten den Rest zurückgeben.",
        "der {part} aus Bestellung {order} ist der falsche, ich schicke ihn zurück.",
    ),
    "invoice_copy": (
        "könnten Sie mir bitte eine Kopie der Rechnung {invoice} schicken?",
        "ich finde die Rechnung zu meiner Bestellung {order} nicht mehr, bitte noch einmal als"
        " PDF senden.",
        "für unsere Buchhaltung brauchen wir die Rechnung zu Auftrag {order} nochmals.",
        "bitte senden Sie mir die Rechnung {invoice} mit ausgewiesener Mehrwertsteuer.",
        "für das Finanzamt (Handwerkerleistungen) benötige ich eine Rechnungskopie zu"
        " Bestellung {order}.",
        "die Rechnung {invoice} ist bei uns nie angekommen.",
        "können Sie die Rechnung zur Bestellung {order} bitte auf unsere Firmenadresse ausstellen?",
        "ich brauche alle Rechnungen zu meinem Wartungsvertrag {contract} aus dem letzten Jahr.",
        "bitte schicken Sie mir ein Duplikat der Rechnung {invoice} für den Förderantrag.",
        "im Kundenportal kann ich die Rechnung {invoice} nicht herunterladen.",
    ),
    "payment_issue": (
        "von meinem Konto wurde für die Bestellung {order} zweimal {amount} abgebucht.",
        "ich habe eine Mahnung zur Rechnung {invoice} erhalten, obwohl ich am {date} bezahlt habe.",
        "die Zahlung per Lastschrift für Rechnung {invoice} ist fehlgeschlagen, was muss ich tun?",
        "der Betrag auf der Rechnung {invoice} stimmt nicht, es wurden {amount} zu viel berechnet.",
        "meine Kreditkartenzahlung im Shop wird immer abgelehnt.",
        "ich möchte die Rechnung {invoice} in Raten bezahlen, geht das?",
        "bitte ändern Sie die Bankverbindung für den Wartungsvertrag {contract}.",
        "wir haben die Rechnung {invoice} überwiesen, aber sie erscheint bei Ihnen als offen.",
        "warum wurde die Wartungsgebühr für {contract} doppelt eingezogen?",
        "auf der Rechnung {invoice} fehlt der vereinbarte Skonto von 3 %.",
    ),
    "password_reset": (
        "ich komme nicht mehr in mein Kundenkonto, das Passwort wird nicht akzeptiert.",
        "ich habe mein Passwort vergessen und die Mail zum Zurücksetzen kommt nicht an.",
        "der Link zum Zurücksetzen des Passworts ist angeblich abgelaufen.",
        "mein Konto ist nach mehreren Fehlversuchen gesperrt.",
        "wie kann ich das Passwort für das Kundenportal ändern?",
        "beim Login im Portal kommt immer „Benutzername oder Passwort falsch“.",
        "ich habe eine neue E-Mail-Adresse und kann mich deshalb nicht mehr einloggen.",
        "bitte setzen Sie mein Passwort zurück, Kundennummer {customer_no}.",
        "die Zwei-Faktor-Anmeldung funktioniert nach dem Handywechsel nicht mehr.",
        "ich kann mich seit dem {date} nicht mehr im Portal anmelden.",
    ),
    "address_change": (
        "wir sind umgezogen, die neue Adresse lautet {street}, {city}.",
        "bitte ändern Sie meine Lieferadresse für künftige Bestellungen auf {street}, {city}.",
        "meine Rechnungsadresse hat sich geändert: {street}, {city}.",
        "die Bestellung {order} soll bitte an eine andere Adresse gehen: {street}, {city}.",
        "ab dem {date} bin ich unter {street}, {city} zu erreichen.",
        "bitte passen Sie die Anschrift zu meinem Wartungsvertrag {contract} an, neue Adresse:"
        " {street}, {city}.",
        "unser Firmensitz ist umgezogen, bitte Stammdaten aktualisieren: {street}, {city}.",
        "ich habe geheiratet und heiße jetzt {name}, außerdem neue Adresse: {street}, {city}.",
        "kann ich die Lieferadresse für Auftrag {order} noch ändern?",
        "bitte tragen Sie als neue Anschrift {street}, {city} ein.",
    ),
    "contract_info": (
        "was genau ist in meinem Wartungsvertrag {contract} enthalten?",
        "wann ist die nächste Wartung laut Vertrag {contract} fällig?",
        "wie lange läuft mein Wartungsvertrag {contract} noch?",
        "sind Ersatzteile im Wartungsvertrag {contract} inbegriffen oder kommen die extra?",
        "ich möchte wissen, was der Vertrag {contract} im Jahr kostet und ob sich der Preis"
        " ändert.",
        "deckt mein Wartungsvertrag {contract} auch den Notdienst am Wochenende ab?",
        "können wir den Vertrag {contract} auf ein zweites Gerät (Seriennummer {serial})"
        " erweitern?",
        "ich finde meine Vertragsunterlagen zum Wartungsvertrag {contract} nicht mehr.",
        "gilt der Wartungsvertrag {contract} auch für die neue {product}?",
        "welche Leistungen hat der Premium-Wartungsvertrag im Vergleich zu meinem {contract}?",
    ),
    "contract_cancellation": (
        "hiermit kündige ich meinen Wartungsvertrag {contract} fristgerecht zum"
        " nächstmöglichen Termin.",
        "bitte kündigen Sie den Wartungsvertrag {contract}, wir haben das Haus verkauft.",
        "ich möchte den Vertrag {contract} zum {date} beenden.",
        "wie ist die Kündigungsfrist für den Wartungsvertrag {contract}?",
        "nach dem Austausch der Anlage brauchen wir den Vertrag {contract} nicht mehr.",
        "ich kündige den Wartungsvertrag {contract} außerordentlich, die Wartungen wurden nicht"
        " durchgeführt.",
        "wir wechseln zu einem örtlichen Installateur und kündigen daher {contract}.",
        "bitte beenden Sie die automatische Verlängerung meines Wartungsvertrags {contract}.",
        "meine Mutter ist verstorben, bitte den Wartungsvertrag {contract} auflösen.",
        "den Wartungsvertrag {contract} für die Anlage {serial} möchte ich kündigen.",
    ),
    "repair_status": (
        "unser Gerät (Seriennummer {serial}) ist seit {days} Tagen bei Ihnen in der Reparatur,"
        " wie ist der Stand?",
        "der Techniker war am {date} da und wollte ein Ersatzteil bestellen, seitdem höre ich"
        " nichts.",
        "wann ist die Reparatur der {product} abgeschlossen?",
        "gibt es Neuigkeiten zur Reparatur meiner Wärmepumpe {serial}?",
        "der Reparaturauftrag {order} ist immer noch offen.",
        "das Steuermodul aus unserer Anlage {serial} wurde eingeschickt – wann kommt es zurück?",
        "können Sie mir sagen, wann der Techniker für die Reparatur wiederkommt?",
        "ist das Ersatzteil ({part}) für die Reparatur unserer {product} inzwischen eingetroffen?",
        "die Reparatur unter Garantie für Gerät {serial} zieht sich jetzt schon sehr lange.",
        "wie weit ist die Instandsetzung unserer {product} mit der Seriennummer {serial}?",
    ),
    "maintenance_appointment": (
        "ich möchte einen Termin für die jährliche Wartung meiner {product} vereinbaren.",
        "laut Wartungsvertrag {contract} ist die Wartung fällig, wann könnte ein Techniker kommen?",
        "können wir den Wartungstermin am {date} verschieben? Da bin ich leider nicht da.",
        "bitte einen Wartungstermin für die Anlage mit Seriennummer {serial}.",
        "der für den {date} vereinbarte Wartungstermin passt mir nicht mehr.",
        "wir hätten gern die Wartung noch vor Beginn der Heizperiode.",
        "hat der Techniker für die Wartung am {date} schon eine Uhrzeit?",
        "für drei Anlagen unserer Kunden brauchen wir Inbetriebnahme- und Wartungstermine.",
        "ist eine Wartung auch am Samstag möglich?",
        "die Wartung für {contract} wurde dieses Jahr noch nicht gemacht, bitte Termin"
        " vorschlagen.",
    ),
    "device_fault": (
        "unsere Wärmepumpe ({product}, Seriennummer {serial}) zeigt seit heute Morgen {error}"
        " und heizt nicht mehr.",
        "die Heizung ist ausgefallen, im Display steht {error}.",
        "seit gestern kein Warmwasser mehr, die Anlage {serial} meldet {error}.",
        "die Außeneinheit macht extrem laute Geräusche und schaltet dann ab.",
        "nach einem Stromausfall startet die {product} nicht mehr, Anzeige: {error}.",
        "der Kessel taktet ständig und die Räume werden nicht warm.",
        "die Wärmepumpe vereist komplett und zeigt {error}.",
        "bei unserem Kunden steht eine {product} (SN {serial}) mit {error}, Reset hilft nicht.",
        "aus dem Gerät {serial} tropft Wasser und es riecht verbrannt.",
        "die App zeigt für meine Anlage {serial} den Status „Störung“ mit Code {error_code}.",
        "der Heizkessel geht immer wieder auf Störung, Fehlermeldung {error_code}.",
    ),
    "product_info": (
        "welche Wärmepumpe empfehlen Sie für ein Einfamilienhaus mit 140 m² Wohnfläche?",
        "ist die {product} mit einer Photovoltaikanlage kombinierbar?",
        "wie laut ist die Außeneinheit der {product}?",
        "gibt es für die {product} eine staatliche Förderung?",
        "ist das Ersatzteil {part} noch lieferbar und was kostet es?",
        "welche Vorlauftemperatur schafft die {product}?",
        "kann ich die {product} per App steuern?",
        "haben Sie ein Datenblatt zur {product}?",
        "passt der {part} auch in die ältere Baureihe?",
        "was ist der Unterschied zwischen der AeroTherm und der GeoTherm?",
    ),
    "complaint": (
        "ich bin mit Ihrem Service äußerst unzufrieden.",
        "zum dritten Mal wurde der vereinbarte Termin ohne Absage nicht eingehalten.",
        "der Techniker hat bei der Wartung am {date} Dreck hinterlassen und eine Fliese"
        " beschädigt.",
        "seit Wochen warte ich auf einen Rückruf, niemand meldet sich.",
        "die Hotline ist ständig besetzt und per Mail bekommt man keine Antwort.",
        "für die Reparatur wurden {amount} berechnet, obwohl das Gerät noch Garantie hat.",
        "die neue {product} ist lauter als im Prospekt versprochen, die Nachbarn beschweren sich.",
        "die Lieferung zu Bestellung {order} kam beschädigt an und niemand fühlt sich zuständig.",
        "so einen schlechten Kundenservice habe ich noch nie erlebt.",
        "Ihr Monteur war unfreundlich und hat die Arbeit nicht zu Ende gebracht.",
    ),
    "praise": (
        "ich möchte mich herzlich für den schnellen Einsatz Ihres Technikers bedanken.",
        "die Wartung am {date} lief super, der Monteur war sehr freundlich und sauber.",
        "vielen Dank für die schnelle Lieferung der Bestellung {order}.",
        "unsere neue {product} läuft seit Monaten einwandfrei – wir sind begeistert.",
        "ein großes Lob an Ihre Hotline, mir wurde sofort geholfen.",
        "Ihr Techniker hat uns am Wochenende aus der Patsche geholfen.",
        "die Beratung zur {product} war top.",
        "als Fachbetrieb arbeiten wir gern mit Ihnen zusammen, die Ersatzteilversorgung klappt"
        " hervorragend.",
        "danke, dass die Störung so schnell behoben wurde.",
        "ein dickes Dankeschön an Ihr Team für die unkomplizierte Abwicklung.",
    ),
    "other": (
        "haben Sie auch Stellenangebote für Heizungsbauer?",
        "ich möchte mich von Ihrem Newsletter abmelden.",
        "können Sie mir die Öffnungszeiten Ihrer Niederlassung sagen?",
        "wir sind ein Installationsbetrieb und möchten Fachpartner werden.",
        "ich habe eine allgemeine Frage zu Ihrem Unternehmen.",
        "bieten Sie auch Schulungen für Installateure an?",
        "gibt es bei Ihnen Werksbesichtigungen?",
        "ich suche einen Ansprechpartner für Kooperationen.",
        "nehmen Sie alte Heizkessel zur Entsorgung zurück?",
        "sponsern Sie auch Vereine aus der Region?",
    ),
}

ASKS: dict[str, tuple[str, ...]] = {
    "order_status": (
        "Können Sie mir bitte den aktuellen Status mitteilen?",
        "Gibt es eine Sendungsnummer, mit der ich das verfolgen kann?",
        "Bitte geben Sie mir kurz Bescheid.",
        "Ich bräuchte die Info, um den Termin mit dem Monteur zu planen.",
        "Über eine kurze Rückmeldung würde ich mich freuen.",
    ),
    "delivery_date": (
        "Vormittags bin ich leider nicht erreichbar.",
        "Bitte nennen Sie mir ein konkretes Datum.",
        "Eine Lieferung vor dem Wochenende wäre ideal.",
        "Danke für eine kurze Info.",
        "Ohne die Teile kann die Anlage nicht in Betrieb gehen.",
    ),
    "order_cancellation": (
        "Bitte bestätigen Sie mir die Stornierung schriftlich.",
        "Den bereits bezahlten Betrag von {amount} bitte zurück auf mein Konto.",
        "Können Sie mir kurz bestätigen, dass nichts mehr rausgeht?",
        "Vielen Dank für die schnelle Bearbeitung.",
    ),
    "return_refund": (
        "Bitte überweisen Sie den Betrag auf das hinterlegte Konto.",
        "Wie lange dauert die Erstattung normalerweise?",
        "Muss ich die Originalverpackung verwenden?",
        "Ich bitte um eine kurze Bestätigung.",
    ),
    "invoice_copy": (
        "Am liebsten per E-Mail als PDF.",
        "Vielen Dank im Voraus.",
        "Das wäre bis Ende der Woche wichtig.",
        "Eine Kopie per Post wäre auch in Ordnung.",
    ),
    "payment_issue": (
        "Bitte erstatten Sie den zu viel gezahlten Betrag umgehend.",
        "Bitte prüfen Sie das und melden Sie sich.",
        "Ich möchte keine weiteren Mahngebühren zahlen.",
        "Einen Kontoauszug kann ich gern schicken.",
    ),
    "password_reset": (
        "Bitte schicken Sie mir einen neuen Link.",
        "Ich muss dringend eine Rechnung herunterladen.",
        "Im Spam-Ordner habe ich schon nachgesehen.",
        "Danke für die Hilfe.",
    ),
    "address_change": (
        "Bitte bestätigen Sie die Änderung kurz.",
        "Die Kundennummer ist {customer_no}.",
        "Das Gerät bleibt am alten Standort, nur die Rechnungsadresse ändert sich.",
        "Vielen Dank.",
    ),
    "contract_info": (
        "Bitte schicken Sie mir die Vertragsbedingungen.",
        "Eine kurze Übersicht per Mail reicht mir.",
        "Danke im Voraus für die Auskunft.",
        "Meine Kundennummer ist {customer_no}.",
    ),
    "contract_cancellation": (
        "Bitte bestätigen Sie mir die Kündigung und das Vertragsende schriftlich.",
        "Die Lastschrift bitte ab sofort einstellen.",
        "Kundennummer: {customer_no}.",
        "Danke.",
    ),
    "repair_status": (
        "Bitte geben Sie mir einen realistischen Termin.",
        "Wir brauchen die Heizung bald wieder.",
        "Über eine Rückmeldung würde ich mich freuen.",
        "Fallen dafür Kosten an?",
    ),
    "maintenance_appointment": (
        "Am besten passt mir dienstags oder donnerstags nachmittags.",
        "Bitte rufen Sie mich vorher kurz an.",
        "Wir sind ab 8 Uhr zu Hause.",
        "Danke für die Terminvorschläge.",
    ),
    "device_fault": (
        "Bitte schicken Sie schnellstmöglich einen Techniker.",
        "Was kann ich selbst tun, bis jemand kommt?",
        "Wir haben ein Baby im Haus, es wird langsam kalt.",
        "Ist das ein Garantiefall?",
        "Gibt es eine Notdienstnummer?",
    ),
    "product_info": (
        "Über ein Angebot würde ich mich freuen.",
        "Vielen Dank für die Beratung.",
        "Gerne auch telefonisch.",
        "Wir planen den Einbau im Frühjahr.",
    ),
    "complaint": (
        "Ich erwarte eine Stellungnahme.",
        "Ich möchte mit einem Vorgesetzten sprechen.",
        "Bitte sorgen Sie dafür, dass das nicht wieder vorkommt.",
        "Ich erwarte eine Entschädigung.",
    ),
    "praise": (
        "Weiter so!",
        "Bitte richten Sie das auch dem Team aus.",
        "Wir empfehlen Sie gern weiter.",
        "Das wollte ich einfach mal loswerden.",
    ),
    "other": (
        "Danke für eine kurze Antwort.",
        "Ich freue mich auf Ihre Rückmeldung.",
        "Gern auch per Telefon.",
        "Besten Dank.",
    ),
}

# Installers write about several orders at once; used for order-related intents.
B2B_CORES: dict[str, tuple[str, ...]] = {
    "order_status": (
        "für mehrere Baustellen warten wir noch auf folgende Bestellungen: {order}, {order2}"
        " und {order3}.",
        "können Sie uns den Stand zu den Aufträgen {order}, {order2} und {order3} durchgeben?",
        "bei uns sind drei Bestellungen offen (Nr. {order}, Nr. {order2}, Nr. {order3}), die"
        " Monteure stehen bereit.",
    ),
    "delivery_date": (
        "bitte Liefertermine für unsere Bestellungen {order}, {order2} und {order3} nennen,"
        " wir müssen die Baustellen planen.",
        "die Aufträge {order} und {order2} sollten diese Woche kommen, dazu noch Bestellung"
        " {order3}.",
    ),
    "invoice_copy": (
        "unsere Buchhaltung vermisst die Rechnungen zu den Bestellungen {order}, {order2} und"
        " {order3}.",
        "bitte Rechnungskopien zu den Aufträgen {order}, {order2} und {order3} an"
        " buchhaltung@{company_domain} senden.",
    ),
    "return_refund": (
        "von den Aufträgen {order} und {order2} gehen Restteile zurück, außerdem fehlt noch die"
        " Gutschrift zu Bestellung {order3}.",
    ),
}

GREETINGS_FORMAL = (
    "Sehr geehrte Damen und Herren,",
    "Sehr geehrtes Service-Team,",
    "Sehr geehrte Damen und Herren der Firma Brenner,",
    "Guten Tag,",
    "Guten Tag zusammen,",
)
GREETINGS_INFORMAL = (
    "Hallo zusammen,",
    "Hallo,",
    "Hallo Brenner-Team,",
    "Moin,",
    "Servus,",
    "Grüß Gott,",
    "Hi,",
)
CLOSINGS_FORMAL = (
    "Mit freundlichen Grüßen",
    "Freundliche Grüße",
    "Mit besten Grüßen",
    "Hochachtungsvoll",
)
CLOSINGS_INFORMAL = ("Viele Grüße", "Gruß", "LG", "Danke und Gruß", "Beste Grüße", "VG")

EMOTION_OPENERS: dict[str, tuple[str, ...]] = {
    "angry": (
        "Ich bin wirklich verärgert.",
        "Das ist jetzt schon das zweite Mal!",
        "Langsam reicht es mir.",
        "Ich bin stinksauer.",
        "So geht das nicht weiter.",
    ),
    "worried": (
        "Ich mache mir ehrlich gesagt Sorgen.",
        "Das beunruhigt mich ziemlich.",
        "Ich bin etwas ratlos und hoffe auf Ihre Hilfe.",
    ),
    "grateful": (
        "Erst einmal danke für die bisher gute Betreuung.",
        "Sie haben mir schon einmal toll geholfen, daher wende ich mich wieder an Sie.",
        "Ich bin sehr zufrieden mit Ihnen, deshalb zuerst ein Dankeschön.",
    ),
}
LEGAL_THREATS = (
    "Sollte ich bis zum {date} nichts von Ihnen hören, schalte ich meinen Anwalt ein.",
    "Ich behalte mir rechtliche Schritte ausdrücklich vor.",
    "Andernfalls wende ich mich an die Verbraucherzentrale.",
    "Ich setze Ihnen hiermit eine Frist von 14 Tagen.",
)
CANCELLATION_THREATS = (
    "Wenn sich nichts ändert, kündige ich meinen Wartungsvertrag.",
    "Dann bestelle ich künftig woanders.",
    "Als Fachbetrieb überlegen wir ernsthaft, den Lieferanten zu wechseln.",
)
URGENCY = (
    "Es ist dringend!",
    "Bitte um schnelle Rückmeldung, es eilt.",
    "DRINGEND – wir sitzen im Kalten.",
    "Bitte heute noch melden!",
)
MOBILE_FOOTERS = ("Von meinem iPhone gesendet", "Gesendet von meinem Smartphone", "Von unterwegs")

SUBJECTS: dict[str, tuple[str, ...]] = {
    "order_status": ("Bestellung {order}", "Status meiner Bestellung", "Frage zu Auftrag {order}"),
    "delivery_date": ("Liefertermin Bestellung {order}", "Wann kommt meine Lieferung?"),
    "order_cancellation": ("Stornierung Bestellung {order}", "Widerruf"),
    "return_refund": ("Rücksendung {order}", "Erstattung fehlt", "Retoure"),
    "invoice_copy": ("Rechnungskopie", "Rechnung {invoice}", "Bitte Rechnung senden"),
    "payment_issue": ("Doppelte Abbuchung", "Mahnung {invoice}", "Zahlung"),
    "password_reset": ("Passwort vergessen", "Login geht nicht", "Kundenkonto gesperrt"),
    "address_change": ("Adressänderung", "Neue Anschrift", "Umzug"),
    "contract_info": ("Frage zum Wartungsvertrag {contract}", "Wartungsvertrag"),
    "contract_cancellation": ("Kündigung {contract}", "Kündigung Wartungsvertrag"),
    "repair_status": ("Reparatur {serial}", "Stand der Reparatur", "Reparaturauftrag"),
    "maintenance_appointment": ("Wartungstermin", "Termin Wartung {contract}"),
    "device_fault": ("Störung {error_code}", "Heizung ausgefallen!", "Wärmepumpe defekt"),
    "product_info": ("Anfrage {product}", "Frage zu Ihren Produkten", "Produktanfrage"),
    "complaint": ("Beschwerde", "Unzumutbar", "Reklamation"),
    "praise": ("Dankeschön", "Lob", "Großes Lob an Ihr Team"),
    "other": ("Anfrage", "Allgemeine Frage", "Kurze Frage"),
}

QUOTE_HEADER_GMAIL = (
    "Am {date} um {time} schrieb Brenner Service <service@brenner-waermetechnik.example.de>:"
)
QUOTE_HEADER_OUTLOOK = (
    "-----Ursprüngliche Nachricht-----\n"
    "Von: Brenner Service <service@brenner-waermetechnik.example.de>\n"
    "Gesendet: {weekday}, {date} {time}\n"
    "An: {email}\n"
    "Betreff: {subject}"
)
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
ERRORS = ("Fehler {code}", "Störung {code}", "Fehlercode {code}", "die Meldung {code}")

# Agent replies for the case history: one body per intent, plus shared frames.
REPLIES: dict[str, tuple[str, ...]] = {
    "order_status": (
        "Ihre Bestellung {order} wurde am {date} versendet. Die Sendungsnummer lautet {tracking}.",
        "Ihre Bestellung {order} ist in Bearbeitung und verlässt voraussichtlich am {date}"
        " unser Lager.",
    ),
    "delivery_date": (
        "die Lieferung zu Bestellung {order} ist für den {date} geplant. Die Spedition meldet"
        " sich vorab telefonisch.",
        "der Artikel aus Bestellung {order} ist ab dem {date} wieder auf Lager; wir liefern"
        " umgehend danach.",
    ),
    "order_cancellation": (
        "wir haben Ihre Bestellung {order} storniert. Bereits gezahlte Beträge erstatten wir"
        " innerhalb von 14 Tagen.",
        "leider ist die Bestellung {order} bereits unterwegs. Sie können die Annahme verweigern"
        " oder die Ware kostenfrei zurücksenden.",
    ),
    "return_refund": (
        "Ihr Retourenetikett für Bestellung {order} finden Sie im Anhang. Nach Eingang erstatten"
        " wir {amount}.",
        "die Erstattung über {amount} zu Bestellung {order} wurde am {date} angewiesen.",
    ),
    "invoice_copy": (
        "anbei erhalten Sie die gewünschte Rechnungskopie {invoice} als PDF.",
        "die Rechnung {invoice} steht ab sofort auch in Ihrem Kundenportal zum Download bereit.",
    ),
    "payment_issue": (
        "wir haben die doppelte Abbuchung geprüft und erstatten {amount} auf Ihr Konto.",
        "Ihre Zahlung zur Rechnung {invoice} ist eingegangen; die Mahnung ist damit"
        " gegenstandslos.",
    ),
    "password_reset": (
        "wir haben Ihnen soeben einen neuen Link zum Zurücksetzen des Passworts geschickt; er"
        " ist 24 Stunden gültig.",
        "Ihr Kundenkonto ist wieder entsperrt. Bitte vergeben Sie über „Passwort vergessen“ ein"
        " neues Passwort.",
    ),
    "address_change": (
        "wir haben Ihre neue Anschrift {street}, {city} in unserem System hinterlegt.",
        "die Lieferadresse für Bestellung {order} wurde geändert.",
    ),
    "contract_info": (
        "Ihr Wartungsvertrag {contract} umfasst die jährliche Wartung inklusive Verschleißteilen"
        " und den Notdienst zu vergünstigten Konditionen.",
        "die nächste Wartung zu Ihrem Vertrag {contract} ist für den {date} vorgesehen.",
    ),
    "contract_cancellation": (
        "wir bestätigen die Kündigung Ihres Wartungsvertrags {contract} zum {date}.",
        "schade, dass Sie uns verlassen. Ihr Vertrag {contract} endet zum {date}.",
    ),
    "repair_status": (
        "das Ersatzteil für Ihr Gerät {serial} ist eingetroffen; unser Techniker kommt am {date}.",
        "die Reparatur Ihres Geräts {serial} ist abgeschlossen, es wird am {date} zurückgeschickt.",
    ),
    "maintenance_appointment": (
        "wir haben für Ihre Wartung den {date} zwischen 8 und 12 Uhr reserviert.",
        "gern verschieben wir den Termin; neuer Termin ist der {date}.",
    ),
    "device_fault": (
        "die Meldung {error_code} deutet auf einen Fehler am Verdichter hin. Unser Techniker"
        " ist am {date} bei Ihnen.",
        "bitte schalten Sie die Anlage für 30 Sekunden stromlos. Besteht {error_code} weiter,"
        " schicken wir einen Techniker.",
    ),
    "product_info": (
        "für Ihr Haus empfehlen wir die {product}. Ein Datenblatt liegt bei.",
        "die {product} ist förderfähig; gern erstellen wir Ihnen ein Angebot.",
    ),
    "complaint": (
        "es tut uns sehr leid, dass Sie enttäuscht wurden. Ihre Teamleitung meldet sich"
        " bis zum {date} persönlich bei Ihnen.",
        "wir haben Ihre Beschwerde aufgenommen und den Vorgang an die Teamleitung gegeben.",
    ),
    "praise": (
        "vielen Dank für Ihre freundlichen Worte, wir haben sie an das Team weitergegeben.",
    ),
    "other": (
        "vielen Dank für Ihre Nachricht; wir haben sie an die zuständige Abteilung weitergeleitet.",
    ),
}
REPLY_GREETINGS = ("Sehr geehrte/r {full_name},", "Guten Tag {full_name},", "Hallo {first_name},")
REPLY_CLOSINGS = (
    "Mit freundlichen Grüßen\n{agent}\nBrenner Wärmetechnik GmbH – Kundenservice",
    "Viele Grüße\n{agent}\nIhr Brenner-Serviceteam",
)
