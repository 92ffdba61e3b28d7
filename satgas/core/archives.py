"""Zip archives from uploads (XLSX, DOCX and PPTX are zips), opened with limits.

A small upload can hold a huge archive: a 1 MB XLSX may unpack to 1 GB of sheet XML, or list a million members.
``open_zip`` refuses such an archive before anything is unpacked, from figures the archive declares:

* the number of members and the size of the central directory, read from the end-of-central-directory record
  *before* ``zipfile`` parses the directory (parsing a million entries alone costs hundreds of MB);
* the uncompressed size of every member and their total, from the central directory.

The directory may lie, so the archive it returns also counts the bytes actually unpacked, across all members, and
stops with ``ArchiveTooLarge`` once they pass the limit (``zipfile`` itself stops a member at its declared size and
then fails its CRC check, which ``BadZipFile`` reports).
"""

import io
import struct
import zipfile

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
# A central-directory entry is 46 bytes plus its name, extra field and comment; members of office files have
# short names. A directory larger than this per allowed member is refused before it is parsed.
_DIRECTORY_BYTES_PER_MEMBER = 1024


class ArchiveTooLarge(Exception):
    """The archive is over a limit; ``what`` is ``"members"`` or ``"uncompressed"``."""

    def __init__(self, what: str, *, limit: int, found: int | None = None):
        super().__init__(f"{what} over {limit} ({found})")
        self.what, self.limit, self.found = what, limit, found


def _declared_directory(fileobj) -> tuple[int, int] | None:
    """(members, central directory size) from the end records, or ``None`` when there is no valid record."""
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    tail_size = min(size, _EOCD_SIZE + 0xFFFF)  # the record, then a comment of at most 65,535 bytes
    fileobj.seek(size - tail_size)
    tail = fileobj.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return None
    _sig, _disk, _cd_disk, _disk_entries, entries, cd_size, _cd_offset, _comment = struct.unpack(
        "<4s4H2LH", tail[at : at + _EOCD_SIZE]
    )
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        # Zip64: the real figures are in the zip64 end record the locator points at.
        locator_at = size - tail_size + at - 20
        if locator_at < 0:
            return None
        fileobj.seek(locator_at)
        locator = fileobj.read(20)
        if not locator.startswith(_ZIP64_LOCATOR):
            return None
        _sig, _disk, record_offset, _disks = struct.unpack("<4sLQL", locator)
        fileobj.seek(record_offset)
        record = fileobj.read(56)
        if len(record) < 56 or not record.startswith(_ZIP64_EOCD):
            return None
        _sig, _size, _made, _need, _disk, _cd_disk, _disk_entries, entries, cd_size, _cd_offset = struct.unpack(
            "<4sQ2H2L4Q", record
        )
    return entries, cd_size


class _CountedMember(io.RawIOBase):
    """A member being unpacked; every byte read is charged to the archive's budget."""

    def __init__(self, raw, archive: "GuardedZipFile"):
        super().__init__()
        self._raw, self._archive = raw, archive

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            chunks = []
            while chunk := self.read(1 << 16):
                chunks.append(chunk)
            return b"".join(chunks)
        data = self._raw.read(size)
        self._archive._charge(len(data))
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class GuardedZipFile(zipfile.ZipFile):
    """A read-only ``ZipFile`` whose members, read through ``open``/``read``, count against ``max_uncompressed``."""

    max_uncompressed: int = 0
    _unpacked: int = 0

    def _charge(self, count: int) -> None:
        self._unpacked += count
        if self._unpacked > self.max_uncompressed:
            raise ArchiveTooLarge("uncompressed", limit=self.max_uncompressed, found=self._unpacked)

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):
        member = super().open(name, mode, pwd, force_zip64=force_zip64)
        return _CountedMember(member, self) if mode == "r" else member


def open_zip(fileobj, *, max_members: int, max_uncompressed: int) -> GuardedZipFile:
    """``fileobj`` as a guarded zip archive.

    Raises ``ArchiveTooLarge`` when it declares too many members or too many uncompressed bytes, and
    ``zipfile.BadZipFile`` when it is not a zip archive.
    """
    declared = _declared_directory(fileobj)
    if declared is None:
        raise zipfile.BadZipFile("no end of central directory record")
    entries, cd_size = declared
    if entries > max_members or cd_size > max_members * _DIRECTORY_BYTES_PER_MEMBER:
        raise ArchiveTooLarge("members", limit=max_members, found=entries)
    fileobj.seek(0)
    archive = GuardedZipFile(fileobj)
    members = archive.infolist()
    if len(members) > max_members:
        archive.close()
        raise ArchiveTooLarge("members", limit=max_members, found=len(members))
    declared_bytes = sum(member.file_size for member in members)
    if declared_bytes > max_uncompressed:
        archive.close()
        raise ArchiveTooLarge("uncompressed", limit=max_uncompressed, found=declared_bytes)
    archive.max_uncompressed = max_uncompressed
    return archive
