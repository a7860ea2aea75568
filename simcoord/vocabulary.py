"""The event log's vocabulary: the words every layer shares, defined once and importing nothing.

A row of the log is ``(id, kind, time, activity, department, staff, attributes...)``. ``kind``
is one of :data:`KINDS`; ``activity`` one of the names listed for that kind below (a lead's
activities also include the funnel's stage names, which come from the scenario). ``time`` is
in clock hours since the scenario's start date. The model writes these names, the KPIs and the
analysis read them, and a test holds every simulated log to this list.
"""

from __future__ import annotations

# ----------------------------------------------------------------- time
HOURS_PER_DAY = 24.0
HOURS_PER_WEEK = 7 * HOURS_PER_DAY
HOURS_PER_MONTH = 730.5  # 365.25 days / 12, in hours
DAYS_PER_MONTH = 30.4375  # 365.25 / 12
NEVER = float("inf")  # a time that never comes: no deadline, no timer, not yet happened
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# ----------------------------------------------------------------- the company
DEPARTMENTS = ("marketing", "sales", "production", "service")
GRADES = ("L1", "L2", "L3", "L4", "L5")  # lead grade, coldest to hottest
HOT_GRADES = ("L4", "L5")  # hot leads: their own first-touch SLA, priority, hand-over push
QUALITY_GRADES = ("L3", "L4", "L5")  # an MQL meets sales' follow-up standard
TIERS = ("enterprise", "mid_market", "small")

# ----------------------------------------------------------------- kinds of entity in the log
KINDS = ("lead", "order", "batch", "customer", "ticket", "meeting", "plan", "liaison", "alert")

#: Every activity a lead's rows use, with what it means (besides the funnel's stage names).
LEAD_ACTIVITIES = {
    "created": "a lead is born in marketing (channel, campaign, repurchase or referral)",
    "nurtured": "a nurture touch: the lead engaged or not, its grade may move",
    "wake_up_attempt": "one step of the automatic wake-up sequence (email, SMS, call)",
    "dormant": "the wake-up sequence failed: the lead sleeps for good",
    "behaviour_trigger": "repeated pricing-page visits made the lead hot",
    "qualification": "a marketer reviews the scored lead (work)",
    "mql": "marketing hands the lead over to sales",
    "assigned": "sales routes the lead to a rep (or the pooled team)",
    "first_touch": "a rep's first contact (work)",
    "sla_escalated": "first-touch SLA breached: the lead moves to another rep",
    "sql": "the first touch qualified the lead",
    "invalid": "the first touch found the lead invalid",
    "advanced": "the lead passed a funnel stage (``stage`` names the next one, or closing)",
    "won": "the deal is won",
    "lost": "the deal is lost in a funnel stage",
    "recycled": "the lead goes back to nurture",
    "discarded": "the lead is given up for good",
    "released_to_pool": "an SLA timer released the lead to the public pool",
    "claimed_from_pool": "another rep claimed the lead from the pool",
    "reassigned_from_pool": "a pool review handed the lead to sales again",
    "feedback_note": "a rep writes marketing a note about an invalid or lost lead (work)",
    "dispute_opened": "a cross-department dispute holds the entity",
    "dispute_resolved": "the dispute is settled (``level`` says who settled it)",
    "screened": "the automatic screen decided, no staff time (``outcome``: passed or declined)",
    "sent_back": "a stage's next step sends the case to a stage again (``stage`` names it, ``from_stage`` the one left)",
    "resumed": "a case open at the start (a snapshot's cut-off) enters where it was (``state``, ``stage``, "
               "``age_hours``, ``waiting_hours``, ``touches``, ``source_case``); not a new lead",
}
#: What a ``lost`` row's ``reason`` says when the customer cancelled (waited too long in ``stage``).
CANCELLED = "cancelled"
#: The next step of a stage that loses the case (``next_steps`` in a funnel stage).
LOST = "lost"
#: What a ``screened`` row's ``outcome`` says; a declined lead is then discarded with reason ``declined``.
PASSED, DECLINED = "passed", "declined"
SCREEN_OUTCOMES = (PASSED, DECLINED)
#: What an ``advanced`` row names as the next stage after the last one.
CLOSING = "closing"
#: Where a lead's life ends; every other lead is still open at the horizon.
TERMINAL = ("won", "dormant", "discarded")

ORDER_ACTIVITIES = {
    "order_created": "a won deal becomes an order",
    "backordered": "the order could not be served from stock or by its promise date",
    "production_run": "a line builds the order (make to order; work)",
    "shipped": "the order leaves the plant",
    "delivered": "the order reaches the customer",
    "dispute_opened": LEAD_ACTIVITIES["dispute_opened"],
    "dispute_resolved": LEAD_ACTIVITIES["dispute_resolved"],
}
BATCH_ACTIVITIES = {
    "production_run": "a line builds a stock batch (make to stock; work)",
    "stocked": "the batch lands in finished stock",
}
CUSTOMER_ACTIVITIES = {
    "onboarding": "service onboards a delivered order's customer (work)",
    "onboarded": "the customer is live",
    "repurchase": "the customer buys again: a new lead",
    "referral": "the customer refers someone: a new lead",
    "churned": "the customer leaves",
}
TICKET_ACTIVITIES = {
    "ticket_opened": "a customer raises a support ticket",
    "ticket_response": "a service agent answers it (work)",
    "ticket_resolved": "the response is done (``late`` says whether it met the SLA)",
    "dispute_opened": LEAD_ACTIVITIES["dispute_opened"],
    "dispute_resolved": LEAD_ACTIVITIES["dispute_resolved"],
}
ACTIVITIES = {
    "lead": LEAD_ACTIVITIES,
    "order": ORDER_ACTIVITIES,
    "batch": BATCH_ACTIVITIES,
    "customer": CUSTOMER_ACTIVITIES,
    "ticket": TICKET_ACTIVITIES,
    "meeting": {"meeting": "one attendee sits in a meeting (work)"},
    "plan": {"forecast_updated": "production adopts the sales forecast"},
    "liaison": {"liaison": "a liaison passes information between departments (work)"},
    "alert": {"alert_raised": "more orders in a day than the alert limit: an ad-hoc meeting"},
}

#: Where a lead is after each of its activities (activities not listed leave it where it was).
LEAD_STATE = {
    "created": "nurture", "nurtured": "nurture", "wake_up_attempt": "nurture", "recycled": "nurture",
    "mql": "sales", "assigned": "sales", "claimed_from_pool": "sales", "reassigned_from_pool": "sales",
    "released_to_pool": "public pool", "won": "won", "dormant": "dormant", "discarded": "discarded",
}
LEAD_STATES = ("nurture", "sales", "public pool", "won", "dormant", "discarded")
