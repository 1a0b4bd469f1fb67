"""Issuing a report's document: its date, who signs, its opening paragraph.

The date on a document is the day the unit issues it (a 2011–2014 summary issued on 15/01/2015), not
the day a file was produced. `document_date` is the one place that says which date a document carries.

The rule "rebuilding an issued document never changes its number or date", and what the issuer may still
edit:

- Until the document has its number, the date is the issuer's to choose and to correct: while the report
  is a draft, sent up or returned, its document is a "DỰ THẢO" without a number (the level above may still
  return the report, and the unit then issues it later), and after approval until the first build of the
  approved report. Setting the date deliberately before sending the report up is the usual case (the cell
  dates its 2011–2014 summary 15/01/2015 and sends it); changing it again before approval is allowed too.
- The first build of the approved report numbers it in the term of the date then on it (`build.assign_number`)
  and fixes that date with the number: this is the moment the document is issued. From then on the date is
  refused by `issue`, and no rebuild (after a signer's name is corrected, or the approved figures are
  marked as changed) changes either.
- The signer and the opening paragraph may be corrected at any time; like any change of the date before the
  number, they make the built files out of date (`content.source_key` includes them): the page says so and
  offers the rebuild, and the issue page rebuilds at once.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directive03.concurrency import check_token, edit_token
from organizations.access import access_for
from organizations.models import Kind, Level, Member, Organization

from .. import permissions
from ..models import Document, Report

SignedAs = Document.SignedAs
SIGNER_MAX = 120
OPENING_MAX = 5_000


def default_date(report: Report) -> dt.date:
    """The date a document takes when nobody chose one: the round's issue date, else the day the
    report was sent (the unit issues its report, then sends it up), else today."""
    if report.round.issued_on:
        return report.round.issued_on
    moment = report.submitted_at or report.decided_at
    return timezone.localdate(moment) if moment else timezone.localdate()


def document_date(report: Report, doc: Document | None = None) -> dt.date:
    """The date the report's document carries: its issue date once chosen or fixed, else the default.

    Everything "as of the document's date" (names and places of units, the term of the numbering)
    reads this."""
    if doc is not None and doc.issued_on:
        return doc.issued_on
    return default_date(report)


def term_start(on: dt.date) -> int:
    """The first year of the five-year term (nhiệm kỳ 2010–2015, 2015–2020, 2020–2025…) that `on` falls in.

    Congresses are held in the years ending in 0 and 5, grassroots first (spring) and the province last
    (autumn): a document of the first half of such a year still belongs to the outgoing term."""
    year = on.year if on.month >= 7 else on.year - 1
    return year - (year - 2020) % 5


def collective(org: Organization) -> str:
    """Who the signer signs for ("T/M …"), by the kind of unit: a cell for itself, a grassroots
    committee for its committee, a district or provincial committee through its standing committee."""
    if org.level == Level.CELL or org.kind in (Kind.CHI_BO_CO_SO, Kind.CHI_BO_TRUC_THUOC):
        return "T/M CHI BỘ"
    if org.level == Level.COMMUNE or org.kind in (Kind.DANG_UY_XA, Kind.DANG_BO_CO_SO):
        return "T/M ĐẢNG ỦY"
    return "T/M BAN THƯỜNG VỤ"


def signature_lines(org: Organization, signed_as: str) -> list[str]:
    """The signature block above the name: 'T/M …' then 'BÍ THƯ', or, when a deputy signs in the
    secretary's place, 'T/M …', 'K/T BÍ THƯ', 'PHÓ BÍ THƯ' (Hướng dẫn 36-HD/VPTW)."""
    if signed_as == SignedAs.DEPUTY:
        return [collective(org), "K/T BÍ THƯ", "PHÓ BÍ THƯ"]
    return [collective(org), "BÍ THƯ"]


def default_signer(report: Report, signed_as: str = SignedAs.SECRETARY) -> str:
    """The name to propose: a committee's recorded secretary; a cell's member holding the office."""
    org = report.organization
    if signed_as == SignedAs.SECRETARY and org.secretary_name:
        return org.secretary_name
    position = Member.Position.DEPUTY if signed_as == SignedAs.DEPUTY else Member.Position.SECRETARY
    member = Member.objects.filter(cell_id=org.pk, position=position).order_by("id").first()
    return member.full_name if member else ""


def issuing_document(report: Report, doc: Document | None) -> Document | None:
    """The document whose date, signer and opening a document prints: itself, or for the province's
    consolidated document the report's own document (one document issued, with more annexes)."""
    if doc is None or doc.kind == Document.Kind.REPORT:
        return doc
    return Document.objects.filter(report_id=doc.report_id, kind=Document.Kind.REPORT).first()


