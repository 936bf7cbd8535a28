"""English phrase bank (same structure and slots as :mod:`.de`; cores start capitalised)."""

from __future__ import annotations

CORES: dict[str, tuple[str, ...]] = {
    "order_status": (
        "I placed order {order} on {date} and haven't heard anything since.",
        "Could you tell me the current status of my order {order}?",
        "My order number {order} still shows as 'processing' in my account.",
        "Has order #{order} been shipped yet?",
        "I'm still waiting for the spare parts from order {order} ({part}).",
        "I never received a shipping confirmation for order {order}.",
        "Where is my order {order}? I placed it on {date}.",
        "I ordered a {product} {days} days ago. Where is my order {order}?",
    ),
    "delivery_date": (
        "When will the {product} from order {order} be delivered?",
        "Can you give me a delivery date for order {order}?",
        "According to the confirmation, order {order} should have arrived on {date}.",
        "The installer is coming on {date}, so I need the goods from order number {order}"
        " before then.",
        "Tracking for order {order} hasn't updated in days.",
        "Is the {product} (order {order}) in stock, or how long is the lead time?",
    ),
    "order_cancellation": (
        "I would like to cancel my order {order}.",
        "Please cancel order #{order}, I ordered the wrong part by mistake.",
        "I accidentally ordered twice, please cancel order number {order}.",
        "Is it still possible to cancel order {order}? It hasn't shipped yet.",
        "We no longer need the {product} from order {order}.",
        "I hereby withdraw from the purchase, order {order}.",
    ),
    "return_refund": (
        "I'd like to return the {product} from order {order}, it doesn't fit my system.",
        "The part from order {order} arrived damaged and I want to send it back.",
        "I returned order {order} on {date} and I'm still waiting for my refund of {amount}.",
        "Could you send me a return label for order {order}?",
        "Wrong item delivered on order {order} - I want my money back.",
        "The credit note of {amount} for order {order} is still missing.",
    ),
    "invoice_copy": (
        "Could you please send me a copy of invoice {invoice}?",
        "I can't find the invoice for order {order}, please resend it as a PDF.",
        "Our accounts department needs the invoice for order {order} again.",
        "Invoice {invoice} never reached us.",
        "I need all invoices for my maintenance contract {contract} from last year.",
        "I can't download invoice {invoice} in the customer portal.",
    ),
    "payment_issue": (
        "I was charged {amount} twice for order {order}.",
        "I received a payment reminder for invoice {invoice} although I paid on {date}.",
        "The direct debit for invoice {invoice} failed, what should I do?",
        "The amount on invoice {invoice} is wrong, I was overcharged by {amount}.",
        "My credit card keeps getting declined in your shop.",
        "We transferred the money for invoice {invoice} but it still shows as unpaid.",
    ),
    "password_reset": (
        "I can't log into my customer account any more, my password isn't accepted.",
        "I forgot my password and the reset email never arrives.",
        "The password reset link says it has expired.",
        "My account has been locked after several failed attempts.",
        "Please reset my password, customer number {customer_no}.",
        "How do I change the password for the customer portal?",
    ),
    "address_change": (
        "We have moved, the new address is {street}, {city}.",
        "Please update my delivery address to {street}, {city}.",
        "My billing address has changed: {street}, {city}.",
        "Order {order} should go to a different address please: {street}, {city}.",
        "Can I still change the delivery address for order {order}?",
        "Please update the address on maintenance contract {contract} to {street}, {city}.",
    ),
    "contract_info": (
        "What exactly does my maintenance contract {contract} cover?",
        "When is the next service due under contract {contract}?",
        "How long does my maintenance contract {contract} run?",
        "Are spare parts included in maintenance contract {contract}?",
        "Does contract {contract} include weekend emergency call-outs?",
        "Can we add a second unit (serial number {serial}) to contract {contract}?",
    ),
    "contract_cancellation": (
        "I hereby cancel my maintenance contract {contract} at the next possible date.",
        "Please cancel maintenance contract {contract}, we have sold the house.",
        "I want to end contract {contract} as of {date}.",
        "What is the notice period for maintenance contract {contract}?",
        "Please stop the automatic renewal of my maintenance contract {contract}.",
        "We replaced the system, so we no longer need contract {contract}.",
    ),
    "repair_status": (
        "Our unit (serial number {serial}) has been with you for repair for {days} days, any news?",
        "The technician came on {date} and wanted to order a spare part, I've heard nothing since.",
        "When will the repair of my {product} be finished?",
        "Is there an update on the repair of heat pump {serial}?",
        "Has the spare part ({part}) for our repair arrived yet?",
        "The warranty repair for unit {serial} is taking very long.",
    ),
    "maintenance_appointment": (
        "I'd like to book the annual service for my {product}.",
        "Service is due under contract {contract}, when could a technician come?",
        "Can we move the service appointment on {date}? I won't be home.",
        "Please book a maintenance visit for the unit with serial number {serial}.",
        "Is a service visit possible on a Saturday?",
        "We'd like the maintenance done before the heating season starts.",
    ),
    "device_fault": (
        "Our heat pump ({product}, serial {serial}) has shown {error} since this morning and"
        " isn't heating.",
        "The heating has stopped working, the display shows {error}.",
        "No hot water since yesterday, unit {serial} reports {error}.",
        "The outdoor unit makes a very loud noise and then switches off.",
        "After a power cut the {product} won't start, display: {error}.",
        "Water is dripping from unit {serial} and there's a burning smell.",
    ),
    "product_info": (
        "Which heat pump would you recommend for a 140 m² detached house?",
        "Can the {product} be combined with solar panels?",
        "How loud is the outdoor unit of the {product}?",
        "Is the spare part {part} still available and what does it cost?",
        "Do you have a data sheet for the {product}?",
        "Can the {product} be controlled with an app?",
    ),
    "complaint": (
        "I am extremely unhappy with your service.",
        "For the third time the agreed appointment was missed without notice.",
        "The technician left a mess during the service on {date} and damaged a tile.",
        "I've been waiting weeks for a call back and nobody gets in touch.",
        "You charged {amount} for a repair although the unit is still under warranty.",
        "The delivery for order {order} arrived damaged and nobody feels responsible.",
    ),
    "praise": (
        "I just wanted to say thank you for the quick help from your technician.",
        "The service on {date} went perfectly, the engineer was friendly and tidy.",
        "Many thanks for the fast delivery of order {order}.",
        "Our new {product} has been running flawlessly for months - we love it.",
        "Big compliments to your hotline, they helped me straight away.",
        "Thanks for fixing the fault so quickly.",
    ),
    "other": (
        "Do you have any job openings for heating engineers?",
        "Please unsubscribe me from your newsletter.",
        "What are the opening hours of your branch?",
        "We are an installation company and would like to become a partner.",
        "Do you offer training courses for installers?",
        "I'm looking for a contact person for a cooperation.",
    ),
}

