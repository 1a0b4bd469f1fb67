"""FORMAT_MODULE_PATH: dates as dd/mm/yyyy in every language (the admin's inputs and lists included).

Django's own formats show and parse mm/dd/yyyy in English, and the Vietnamese ones define no input
format at all (so the admin read "01/07/2025" as 7 January). One definition, in directive03.formats.
"""
