"""The Bot API methods of the Telegram emulator: each takes decoded params, returns the result."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.playground.emulator.mdv2 import parse_markdown_v2
from bot.playground.emulator.parse import (
    MAX_TEXT_LENGTH,
    EntityParseError,
    parse_html,
    trim,
    utf16_len,
)

if TYPE_CHECKING:
    from bot.playground.emulator.server import TelegramServer

Message = dict[str, Any]
Handler = Callable[["TelegramServer", dict[str, Any]], Awaitable[Any]]
METHODS: dict[str, Handler] = {}
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """An error reply: HTTP status = error_code, with Telegram's description."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        *,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def parameters(self) -> dict[str, int]:
        """The reply's `parameters` object (ResponseParameters), empty when there are none."""
        found = {"retry_after": self.retry_after, "migrate_to_chat_id": self.migrate_to_chat_id}
        return {key: value for key, value in found.items() if value is not None}


def bad_request(reason: str) -> ApiError:
    """A 400 with the usual 'Bad Request: ' prefix."""
    return ApiError(400, f"Bad Request: {reason}")


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under its Bot API name (matched case-insensitively)."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = handler
        return handler

    return register


def render_text(params: dict[str, Any], *, allow_empty: bool = False) -> tuple[str, list[Any]]:
    """Apply parse_mode/entities to params['text'] like the server: (text, entities) or 400."""
    text = str(params.get("text") or "")
    mode = str(params.get("parse_mode") or "").lower()
    try:
        if mode == "html":
            text, entities = parse_html(text)
        elif mode == "markdownv2":
            text, entities = parse_markdown_v2(text)
        elif mode:
            raise bad_request("unsupported parse_mode")
        else:
            entities = list(params.get("entities") or [])
    except EntityParseError as exc:
        raise ApiError(400, str(exc)) from exc
    text, entities = trim(text, entities)
    if not text and not allow_empty:
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text, entities


def _chat_id(server: TelegramServer, params: dict[str, Any]) -> int:
    chat_id = server.resolve_chat(params.get("chat_id"))
    if chat_id not in server.chats:
        raise bad_request("chat not found")
    return int(chat_id)


def _bot_message(server: TelegramServer, params: dict[str, Any], missing: str) -> Message:
    messages = server.store.get(params.get("chat_id"), {})  # type: ignore[arg-type]
    message = messages.get(int(params.get("message_id") or 0))
    if message is None:
        raise bad_request(missing)
    return message


def _text_fields(text: str, entities: list[Any], markup: Any) -> dict[str, Any]:
    return {"text": text, "entities": entities or None, "reply_markup": markup or None}


@method("getMe")
async def get_me(server: TelegramServer, params: dict[str, Any]) -> Any:
    """The bot's own user with its capabilities."""
    return {
        **server.bot,
        "can_join_groups": True,
        "can_read_all_group_messages": not server.privacy_mode,
        "supports_inline_queries": True,
    }


