"""Signals the pledges app sends for the apps above it (it may not import them).

review_decided: a monthly record changed hands: sent to the committee, returned, accepted or reopened.
Sent inside the service's transaction (a receiver's writes commit or roll back with the change), with
`review` (the MonthlyReview), `action` (a ReviewEvent.Action value) and `by` (the user).
"""

from django.dispatch import Signal

review_decided = Signal()