ASKS: dict[str, tuple[str, ...]] = {
    "order_status": (
        "Could you let me know the current status?",
        "Is there a tracking number?",
        "Thanks for a quick update.",
    ),
    "delivery_date": (
        "Please give me a specific date.",
        "I'm not at home in the mornings.",
        "Without the parts the system can't be commissioned.",
    ),
    "order_cancellation": (
        "Please confirm the cancellation in writing.",
        "Please refund the {amount} I already paid.",
        "Thanks for handling this quickly.",
    ),
    "return_refund": (
        "Please refund the amount to my account.",
        "How long does a refund usually take?",
        "Please confirm.",
    ),
    "invoice_copy": (
        "A PDF by email would be best.",
        "Thanks in advance.",
        "We need it by the end of the week.",
    ),
    "payment_issue": (
        "Please refund the overpayment immediately.",
        "Please look into this and get back to me.",
        "I don't want to pay any more late fees.",
    ),
    "password_reset": (
        "Please send me a new link.",
        "I've already checked my spam folder.",
        "Thanks for your help.",
    ),
    "address_change": (
        "Please confirm the change.",
        "My customer number is {customer_no}.",
        "Thank you.",
    ),
    "contract_info": (
        "Please send me the terms and conditions.",
        "A short summary by email is fine.",
        "My customer number is {customer_no}.",
    ),
    "contract_cancellation": (
        "Please confirm the cancellation and end date in writing.",
        "Please stop the direct debit.",
        "Customer number: {customer_no}.",
    ),
    "repair_status": (
        "Please give me a realistic date.",
        "We need the heating back soon.",
        "Will there be any costs?",
    ),
    "maintenance_appointment": (
        "Tuesday or Thursday afternoons work best for me.",
        "Please call me beforehand.",
        "Thanks for suggesting some dates.",
    ),
    "device_fault": (
        "Please send a technician as soon as possible.",
        "What can I do myself until someone comes?",
        "Is this covered by the warranty?",
    ),
    "product_info": (
        "I'd appreciate a quote.",
        "Thanks for your advice.",
        "We're planning the installation in spring.",
    ),
    "complaint": (
        "I expect a response.",
        "I want to speak to a manager.",
        "I expect compensation.",
    ),
    "praise": (
        "Keep up the good work!",
        "Please pass this on to the team.",
        "We'll recommend you.",
    ),
    "other": ("Thanks for a short reply.", "I look forward to hearing from you.", "Best regards."),
}

B2B_CORES: dict[str, tuple[str, ...]] = {
    "order_status": (
        "We are still waiting for orders {order}, {order2} and {order3} for several job sites.",
        "Could you give us an update on orders {order}, {order2} and {order3}?",
    ),
    "delivery_date": ("Please send delivery dates for our orders {order}, {order2} and {order3}.",),
    "invoice_copy": (
        "Our accounts team is missing the invoices for orders {order}, {order2} and {order3}.",
    ),
    "return_refund": (
        "Leftover parts from orders {order} and {order2} are coming back, and the credit for"
        " order {order3} is still missing.",
    ),
}

