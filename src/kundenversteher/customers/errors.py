"""Domain errors of the customers app. Messages are translated (German source, English
catalogue) and meant for the person who acted.

Names follow the shared design (``errors.InvalidIdentityError``) and are already mapped to HTTP by
the api app, hence no ``Error`` suffix.
"""

from __future__ import annotations


class CustomerError(Exception):
    """Base class: anything the customers app refuses to do."""


class CustomerNotFoundError(CustomerError):
    pass


class OrderNotFoundError(CustomerError):
    pass


class InvalidIdentityError(CustomerError):
    """An e-mail address, phone number or customer number that cannot be valid."""


class IdentityInUseError(CustomerError):
    """The identity already belongs to a different customer (merge them instead)."""

    def __init__(self, message: str, *, owner_id: int) -> None:
        super().__init__(message)
        self.owner_id = owner_id


class InvalidStatusTransitionError(CustomerError):
    pass


class MergeNotAllowedError(CustomerError):
    pass


class InvalidCustomerDataError(CustomerError):
    """Field values that fail the model's validation; ``errors`` maps field → messages."""

    def __init__(self, message: str, *, errors: dict[str, list[str]]) -> None:
        super().__init__(message)
        self.errors = errors


# Names used by the shared design documents.
CustomerNotFound = CustomerNotFoundError
OrderNotFound = OrderNotFoundError
InvalidIdentity = InvalidIdentityError
IdentityInUse = IdentityInUseError
InvalidStatusTransition = InvalidStatusTransitionError
MergeNotAllowed = MergeNotAllowedError
InvalidCustomerData = InvalidCustomerDataError
