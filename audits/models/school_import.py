"""School imports as batches that can be undone, and the history of every school's details."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.district import District
    from audits.models.school import School
    from audits.models.user import User

# The ``field`` of the one change row that says an import created the school.
CREATED = "created"


class BatchKind(StrEnum):
    """What was imported: an NCES directory, or the district's own directory."""

    NCES = "nces"
    DIRECTORY = "directory"

    @property
    def label(self) -> str:
        """The kind in words."""
        return {"nces": "NCES file", "directory": "District directory"}[self.value]


class ImportBatch(Base):
    """One import of a school file: who, when, which file, into which district, and its counts."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BatchKind] = mapped_column(
        SAEnum(BatchKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), index=True
    )
    # ``None``: the command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    created: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    # The LEA ids this import recorded as the district's (its first import), removed again on undo.
    recorded_lea_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Rows of another LEA or state the person chose to import anyway, e.g. ``["4808940 (TX)"]``.
    allowed_other: Mapped[list[str]] = mapped_column(JSON, default=list)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    district: Mapped[District | None] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    undone_by: Mapped[User | None] = relationship(foreign_keys=[undone_by_id])
    changes: Mapped[list[SchoolChange]] = relationship(back_populates="batch", order_by="SchoolChange.id")


class SchoolChange(Base):
    """One field of one school changed (or the school created): old and new values, when, by whom, how."""

    __tablename__ = "school_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    # A school column (``email``, ``phone`` …), or ``created``.
    field: Mapped[str] = mapped_column(String(40))
    old: Mapped[Any] = mapped_column(JSON, nullable=True)
    new: Mapped[Any] = mapped_column(JSON, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The import that made the change; ``None``: an edit on the school's page.
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), index=True
    )

    school: Mapped[School] = relationship()
    actor: Mapped[User | None] = relationship()
    batch: Mapped[ImportBatch | None] = relationship(back_populates="changes")
