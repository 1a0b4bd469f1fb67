"""Official documents (PDF and .docx) of the reports, built bottom-up by Celery workers."""
