"""Turn files uploaded in the admin (.txt, .pdf, or .zip of them) into documents for the importer.

Every limit is checked before any document is parsed: the number and size of the uploads, and for a zip its
member count, declared sizes, compression ratios and names. A zip bomb, a path-traversal name or a lying size
header refuses the whole upload, so nothing of it is imported.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.translation import gettext as _

from questions.importing.runner import DOCUMENT_SUFFIXES, Document


@dataclass(frozen=True)
class UploadLimits:
    max_files: int = 200
    max_total_bytes: int = 100 * 2**20
    max_zip_members: int = 5000
    max_unpacked_bytes: int = 500 * 2**20
    max_compression_ratio: int = 100


class UploadRefused(Exception):
    """The upload breaks a limit or rule; the message says which. Nothing is imported."""


def documents_from_uploads(uploads: list, limits: UploadLimits) -> tuple[list[Document], list[tuple[str, str]]]:
    """Documents to import, and (name, reason) for every file that is skipped (not a .txt, .pdf or .zip)."""
    if not uploads:
        raise UploadRefused(_("Kies minstens één bestand."))
    if len(uploads) > limits.max_files:
        raise UploadRefused(_("Te veel bestanden: hoogstens %(max)d tegelijk.") % {"max": limits.max_files})
    total = sum(upload.size for upload in uploads)
    if total > limits.max_total_bytes:
        raise UploadRefused(
            _("De bestanden zijn samen te groot: hoogstens %(max)d MiB.") % {"max": limits.max_total_bytes // 2**20}
        )
    documents: list[Document] = []
    skipped: list[tuple[str, str]] = []
    for upload in uploads:
        name = upload.name
        suffix = PurePosixPath(name).suffix.lower()
        if suffix == ".zip":
            documents.extend(_zip_documents(upload, limits, skipped))
        elif suffix in DOCUMENT_SUFFIXES:
            data = upload.read()
            documents.append(Document(name, _returning(data)))
        else:
            skipped.append((name, _("geen .txt, .pdf of .zip")))
    return documents, skipped


def _safe_member_name(name: str) -> bool:
    if not name or "\\" in name or name.startswith("/") or "\x00" in name:
        return False
    parts = PurePosixPath(name).parts
    return ".." not in parts and not (parts and parts[0].endswith(":"))


def _zip_documents(upload, limits: UploadLimits, skipped: list[tuple[str, str]]) -> list[Document]:
    try:
        archive = zipfile.ZipFile(upload)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UploadRefused(_("%(name)s is geen leesbaar zip-bestand (%(error)s).") % {
            "name": upload.name, "error": error}) from None  # fmt: skip
    if len(members) > limits.max_zip_members:
        raise UploadRefused(
            _("%(name)s bevat te veel bestanden: hoogstens %(max)d.") % {"name": upload.name,
                                                                        "max": limits.max_zip_members}
        )  # fmt: skip
    unpacked = 0
    chosen = []
    for member in members:
        if not _safe_member_name(member.filename):
            raise UploadRefused(
                _("%(name)s bevat een onveilige bestandsnaam (%(member)s): de upload is geweigerd.")
                % {"name": upload.name, "member": member.filename[:120]}
            )
        if member.is_dir():
            continue
        unpacked += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if unpacked > limits.max_unpacked_bytes or (member.file_size > 2**20 and ratio > limits.max_compression_ratio):
            raise UploadRefused(
                _("%(name)s pakt uit tot meer dan toegestaan (een zip-bom?): de upload is geweigerd.")
                % {"name": upload.name}
            )
        path = PurePosixPath(member.filename)
        if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
            continue
        if path.suffix.lower() not in DOCUMENT_SUFFIXES:
            skipped.append((f"{upload.name}/{member.filename}", _("geen .txt of .pdf")))
            continue
        chosen.append(member)
    documents = []
    for member in chosen:
        # Read no more than the header declared: a member that unpacks to more is lying about its size.
        with archive.open(member) as stream:
            data = stream.read(member.file_size + 1)
        if len(data) > member.file_size:
            raise UploadRefused(
                _("%(name)s: %(member)s is groter dan aangegeven: de upload is geweigerd.")
                % {"name": upload.name, "member": member.filename[:120]}
            )
        documents.append(Document(f"{upload.name}/{member.filename}", _returning(data)))
    return documents


def _returning(data: bytes) -> Callable[[], bytes]:
    """A reader for bytes already read."""
    return lambda: data
