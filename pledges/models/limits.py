"""Length limits shared by the models (admin forms) and the services (validation)."""

TEXT_MAX = 10_000  # a free-text section of a meeting record or a description
COMMITMENT_MAX = 1_000  # one pledge commitment, its verification, a reason
NOTE_MAX = 500  # a short note on one member's row
TITLE_MAX = 300
MINUTES_MAX = 600  # a meeting's directive part, in minutes
MINUTES_ADVISED = 30  # "dành ít nhất 30 phút"
FIRST_YEAR = 2011  # Directive 03 was issued in May 2011
