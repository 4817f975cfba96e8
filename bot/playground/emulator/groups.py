"""Group chats in the Bot API emulator: members and admins, forum topics, anonymous admins,
upgrades to supergroups, and what privacy mode lets a bot see.

`GroupDriver` is mixed into `TelegramServer`, which declares the state as its fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.playground.emulator.methods import ApiError, Message, bad_request

# The service user an anonymous admin's messages come from (their sender_chat is the group).
ANONYMOUS_ADMIN: dict[str, Any] = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
ADMIN_STATUSES = frozenset({"creator", "administrator"})
STATUSES = ADMIN_STATUSES | {"member", "left", "kicked"}
GROUP_TYPES = frozenset({"group", "supergroup"})
# Fields that make a message a service message, which privacy mode always delivers.
_SERVICE_FIELDS = (
    "new_chat_members",
    "left_chat_member",
    "new_chat_title",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
    "pinned_message",
    "forum_topic_created",
    "forum_topic_closed",
)
Member = tuple[dict[str, Any], str]  # the user and their status


class GroupDriver:
    """Groups, supergroups and forum topics: the driver side and what the methods look up."""

    bot: dict[str, Any]
    chats: dict[int, dict[str, Any]]
    store: dict[int, dict[int, Message]]
    members: dict[int, dict[int, Member]]
    topics: dict[int, dict[int, str]]
    migrated: dict[int, int]
    privacy_mode: bool

    if TYPE_CHECKING:

        def chat(
            self, chat_id: int, chat_type: str = "private", user: dict[str, Any] | None = None
        ) -> dict[str, Any]: ...

        def new_message(
            self, chat_id: int, sender: dict[str, Any] | None, **fields: Any
        ) -> Message: ...

        def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    # --- driver -----------------------------------------------------------------------------

    def group(
        self,
        chat_id: int,
        kind: str = "supergroup",
        *,
        title: str | None = None,
        username: str | None = None,
        forum: bool = False,
        creator: dict[str, Any] | None = None,
        admins: Iterable[dict[str, Any]] = (),
        members: Iterable[dict[str, Any]] = (),
    ) -> dict[str, Any]:
        """A group or supergroup (a forum with topics when `forum`, public with a `username`)
        with these people in it."""
        if kind not in GROUP_TYPES:
            raise ValueError(f"not a group type: {kind}")
        chat = self.chat(chat_id, kind)
        chat["type"] = kind
        if title:
            chat["title"] = title
        if username:
            chat["username"] = username
        if forum:
            chat["is_forum"] = True
        for users, status in ((members, "member"), (admins, "administrator")):
            for user in users:
                self.set_member(chat_id, user, status)
        if creator is not None:
            self.set_member(chat_id, creator, "creator")
        return chat

    def set_member(self, chat_id: int, user: dict[str, Any], status: str) -> None:
        """Give a user a status in a chat: creator, administrator, member, left or kicked."""
        if status not in STATUSES:
            raise ValueError(f"not a chat member status: {status}")
        self.members.setdefault(chat_id, {})[int(user["id"])] = (user, status)

    def set_admins(self, chat_id: int, users: list[dict[str, Any]]) -> None:
        """Make these users (and the bot) the administrators of a group or channel."""
        for user_id, (user, status) in list(self.members.get(chat_id, {}).items()):
            if status == "administrator":
                self.members[chat_id][user_id] = (user, "member")
        for user in users:
            self.set_member(chat_id, user, "administrator")

    def create_topic(self, chat_id: int, name: str, *, user: dict[str, Any]) -> int:
        """A user opens a forum topic; returns its message_thread_id (the service message's id)."""
        chat = self.chats[chat_id]
        chat["is_forum"] = True
        message = self.new_message(
            chat_id,
            user,
            forum_topic_created={"name": name, "icon_color": 7322096},
            is_topic_message=True,
        )
        message["message_thread_id"] = message["message_id"]
        self.topics.setdefault(chat_id, {})[message["message_id"]] = name
        self.push_update("message", message)
        return int(message["message_id"])

    def migrate_to_supergroup(
        self, chat_id: int, new_chat_id: int, *, user: dict[str, Any]
    ) -> dict[str, Any]:
        """Upgrade a group: the old id answers "upgraded" from now on; both chats say so."""
        old = self.chats[chat_id]
        new = self.chat(new_chat_id, "supergroup")
        new["title"] = old.get("title", new["title"])
        self.members[new_chat_id] = dict(self.members.get(chat_id, {}))
        self.push_update("message", self.new_message(chat_id, user, migrate_to_chat_id=new_chat_id))
        self.migrated[chat_id] = new_chat_id
        self.push_update(
            "message", self.new_message(new_chat_id, user, migrate_from_chat_id=chat_id)
        )
        return new

    # --- used by the methods and the driver ---------------------------------------------------

    def member(self, chat_id: int, user_id: int) -> Member:
        """A user's status in a chat: what the test set, the bot an admin, others members."""
        if user_id == self.bot["id"]:
            return self.bot, "administrator"
        fallback = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        return self.members.get(chat_id, {}).get(user_id, (fallback, "member"))

    def administrators(self, chat_id: int) -> list[Member]:
        """The chat's creator and administrators, the bot last."""
        people = self.members.get(chat_id, {}).values()
        return [(u, s) for u, s in people if s in ADMIN_STATUSES] + [(self.bot, "administrator")]

    def check_migrated(self, chat_id: Any) -> None:
        """The 400 a group's old id gets once it became a supergroup."""
        if chat_id in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=self.migrated[chat_id],
            )

    def topic_fields(
        self, chat_id: int, thread_id: int | None, reply_to: Message | None
    ) -> dict[str, Any]:
        """A message's topic fields; in a topic a message that replies to nothing replies to
        the topic's first (service) message, as Telegram does."""
        if thread_id is None or not self.chats[chat_id].get("is_forum"):
            return {"message_thread_id": thread_id, "reply_to_message": reply_to}
        topics = self.topics.setdefault(chat_id, {})
        if thread_id not in topics:
            raise bad_request("message thread not found")
        root = self.store[chat_id].get(thread_id)
        return {
            "message_thread_id": thread_id,
            "is_topic_message": True,
            "reply_to_message": reply_to or root,
        }

    def open_topic(self, chat_id: int, thread_id: int) -> None:
        """A topic a test writes in without creating it first: known from now on."""
        self.chats[chat_id]["is_forum"] = True
        self.topics.setdefault(chat_id, {}).setdefault(thread_id, f"Topic {thread_id}")

    def delivers(self, message: Message) -> bool:
        """What a bot in privacy mode (and no admin) gets of a group: commands, replies to it,
        mentions of it and service messages; everything when `privacy_mode` is off."""
        chat = message["chat"]
        if not self.privacy_mode or chat["type"] not in GROUP_TYPES:
            return True
        if any(field in message for field in _SERVICE_FIELDS):
            return True
        replied = message.get("reply_to_message") or {}
        if replied.get("from", {}).get("id") == self.bot["id"] and "forum_topic_created" not in (
            replied
        ):
            return True
        text = str(message.get("text") or message.get("caption") or "")
        return _is_command_for(text, self.bot["username"]) or (
            f"@{self.bot['username']}".lower() in text.lower()
        )


def _is_command_for(text: str, username: str) -> bool:
    """`/cmd` or `/cmd@thisbot` at the start of the text."""
    if not text.startswith("/"):
        return False
    command = text.split(maxsplit=1)[0]
    return "@" not in command or command.split("@", 1)[1].lower() == username.lower()
