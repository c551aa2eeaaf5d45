"""`POST /api/v1/schedule`: the repayment table of one regime as a PDF or CSV download,
and the documents that chat replies carry, as the web client receives them.

The route translates HTTP to the rules core and `dialogs.documents` and back: a bad case
is a 422 naming its fields (as `/api/v1/evaluate`), a regime that gives no table for the
case (not eligible, undecided, loan incomplete) a 409 saying why in the asked language.
"""

from __future__ import annotations

import base64
import logging
from typing import Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse, Response

from bot.web.api import EDGE_ERRORS, case_error_response
from dialogs.events import Reply
from rules import REGIMES

log = logging.getLogger(__name__)

SCHEDULE_DESCRIPTION = (
    "The repayment table of one regime for a case (the evaluate contract in the body), as "
    "a PDF to print and sign with the deed, or as a CSV for a spreadsheet (UTF-8 with BOM; "
    "`;` and decimal commas in nl/fr, `,` and decimal points in en). Texts, numbers and "
    "dates in `lang`. The same case gives the same bytes. A bad case, an unknown regime, "
    "format or language get 422; a regime that does not apply to the case, is not decided "
    "yet or has an incomplete loan gets 409 with the reason in `lang`."
)
BINARY = {"schema": {"type": "string", "format": "binary"}}
SCHEDULE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document, with a Content-Disposition file name",
        "content": {"application/pdf": BINARY, "text/csv": BINARY},
    },
    409: {
        "description": "No table for this regime and case: `detail` says why (in `lang`), "
        "`reason` is one of not_eligible, needs_info, incomplete_loan, `missing` the fields "
        "still needed",
        "content": {"application/json": {}},
    },
    422: {"description": "A bad case field, or an unknown regime, format or language"},
    **EDGE_ERRORS,
}


def _unknown_regime(regime: str) -> JSONResponse:
    detail = [{"loc": ["query", "regime"], "msg": f"unknown regime {regime!r}", "type": "enum"}]
    return JSONResponse(status_code=422, content={"detail": detail})


def build_schedule_router(case_schema: dict[str, Any] | None) -> APIRouter:
    """The `/api/v1/schedule` route (the case schema documents its body)."""
    router = APIRouter(prefix="/api/v1")
    extra: dict[str, Any] = {}
    if case_schema is not None:
        extra = {
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": case_schema}},
            }
        }

    @router.post(
        "/schedule",
        summary="The repayment table as PDF or CSV",
        description=SCHEDULE_DESCRIPTION,
        openapi_extra=extra,
        responses=SCHEDULE_RESPONSES,
        response_class=Response,
    )
    def schedule(  # sync: FastAPI runs it in its thread pool, off the event loop
        case: dict[str, Any] = Body(...),  # noqa: B008
        regime: str = Query(
            ...,
            pattern=r"^[a-z_]{1,32}$",
            description="the regime's contract key: " + ", ".join(r.name for r in REGIMES),
        ),
        format: Literal["pdf", "csv"] = Query(...),  # noqa: A002 - the query parameter's name
        lang: Literal["nl", "fr", "en"] = Query("en"),
    ) -> Response:
        from dialogs.documents import DocumentUnavailable, build_document
        from dialogs.i18n import Translator
        from rules import CaseError, evaluate, parse_case

        try:
            answer = evaluate(parse_case(case))
        except CaseError as err:
            return case_error_response(err, ["body"])
        if regime not in {part["regime"] for part in answer["regimes"]}:
            return _unknown_regime(regime)
        try:
            document = build_document(answer, regime, format, lang, case)
        except DocumentUnavailable as refused:
            return JSONResponse(
                status_code=409,
                content={
                    "detail": refused.message(Translator(lang)),
                    "reason": refused.reason,
                    "regime": regime,
                    "missing": list(refused.missing),
                },
            )
        return Response(
            document.content,
            media_type=document.media_type,
            headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
        )

    return router


def _document_json(reply: Reply) -> dict[str, Any] | None:
    """The reply's attachment for a web client: its bytes, never the case it came from."""
    from dialogs.documents import render_document

    if reply.document is None:
        return None
    try:
        rendered = render_document(reply.document)
    except Exception:  # checked when the reply was made; a failure here is ours: say less
        log.exception("document of a chat reply could not be rendered")
        return None
    return {
        "format": reply.document.format,
        "regime": reply.document.regime,
        "filename": rendered.filename,
        "media_type": rendered.media_type,
        "data": base64.b64encode(rendered.content).decode("ascii"),
    }


async def reply_json(reply: Reply) -> dict[str, Any]:
    """A reply as the chat response carries it (a document rendered off the event loop)."""
    out = reply.to_json()
    out.pop("document", None)
    if reply.document is not None:
        document = await anyio.to_thread.run_sync(_document_json, reply)
        if document is not None:
            out["document"] = document
    return out
