"""Fault drills on private services (see engine.py): used by tests/test_drills.py and bench/drills.py."""
