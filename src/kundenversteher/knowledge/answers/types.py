"""What other apps receive from answer composition (frozen, no model instances)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ComposedAttachment:
    filename: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class ComposedAnswer:
    """An answer ready to send, or (``ok`` False) why there is none.

    ``slots`` holds every value that was filled (also when ``ok`` is False, for the agent's
    view); ``missing`` names the slots that could not be filled; ``reason`` is German text for
    staff. ``body`` already ends with the fixed "written automatically" footer.
    """

    ok: bool
    template_id: int | None
    subject: str
    body: str
    attachments: tuple[ComposedAttachment, ...]
    slots: Mapping[str, str]
    missing: tuple[str, ...]
    reason: str
