"""The pledges app's data: directives and themes, pledges, monthly cell meetings, year-end records."""

from .catalog import AnnualTheme, Directive, PressingIssue
from .pledge import Pledge, PledgeCommitment, PledgeRevision
from .review import MonthlyReview, ReviewEntry, ReviewEvent
from .yearend import Commendation, Grade, MemberClassification, ModelExample, OrganizationClassification

__all__ = [
    "AnnualTheme", "Commendation", "Directive", "Grade", "MemberClassification", "ModelExample",
    "MonthlyReview", "OrganizationClassification", "Pledge", "PledgeCommitment", "PledgeRevision",
    "PressingIssue", "ReviewEntry", "ReviewEvent",
]