@method("setWebhook")
async def set_webhook(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Record the webhook (the emulator never pushes to it)."""
    server.webhook = params
    return True


@method("deleteWebhook")
async def delete_webhook(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Forget the webhook; drop_pending_updates empties the queue."""
    server.webhook = None
    if params.get("drop_pending_updates"):
        server.updates.clear()
    return True


@method("getUpdates")
async def get_updates(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Long polling with offset confirmation."""
    return await server.next_updates(
        int(params.get("offset") or 0),
        min(int(params.get("limit") or 100), 100),
        float(params.get("timeout") or 0),
    )


@method("sendMessage")
async def send_message(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Send text (parsed into text + entities), optionally as a reply or in a topic."""
    chat_id = _chat_id(server, params)
    text, entities = render_text(params)
    reply = params.get("reply_parameters") or {}
    reply_id = reply.get("message_id") or params.get("reply_to_message_id")
    if reply_id is not None and int(reply_id) not in server.store[chat_id]:
        if not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        reply_id = None
    topic = server.topic_fields(
        chat_id,
        _thread_id(params),
        server.reply_target(chat_id, int(reply_id) if reply_id else None),
    )
    server.drafts.pop(chat_id, None)  # the message replaces the draft streamed before it
    return server.new_message(
        chat_id, server.bot, **_text_fields(text, entities, params.get("reply_markup")), **topic
    )


def _thread_id(params: dict[str, Any]) -> int | None:
    thread = params.get("message_thread_id")
    return int(thread) if thread else None


@method("editMessageText")
async def edit_message_text(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Edit the bot's message; identical content and markup is 'not modified'."""
    message = _editable(server, params)
    text, entities = render_text(params)
    edited = _edit(message, _text_fields(text, entities, params.get("reply_markup")))
    return True if params.get("inline_message_id") else edited  # Telegram's answer to each


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Replace (or remove) the inline keyboard of the bot's message; the same one is 'not modified'."""
    message = _editable(server, params)
    return _edit(message, {"reply_markup": params.get("reply_markup") or None})


def _editable(server: TelegramServer, params: dict[str, Any]) -> Message:
    """The bot's own message that params point at, or Telegram's 400."""
    if inline_message_id := params.get("inline_message_id"):
        return server.inline_message(str(inline_message_id))
    message = _bot_message(server, params, "message to edit not found")
    if message.get("from", {}).get("id") != server.bot["id"]:
        raise bad_request("message can't be edited")
    return message


def _edit(message: Message, fields: dict[str, Any]) -> Message:
    """Apply an edit (None removes a field) unless it changes nothing."""
    if {key: message.get(key) for key in fields} == fields:
        raise bad_request(_NOT_MODIFIED[len("Bad Request: ") :])
    for key, value in fields.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = int(time.time())
    return message


@method("deleteMessage")
async def delete_message(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Delete a message of the chat."""
    message = _bot_message(server, params, "message to delete not found")
    del server.store[message["chat"]["id"]][message["message_id"]]
    return True


@method("sendChatAction")
async def send_chat_action(server: TelegramServer, params: dict[str, Any]) -> Any:
    """A 'typing...' indicator, in a forum topic when message_thread_id names one."""
    chat_id = _chat_id(server, params)
    server.topic_fields(chat_id, _thread_id(params), None)  # an unknown topic is a 400
    return True


@method("sendMessageDraft")
async def send_message_draft(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Stream an ephemeral draft in a private chat (or reject it like an older server)."""
    chat_id = _chat_id(server, params)
    if server.reject_drafts or server.chats[chat_id]["type"] != "private":
        raise bad_request("TEXTDRAFT_PEER_INVALID")
    if not params.get("draft_id"):
        raise bad_request("draft_id must be non-zero")
    text, entities = render_text(params, allow_empty=True)
    server.drafts[chat_id] = {"draft_id": params["draft_id"], "text": text, "entities": entities}
    return True


_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


@method("setMyCommands")
async def set_my_commands(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Store the command menu per scope and language."""
    commands = list(params.get("commands") or [])
    for command in commands:
        if not _COMMAND.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    scope = (params.get("scope") or {"type": "default"})["type"]
    server.commands[(scope, str(params.get("language_code") or ""))] = commands
    return True


@method("getMyCommands")
async def get_my_commands(server: TelegramServer, params: dict[str, Any]) -> Any:
    """The stored command menu for a scope and language."""
    scope = (params.get("scope") or {"type": "default"})["type"]
    return server.commands.get((scope, str(params.get("language_code") or "")), [])


# What a new user sees before pressing Start, and in the bot's profile, by their limits.
_DESCRIPTION_LIMITS = {"description": 512, "short_description": 120}


def _describe(kind: str) -> Handler:
    async def set_text(server: TelegramServer, params: dict[str, Any]) -> Any:
        value = str(params.get(kind) or "")
        if len(value) > _DESCRIPTION_LIMITS[kind]:
            raise bad_request(f"{kind.replace('_', ' ')} is too long")
        server.descriptions[(kind, str(params.get("language_code") or ""))] = value
        return True

    return set_text


def _described(kind: str) -> Handler:
    async def get_text(server: TelegramServer, params: dict[str, Any]) -> Any:
        language = str(params.get("language_code") or "")
        return {kind: server.descriptions.get((kind, language), "")}

    return get_text


for _name, _kind in (("MyDescription", "description"), ("MyShortDescription", "short_description")):
    method(f"set{_name}")(_describe(_kind))
    method(f"get{_name}")(_described(_kind))


@method("answerCallbackQuery")
async def answer_callback_query(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Answer a button press once."""
    query_id = str(params.get("callback_query_id"))
    if query_id in server.callback_answers or query_id not in server.queries:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    server.callback_answers[query_id] = params
    return True


@method("getFile")
async def get_file(server: TelegramServer, params: dict[str, Any]) -> Any:
    """File metadata with the file_path to download from."""
    stored = server.files.get(str(params.get("file_id")))
    if stored is None:
        raise bad_request("invalid file_id")
    meta, data = stored
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return meta


@method("sendDocument")
async def send_document(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Send a document (uploaded or by file_id) with an optional caption."""
    chat_id = _chat_id(server, params)
    document = params.get("document")
    if isinstance(document, str):
        stored = server.files.get(document)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        document = {k: v for k, v in stored[0].items() if k != "file_path"}
    if not isinstance(document, dict):
        raise bad_request("there is no document in the request")
    caption, entities = render_text({**params, "text": params.get("caption")}, allow_empty=True)
    return server.new_message(
        chat_id,
        server.bot,
        document=document,
        caption=caption or None,
        caption_entities=entities or None,
    )


def _member(user: dict[str, Any], status: str) -> dict[str, Any]:
    if status == "kicked":
        return {"status": status, "user": user, "until_date": 0}  # banned for good
    if status not in ("creator", "administrator"):
        return {"status": status, "user": user}
    rights = (
        "can_be_edited is_anonymous can_manage_chat can_delete_messages can_manage_video_chats "
        "can_restrict_members can_promote_members can_change_info can_invite_users "
        "can_post_stories can_edit_stories can_delete_stories"
    )
    return {"status": status, "user": user, **dict.fromkeys(rights.split(), status == "creator")}


@method("getChatAdministrators")
async def get_chat_administrators(server: TelegramServer, params: dict[str, Any]) -> Any:
    """The chat's creator and administrators as the test set them, the bot included."""
    chat_id = _chat_id(server, params)
    return [
        {**_member(user, status), **server.channel_rights(chat_id, user["id"])}
        for user, status in server.administrators(chat_id)
    ]


@method("getChatMember")
async def get_chat_member(server: TelegramServer, params: dict[str, Any]) -> Any:
    """The status the test gave the user in this chat; "member" for anyone else."""
    chat_id = _chat_id(server, params)
    user_id = int(params.get("user_id") or 0)
    return {**_member(*server.member(chat_id, user_id)), **server.channel_rights(chat_id, user_id)}


@method("getChat")
async def get_chat(server: TelegramServer, params: dict[str, Any]) -> Any:
    """The chat by id or "@username", with ChatFullInfo's required fields."""
    return server.full_chat(_chat_id(server, params))


@method("setMessageReaction")
async def set_message_reaction(server: TelegramServer, params: dict[str, Any]) -> Any:
    """Record a reaction on a message."""
    message = _bot_message(server, params, "message to react not found")
    message["bot_reaction"] = params.get("reaction") or []
    return True


@method("leaveChat")
async def leave_chat(server: TelegramServer, params: dict[str, Any]) -> Any:
    """The bot leaves a group: from then on every call to that chat answers 403."""
    server.blocked.add(_chat_id(server, params))
    return True
