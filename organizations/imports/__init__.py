"""Member import and export (nhập / xuất danh sách đảng viên) for a cell or a commune.

An upload goes through three steps:
1. reading.read_upload(): the file (.xlsx or .csv) to a header and raw rows, or ImportFileError when
   the file as a whole cannot be used (size, format, encoding, columns, number of rows);
2. checking.batch_create(): the upload stored (directive03.files) and a task queued (checking.batch_check, in a
   worker) that reads it (an .xlsx measured first, xlsx.py), checks every row (rows.py) and matches it
   against the database (plan.py); the normalized rows and the row-level errors are kept in an
   ImportBatch for the preview, which shows the task's progress meanwhile;
3. batches.import_apply(): checks again against the database and writes everything, or nothing.
Export (export.py) writes the same columns, so an exported file can be imported again unchanged.
"""

from .batches import batch_summary, import_apply, import_discard, preview_rows
from .checking import batch_create, batch_expire
from .common import (
    COLUMNS,
    HEADERS,
    MAX_ROWS,
    ImportFileError,
    get_batch_for_user,
    is_importable,
    target_cells,
)
from .export import export_csv, export_xlsx, members_for_export, template_xlsx
from .reading import RawSheet, read_upload

__all__ = [
    "COLUMNS", "HEADERS", "MAX_ROWS", "ImportFileError", "RawSheet", "batch_create", "batch_expire", "batch_summary",
    "export_csv", "export_xlsx", "get_batch_for_user", "import_apply", "import_discard", "is_importable",
    "members_for_export", "preview_rows", "read_upload", "target_cells", "template_xlsx",
]
