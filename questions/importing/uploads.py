"""Files uploaded in the admin (.txt, .pdf, answer dates in .csv or .json, or a .zip of them): checked, kept on
disk, unpacked for the importer.

Two steps, so that the request does little and nothing is held in memory:

1. ``store_uploads`` (in the request): the number and size of the uploads, and for a zip its member count,
   declared sizes, total unpacked size, compression ratios and names, from its central directory. A zip
   bomb, a path-traversal name or too much in all refuses the whole upload. The files are copied to the job's
   folder in chunks (Django keeps large uploads in temporary files, not in memory).
2. ``unpack`` (in the background job): every zip member streamed to disk in chunks, never past the size its
   header declared; a member that lies refuses the whole job before anything is imported.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from questions.importing.runner import DOCUMENT_SUFFIXES, METADATA_SUFFIXES, Document

# Documents, and the answer-date files that may come with them (questions/importing/answer_dates.py).
IMPORTABLE_SUFFIXES = DOCUMENT_SUFFIXES | METADATA_SUFFIXES

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class UploadLimits:
    max_files: int = 200
    max_total_bytes: int = 100 * 2**20
    max_zip_members: int = 5000
    max_unpacked_bytes: int = 500 * 2**20  # all zips of one upload together
    max_compression_ratio: int = 100


class UploadRefused(Exception):
    """The upload breaks a limit or rule; the message says which. Nothing is imported."""


def store_uploads(uploads: list, limits: UploadLimits, folder: Path) -> list[tuple[str, str]]:
    """Check the uploads and copy them into ``folder``; returns (name, reason) for every file skipped (not a
    .txt, .pdf or .zip). Raises UploadRefused, having written nothing, when a limit or rule is broken."""
    if not uploads:
        raise UploadRefused(_("Kies minstens één bestand."))
    if len(uploads) > limits.max_files:
        raise UploadRefused(_("Te veel bestanden: hoogstens %(max)d tegelijk.") % {"max": limits.max_files})
    if sum(upload.size for upload in uploads) > limits.max_total_bytes:
        raise UploadRefused(
            _("De bestanden zijn samen te groot: hoogstens %(max)d MiB.") % {"max": limits.max_total_bytes // 2**20}
        )
    skipped: list[tuple[str, str]] = []
    kept = []
    unpacked = 0
    for upload in uploads:
        suffix = PurePosixPath(upload.name).suffix.lower()
        if suffix == ".zip":
            unpacked += _check_zip(upload, limits, unpacked)
            kept.append(upload)
        elif suffix in IMPORTABLE_SUFFIXES:
            kept.append(upload)
        else:
            skipped.append((upload.name, _("geen .txt, .pdf, .csv, .json of .zip")))
    folder.mkdir(parents=True, exist_ok=True)
    for position, upload in enumerate(kept):
        # A number first: two uploads may have the same name, and the name is the client's to choose.
        target = folder / f"{position:04d}{PurePosixPath(upload.name).suffix.lower()}"
        with target.open("wb") as out:
            for chunk in upload.chunks(CHUNK_BYTES):
                out.write(chunk)
        (folder / f"{target.name}.name").write_text(upload.name, encoding="utf-8")
    return skipped


def _safe_member_name(name: str) -> bool:
    if not name or "\\" in name or name.startswith("/") or "\x00" in name:
        return False
    parts = PurePosixPath(name).parts
    return ".." not in parts and not (parts and parts[0].endswith(":"))


def _zip_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members to import: documents, not folders, hidden files or macOS metadata."""
    chosen = []
    for member in archive.infolist():
        path = PurePosixPath(member.filename)
        if member.is_dir() or any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
            continue
        chosen.append(member)
    return chosen


def _check_zip(upload, limits: UploadLimits, unpacked_before: int) -> int:
    """Check a zip's central directory; returns how much its members declare to unpack to."""
    try:
        upload.seek(0)
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
    for member in members:
        if not _safe_member_name(member.filename):
            raise UploadRefused(
                _("%(name)s bevat een onveilige bestandsnaam (%(member)s): de upload is geweigerd.")
                % {"name": upload.name, "member": member.filename[:120]}
            )
        if member.flag_bits & 0x1:
            raise UploadRefused(
                _("%(name)s: %(member)s is versleuteld: de upload is geweigerd.")
                % {"name": upload.name, "member": member.filename[:120]}
            )
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
            raise UploadRefused(
                _("%(name)s: %(member)s gebruikt een onbekende compressiemethode: de upload is geweigerd.")
                % {"name": upload.name, "member": member.filename[:120]}
            )
        unpacked += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if unpacked_before + unpacked > limits.max_unpacked_bytes or (
            member.file_size > 2**20 and ratio > limits.max_compression_ratio
        ):
            raise UploadRefused(
                _("%(name)s pakt uit tot meer dan toegestaan (een zip-bom?): de upload is geweigerd.")
                % {"name": upload.name}
            )
    return unpacked


def unpack(folder: Path) -> tuple[list[Document], list[tuple[str, str]]]:
    """The documents of an upload stored by :func:`store_uploads`, zips unpacked to disk next to them; and
    (name, reason) for every zip member skipped. Raises UploadRefused when a zip cannot be read as its directory
    promised (a corrupt member, a size that lies)."""
    documents: list[Document] = []
    skipped: list[tuple[str, str]] = []
    for stored in sorted(folder.glob("[0-9][0-9][0-9][0-9].*")):
        if stored.suffix == ".name":
            continue
        name = (folder / f"{stored.name}.name").read_text(encoding="utf-8")
        if stored.suffix == ".zip":
            target = folder / f"{stored.stem}-unpacked"
            documents += _unpack_zip(stored, name, target, skipped)
        else:
            documents.append(Document(name, stored.read_bytes, stored.stat().st_size))
    return documents, skipped


def _unpack_zip(path: Path, name: str, target: Path, skipped: list[tuple[str, str]]) -> list[Document]:
    documents = []
    try:
        with zipfile.ZipFile(path) as archive:
            for number, member in enumerate(_zip_members(archive)):
                member_name = f"{name}/{member.filename}"
                if PurePosixPath(member.filename).suffix.lower() not in IMPORTABLE_SUFFIXES:
                    skipped.append((member_name, _("geen .txt, .pdf, .csv of .json")))
                    continue
                out_path = target / f"{number:05d}{PurePosixPath(member.filename).suffix.lower()}"
                out_path.parent.mkdir(parents=True, exist_ok=True)
                _copy_member(archive, member, out_path, name)
                documents.append(Document(member_name, out_path.read_bytes, out_path.stat().st_size))
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as error:
        shutil.rmtree(target, ignore_errors=True)
        raise UploadRefused(_("%(name)s kon niet uitgepakt worden (%(error)s): er is niets geïmporteerd.") % {
            "name": name, "error": error}) from None  # fmt: skip
    return documents


def _copy_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, out_path: Path, name: str) -> None:
    """Stream one member to disk, never more than its header declared: a member that unpacks to more lies."""
    written = 0
    with archive.open(member) as stream, out_path.open("wb") as out:
        while chunk := stream.read(CHUNK_BYTES):
            written += len(chunk)
            if written > member.file_size:
                raise UploadRefused(
                    _("%(name)s: %(member)s is groter dan aangegeven: er is niets geïmporteerd.")
                    % {"name": name, "member": member.filename[:120]}
                )
            out.write(chunk)
