"""Who may use the bot: optional allow-lists of users and chats (ids or @usernames), and admins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Party:
    """A user or a chat as the allow-lists name it: its id and its @username, if any."""

    id: int
    username: str | None = None


@dataclass(frozen=True)
class AccessPolicy:
    """Allow-lists of ids and lower-case usernames; both empty: everyone is allowed."""

    users: frozenset[int | str] = frozenset()
    chats: frozenset[int | str] = frozenset()
    admins: frozenset[int | str] = frozenset()

    @property
    def restricted(self) -> bool:
        """True when an allow-list is set: only those on it (and admins) are served."""
        return bool(self.users or self.chats)

    def is_admin(self, user: Party) -> bool:
        """A bot admin: always allowed, may set limits and read the statistics."""
        return _listed(self.admins, user)

    def allows_user(self, user: Party) -> bool:
        """The user may use the bot wherever they are."""
        return not self.restricted or self.is_admin(user) or _listed(self.users, user)

    def allows_chat(self, chat: Party) -> bool:
        """Everyone in the chat may use the bot (its guests share the chat's budget)."""
        return not self.restricted or _listed(self.chats, chat)

    def allows_any(self, users: Iterable[Party]) -> bool:
        """One of these users (a group's admins) is allowed."""
        return any(self.allows_user(user) for user in users)


def parse_parties(value: str) -> frozenset[int | str]:
    """`123, @Alice, -100456` as ids and lower-case usernames; ValueError names a bad entry."""
    parties: set[int | str] = set()
    for entry in (part.strip() for part in value.replace(";", ",").split(",")):
        if not entry:
            continue
        if entry.startswith("@") and len(entry) > 1 and entry[1:].replace("_", "").isalnum():
            parties.add(entry[1:].lower())
            continue
        try:
            parties.add(int(entry))
        except ValueError:
            raise ValueError(
                f"{entry!r} is neither a numeric id nor an @username (e.g. 123456789, @alice)"
            ) from None
    return frozenset(parties)


def _listed(entries: frozenset[int | str], party: Party) -> bool:
    if party.id in entries:
        return True
    return party.username is not None and party.username.lower() in entries
