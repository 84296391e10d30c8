"""The shipped airline complaint reasons: the classes of nlp/models/reason.json (a test checks
it), which `make models` trains (nlp/train.py) and a workspace takes with
`[workspaces.nlp] reason_model = "airline"` (settings/reasons.py). One list, so the two cannot
drift apart."""

AIRLINE_REASONS = (
    "Bad Flight",
    "Can't Tell",
    "Cancelled Flight",
    "Customer Service Issue",
    "Damaged Luggage",
    "Flight Attendant Complaints",
    "Flight Booking Problems",
    "Late Flight",
    "Lost Luggage",
    "longlines",
)
