"""Channels in the Bot API emulator: the bot as an administrator (with or without the right to
post), channel posts and their edits, getChat by @username, and posts forwarded to a private chat.

`ChannelDriver` extends `GroupDriver` (admins and members are kept the same way) and is mixed
into `TelegramServer`, which declares the state as its fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.playground.emulator.groups import GroupDriver, Member
from bot.playground.emulator.methods import Message, bad_request

# What getChat adds to every chat (ChatFullInfo's required fields).
_FULL_INFO: dict[str, Any] = {
    "accent_color_id": 0,
    "max_reaction_count": 11,
    "accepted_gift_types": dict.fromkeys(
        [
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        ],
        False,
    ),
}


class ChannelDriver(GroupDriver):
    """Channels: the driver side and what getChat / getChatMember look up."""

    # channel id -> can the bot post there; a channel missing here does not have the bot as admin
    bot_rights: dict[int, bool]

    if TYPE_CHECKING:

        def send_message(
            self,
            chat_id: int,
            text: str,
            *,
            user: dict[str, Any] | None = None,
            chat_type: str = "private",
            forward_origin: dict[str, Any] | None = None,
            date: int | None = None,
        ) -> Message: ...

    # --- driver -----------------------------------------------------------------------------

    def channel(
        self,
        chat_id: int,
        *,
        username: str | None = None,
        title: str | None = None,
        creator: dict[str, Any] | None = None,
        admins: Iterable[dict[str, Any]] = (),
        bot_admin: bool = True,
        bot_can_post: bool = True,
        linked_chat_id: int | None = None,
    ) -> dict[str, Any]:
        """A channel (public with a `username`) with its creator and admins, and its discussion
        group if `linked_chat_id`; the bot is an administrator (able to post unless
        `bot_can_post` is False) unless `bot_admin` is False."""
        chat = self.chat(chat_id, "channel")
        chat["type"] = "channel"
        chat["title"] = title or chat["title"]
        if username:
            chat["username"] = username
        if linked_chat_id is not None:
            chat["linked_chat_id"] = linked_chat_id
        for user in admins:
            self.set_member(chat_id, user, "administrator")
        if creator is not None:
            self.set_member(chat_id, creator, "creator")
        if bot_admin:
            self.bot_rights[chat_id] = bot_can_post
        else:
            self.bot_rights.pop(chat_id, None)
        return chat

    def send_channel_post(self, chat_id: int, text: str, date: int | None = None) -> Message:
        """A post in a channel (at `date`, Unix time, else now); the bot gets it only as an
        administrator (a channel first seen here has the bot as one)."""
        if chat_id not in self.chats:
            self.channel(chat_id)
        return self.send_message(chat_id, text, chat_type="channel", date=date)

    def forward_channel_post(
        self, chat_id: int, channel_id: int, post_id: int, *, user: dict[str, Any] | None = None
    ) -> Message:
        """A user forwards one of a channel's posts to their private chat with the bot."""
        post = self.store[channel_id][post_id]
        origin = {
            "type": "channel",
            "chat": self.chats[channel_id],
            "message_id": post_id,
            "date": post["date"],
        }
        text = str(post.get("text") or post.get("caption") or "")
        return self.send_message(chat_id, text, user=user, forward_origin=origin)

    # --- used by the methods ----------------------------------------------------------------

    def resolve_chat(self, chat_id: Any) -> Any:
        """A chat id as given, or the id of the chat whose username "@name" names."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            for known, chat in self.chats.items():
                if str(chat.get("username", "")).lower() == name:
                    return known
            raise bad_request("chat not found")
        return chat_id

    def full_chat(self, chat_id: int) -> dict[str, Any]:
        """getChat's answer: the chat and the fields ChatFullInfo requires."""
        return {**self.chats[chat_id], **_FULL_INFO}

    def member(self, chat_id: int, user_id: int) -> Member:
        """In a channel the bot is an administrator only where the test made it one."""
        if user_id == self.bot["id"] and self._is_channel(chat_id):
            return self.bot, "administrator" if chat_id in self.bot_rights else "left"
        return super().member(chat_id, user_id)

    def administrators(self, chat_id: int) -> list[Member]:
        """A channel's creator and admins, the bot last when it is one."""
        found = super().administrators(chat_id)
        if self._is_channel(chat_id) and chat_id not in self.bot_rights:
            return found[:-1]
        return found

    def channel_rights(self, chat_id: int, user_id: int) -> dict[str, Any]:
        """The channel-only rights of an administrator: posting and editing posts."""
        if not self._is_channel(chat_id):
            return {}
        if self.member(chat_id, user_id)[1] not in ("creator", "administrator"):
            return {}
        # People the test made admins may post; the bot as the test said.
        can = self.bot_rights.get(chat_id, True) if user_id == self.bot["id"] else True
        return {"can_post_messages": can, "can_edit_messages": can}

    def delivers(self, message: Message) -> bool:
        """A channel's posts reach the bot only where it is an administrator."""
        chat_id = message["chat"]["id"]
        if self._is_channel(chat_id):
            return chat_id in self.bot_rights
        return super().delivers(message)

    def _is_channel(self, chat_id: int) -> bool:
        return self.chats.get(chat_id, {}).get("type") == "channel"
