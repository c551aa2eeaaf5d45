"""The repayment table as documents a lender can print for the deed: PDF and CSV.

Pure presentation, like `dialogs.render`: built from the rules core's answer
(`rules.evaluate`: the regime's `simulation`, `rules_version`, `closing_date`), never
from figures of its own; texts through the gettext catalogs, numbers and dates through
Babel. Bytes out, no I/O. The CLI (`leenwijzer schedule`), the web API
(`POST /api/v1/schedule`), Telegram (sendDocument) and the widget all use it.
"""

from dialogs.documents.build import (
    MEDIA_TYPES,
    DocumentUnavailable,
    RenderedDocument,
    build_document,
    document_filename,
    document_request,
    render_document,
    schedule_part,
)
from dialogs.documents.summary import yearly_rows, yearly_summary
from dialogs.documents.texts import registration

__all__ = [
    "MEDIA_TYPES",
    "DocumentUnavailable",
    "RenderedDocument",
    "build_document",
    "document_filename",
    "document_request",
    "render_document",
    "schedule_part",
    "registration",
    "yearly_rows",
    "yearly_summary",
]