def signer_of(report: Report, doc: Document | None) -> tuple[str, str]:
    """(signed_as, name) the document prints."""
    signed_as = doc.signed_as if doc is not None else SignedAs.SECRETARY
    name = (doc.signer_name if doc is not None else "") or default_signer(report, signed_as)
    return signed_as, name


def date_errors(rnd, issued_on: dt.date) -> list[str]:
    """What is wrong with an issue date for a round's documents: not before the period starts, not in
    the future."""
    out = []
    if issued_on < rnd.period_start:
        out.append(_("Ngày ban hành không được trước ngày bắt đầu kỳ báo cáo (%(d)s).")
                   % {"d": rnd.period_start.strftime("%d/%m/%Y")})
    if issued_on > timezone.localdate():
        out.append(_("Ngày ban hành không được ở tương lai."))
    return out


def check_date(rnd, issued_on: dt.date) -> None:
    errors = date_errors(rnd, issued_on)
    if errors:
        raise ValidationError({"issued_on": errors})


def issue_token(doc: Document | None) -> str:
    """The version of the issue page (date, signer, opening): a page opened before another editor
    saved cannot overwrite their choice. No document yet is the same as a document not issued yet."""
    if doc is None:
        doc = Document()
    return edit_token([(doc.issued_on, doc.signed_as, doc.signer_name, doc.opening)])


@transaction.atomic
def issue(*, report: Report, by, issued_on: dt.date | None, signed_as: str, signer_name: str,
          opening: str, expected_token: str | None = None) -> Document:
    """Record how the unit issues its document (date, signer, opening paragraph); the caller then
    builds it (reports.document_tasks.single_start).

    The unit's own people (or the board) issue; the date is fixed once the document has its number.
    EditConflict when the issue was saved by someone else since `expected_token` (issue_token)."""
    access = access_for(by)
    if not (permissions.writes(access, report) or permissions.opens_rounds(access, report.round.province_id)):
        raise PermissionDenied
    doc, _created = Document.objects.select_for_update().get_or_create(
        report=report, kind=Document.Kind.REPORT,
        defaults={"depth": report.tree_path.strip("/").count("/") + 1})
    check_token(expected_token, issue_token(doc))
    errors: dict[str, list[str]] = {}
    if doc.number:
        if issued_on is not None and issued_on != doc.issued_on:
            errors.setdefault("issued_on", []).append(
                _("Văn bản đã ban hành với %(number)s: không đổi được ngày ban hành.") % {"number": doc.number_text})
        issued_on = doc.issued_on
    elif issued_on is None:
        errors.setdefault("issued_on", []).append(_("Hãy nhập ngày ban hành."))
    else:
        errors.setdefault("issued_on", []).extend(date_errors(report.round, issued_on))
        if not errors["issued_on"]:
            del errors["issued_on"]
    if signed_as not in SignedAs.values:
        errors.setdefault("signed_as", []).append(_("Hãy chọn ai ký văn bản."))
    signer_name = " ".join((signer_name or "").split())
    if not signer_name:
        errors.setdefault("signer_name", []).append(_("Hãy nhập họ tên người ký."))
    elif len(signer_name) > SIGNER_MAX:
        errors.setdefault("signer_name", []).append(
            _("Họ tên người ký dài quá %(n)s ký tự.") % {"n": SIGNER_MAX})
    elif signed_as == SignedAs.DEPUTY:
        # "K/T BÍ THƯ / PHÓ BÍ THƯ" is a deputy signing for the secretary: never the secretary's own name
        secretary = default_signer(report, SignedAs.SECRETARY)
        if secretary and signer_name.casefold() == " ".join(secretary.split()).casefold():
            errors.setdefault("signer_name", []).append(
                _("“%(name)s” là Bí thư: khi Phó Bí thư ký thay (K/T), hãy nhập họ tên Phó Bí thư.") % {"name": secretary})
    opening = (opening or "").strip()
    if len(opening) > OPENING_MAX:
        errors.setdefault("opening", []).append(_("Đoạn “Những kết quả cụ thể” dài quá %(n)s ký tự.") % {"n": OPENING_MAX})
    if errors:
        raise ValidationError(errors)
    doc.issued_on, doc.signed_as, doc.signer_name, doc.opening = issued_on, signed_as, signer_name, opening
    doc.save(update_fields=["issued_on", "signed_as", "signer_name", "opening"])
    return doc


@transaction.atomic
def set_round_date(*, rnd, issued_on: dt.date | None, by) -> None:
    """The date the round's documents carry when the board builds them together (None: leave it)."""
    if not permissions.opens_rounds(access_for(by), rnd.province_id):
        raise PermissionDenied
    if issued_on is None or issued_on == rnd.issued_on:
        return
    check_date(rnd, issued_on)
    type(rnd).objects.filter(pk=rnd.pk).update(issued_on=issued_on)
    rnd.issued_on = issued_on