GREETINGS_FORMAL = ("Dear Sir or Madam,", "Dear Brenner service team,", "Good morning,")
GREETINGS_INFORMAL = ("Hi,", "Hello,", "Hi there,", "Hello team,")
CLOSINGS_FORMAL = ("Kind regards,", "Best regards,", "Yours faithfully,", "Sincerely,")
CLOSINGS_INFORMAL = ("Cheers,", "Thanks,", "Best,", "Regards,")

EMOTION_OPENERS: dict[str, tuple[str, ...]] = {
    "angry": (
        "I'm really annoyed.",
        "This is the second time already!",
        "I've had enough of this.",
        "This is unacceptable.",
    ),
    "worried": ("I'm honestly quite worried.", "This is really concerning me."),
    "grateful": (
        "First of all, thanks for your great support so far.",
        "You helped me a lot last time, so I'm writing to you again.",
    ),
}
LEGAL_THREATS = (
    "If I don't hear from you by {date}, I will involve my lawyer.",
    "I reserve the right to take legal action.",
    "Otherwise I will contact the consumer protection agency.",
)
CANCELLATION_THREATS = (
    "If nothing changes, I'll cancel my maintenance contract.",
    "Otherwise I'll order elsewhere in future.",
)
URGENCY = ("This is urgent!", "Please reply quickly, it's urgent.", "URGENT - we have no heating.")
MOBILE_FOOTERS = ("Sent from my iPhone", "Sent from my Android phone")

SUBJECTS: dict[str, tuple[str, ...]] = {
    "order_status": ("Order {order}", "Status of my order"),
    "delivery_date": ("Delivery date order {order}", "When will my delivery arrive?"),
    "order_cancellation": ("Cancel order {order}", "Cancellation"),
    "return_refund": ("Return {order}", "Refund missing"),
    "invoice_copy": ("Invoice copy", "Invoice {invoice}"),
    "payment_issue": ("Charged twice", "Payment reminder {invoice}"),
    "password_reset": ("Forgot password", "Can't log in"),
    "address_change": ("Change of address", "New address"),
    "contract_info": ("Question about contract {contract}", "Maintenance contract"),
    "contract_cancellation": ("Cancellation {contract}", "Cancel maintenance contract"),
    "repair_status": ("Repair {serial}", "Repair status"),
    "maintenance_appointment": ("Service appointment", "Maintenance visit"),
    "device_fault": ("Fault {error_code}", "Heating broken!", "Heat pump not working"),
    "product_info": ("Enquiry {product}", "Product question"),
    "complaint": ("Complaint", "Very disappointed"),
    "praise": ("Thank you", "Great service"),
    "other": ("Enquiry", "General question"),
}

QUOTE_HEADER_GMAIL = (
    "On {weekday}, {date} at {time}, Brenner Service"
    " <service@brenner-waermetechnik.example.de> wrote:"
)
QUOTE_HEADER_OUTLOOK = (
    "-----Original Message-----\n"
    "From: Brenner Service <service@brenner-waermetechnik.example.de>\n"
    "Sent: {weekday}, {date} {time}\n"
    "To: {email}\n"
    "Subject: {subject}"
)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ERRORS = ("error {code}", "fault code {code}", "the message {code}")

REPLIES: dict[str, tuple[str, ...]] = {
    "order_status": (
        "your order {order} was shipped on {date}. The tracking number is {tracking}.",
        "your order {order} is being processed and should leave our warehouse on {date}.",
    ),
    "delivery_date": ("delivery of order {order} is planned for {date}.",),
    "order_cancellation": ("we have cancelled your order {order}.",),
    "return_refund": ("the refund of {amount} for order {order} was issued on {date}.",),
    "invoice_copy": ("please find attached a copy of invoice {invoice}.",),
    "payment_issue": ("we have checked the double charge and will refund {amount}.",),
    "password_reset": ("we have just sent you a new password reset link, valid for 24 hours.",),
    "address_change": ("we have updated your address to {street}, {city}.",),
    "contract_info": ("your maintenance contract {contract} includes one service visit a year.",),
    "contract_cancellation": ("we confirm the cancellation of contract {contract} as of {date}.",),
    "repair_status": (
        "the spare part for unit {serial} has arrived; our technician comes on {date}.",
    ),
    "maintenance_appointment": ("we have booked your service visit for {date}, 8 am to noon.",),
    "device_fault": (
        "code {error_code} points to a compressor fault; a technician will visit on {date}.",
    ),
    "product_info": ("for your house we recommend the {product}; the data sheet is attached.",),
    "complaint": ("we are very sorry. Your team lead will contact you personally by {date}.",),
    "praise": ("thank you for your kind words, we have passed them on to the team.",),
    "other": ("thank you for your message; we have forwarded it to the right department.",),
}
REPLY_GREETINGS = ("Dear {full_name},", "Hello {first_name},")
REPLY_CLOSINGS = (
    "Kind regards\n{agent}\nBrenner Wärmetechnik GmbH - Customer Service",
    "Best regards\n{agent}\nBrenner service team",
)
