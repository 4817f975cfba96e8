"""The numbered schema migrations, one list for both backends with dialect placeholders.

Append new migrations at the end with the next number; never edit one that has shipped.
Placeholders: {id} an auto-incrementing 64-bit primary key, {ts} a timestamp, {json} a JSON
document. Telegram ids exceed 32 bits, hence BIGINT everywhere an id is stored.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """The few column types and statements that differ between backends."""

    id: str
    ts: str
    json: str
    # Run first inside the migration transaction so that two processes don't migrate at once.
    migration_lock: str | None = None
    # Appended to the query that picks the next request, so that processes claim side by side.
    skip_locked: str = ""


@dataclass(frozen=True)
class Migration:
    """One schema step: statements run in order inside the migration transaction."""

    version: int
    name: str
    statements: tuple[str, ...]

    def render(self, dialect: Dialect) -> list[str]:
        """The statements with the dialect's column types filled in."""
        return [
            sql.format(id=dialect.id, ts=dialect.ts, json=dialect.json) for sql in self.statements
        ]


MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS _migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {ts} NOT NULL)"
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "initial",
        (
            """CREATE TABLE articles (
                id {id},
                chat_id BIGINT NOT NULL,
                source TEXT NOT NULL,
                url TEXT,
                title TEXT,
                sitename TEXT,
                author TEXT,
                date TEXT,
                language TEXT,
                description TEXT,
                text TEXT NOT NULL,
                summary TEXT,
                created_at {ts} NOT NULL
            )""",
            "CREATE INDEX articles_chat ON articles (chat_id)",
            # The reply-to lookup: (chat, message) -> article.
            """CREATE TABLE message_links (
                chat_id BIGINT NOT NULL,
                message_id BIGINT NOT NULL,
                article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
                PRIMARY KEY (chat_id, message_id)
            )""",
            "CREATE INDEX message_links_article ON message_links (article_id)",
            """CREATE TABLE latest_articles (
                chat_id BIGINT PRIMARY KEY,
                article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE
            )""",
            "CREATE INDEX latest_articles_article ON latest_articles (article_id)",
            """CREATE TABLE turns (
                id {id},
                chat_id BIGINT NOT NULL,
                article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
                content TEXT NOT NULL,
                created_at {ts} NOT NULL
            )""",
            "CREATE INDEX turns_conversation ON turns (chat_id, article_id, id)",
            "CREATE INDEX turns_article ON turns (article_id)",
            """CREATE TABLE user_prefs (
                user_id BIGINT PRIMARY KEY,
                length TEXT CHECK (length IN ('short', 'medium', 'long')),
                language TEXT,
                format TEXT,
                ui_language TEXT,
                updated_at {ts} NOT NULL
            )""",
            """CREATE TABLE chat_settings (
                chat_id BIGINT PRIMARY KEY,
                settings {json} NOT NULL,
                updated_at {ts} NOT NULL
            )""",
            """CREATE TABLE digest_items (
                id {id},
                chat_id BIGINT NOT NULL,
                article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
                shared_by BIGINT,
                shared_at {ts} NOT NULL
            )""",
            "CREATE INDEX digest_items_chat ON digest_items (chat_id, shared_at)",
            "CREATE INDEX digest_items_article ON digest_items (article_id)",
        ),
    ),
    Migration(
        2,
        "requests",
        (
            # Every accepted update until it is answered (bot.core.work); update_id dedupes
            # Telegram's redeliveries. A conversation's requests run one at a time in id order.
            """CREATE TABLE requests (
                id {id},
                update_id BIGINT NOT NULL UNIQUE,
                conversation TEXT NOT NULL,
                user_id BIGINT,
                payload {json} NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done')),
                attempts INTEGER NOT NULL DEFAULT 0,
                lease_owner TEXT,
                lease_expires {ts},
                received_at {ts} NOT NULL,
                placeholder_id BIGINT,
                replied_at {ts},
                finished_at {ts}
            )""",
            # The unfinished ones only: finding a conversation's head and the next to claim.
            "CREATE INDEX requests_open ON requests (conversation, id) WHERE state <> 'done'",
            "CREATE INDEX requests_waiting ON requests (id) WHERE state <> 'done'",
            "CREATE INDEX requests_finished ON requests (finished_at) WHERE state = 'done'",
        ),
    ),
    Migration(
        3,
        "forum topics",
        (
            # The topic (message_thread_id; 0 outside forum topics) an article was seen in.
            "ALTER TABLE articles ADD COLUMN thread_id BIGINT NOT NULL DEFAULT 0",
            # "The latest article" is kept per topic: topics of one forum never share one.
            """CREATE TABLE latest_topic_articles (
                chat_id BIGINT NOT NULL,
                thread_id BIGINT NOT NULL DEFAULT 0,
                article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
                PRIMARY KEY (chat_id, thread_id)
            )""",
            "INSERT INTO latest_topic_articles (chat_id, thread_id, article_id)"
            " SELECT chat_id, 0, article_id FROM latest_articles",
            "DROP TABLE latest_articles",
            "ALTER TABLE latest_topic_articles RENAME TO latest_articles",
            "CREATE INDEX latest_articles_article ON latest_articles (article_id)",
            # Digests are per topic too and link each item to the message that shared it.
            "ALTER TABLE digest_items ADD COLUMN thread_id BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE digest_items ADD COLUMN message_id BIGINT",
            "CREATE INDEX digest_items_topic ON digest_items (chat_id, thread_id, shared_at)",
        ),
    ),
    Migration(
        4,
        "requests across replicas",
        (
            # /cancel may reach another process than the one running the request: it is noted
            # here, and the holder of the lease stops the work.
            "ALTER TABLE requests ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT FALSE",
            # The request's work is a summary or an answer: messages behind it get a note.
            "ALTER TABLE requests ADD COLUMN slow BOOLEAN NOT NULL DEFAULT FALSE",
            # When the "still working" note for this (queued) request was sent: at most once.
            "ALTER TABLE requests ADD COLUMN noted_at {ts}",
        ),
    ),
    Migration(
        5,
        "split pastes across replicas",
        (
            # The later parts of a split paste, taken by the worker of its first part (whichever
            # process received them): a retry after a crash finds them again.
            "ALTER TABLE requests ADD COLUMN absorbed_into BIGINT",
            "CREATE INDEX requests_absorbed ON requests (absorbed_into)"
            " WHERE absorbed_into IS NOT NULL",
        ),
    ),
    Migration(
        6,
        "replicas",
        (
            # Each bot process's heartbeat (bot.core.work.replicas): Telegram's limits hold for
            # the bot as a whole, so each process takes its share of them.
            "CREATE TABLE replicas (owner TEXT PRIMARY KEY, last_seen {ts} NOT NULL)",
        ),
    ),
    Migration(
        7,
        "usage",
        (
            # One row per LLM call (kind 'llm'), per request refused for its budget ('refused'),
            # and per summary or answer once done ('request') or failed ('error'); budgets sum
            # the calls over the day and the month (bot.core.usage), /stats counts the rest.
            """CREATE TABLE usage_events (
                id {id},
                at {ts} NOT NULL,
                user_id BIGINT,
                chat_id BIGINT,
                kind TEXT NOT NULL CHECK (kind IN ('llm', 'refused', 'request', 'error')),
                model TEXT NOT NULL,
                prompt_tokens BIGINT NOT NULL,
                completion_tokens BIGINT NOT NULL,
                cost_usd DOUBLE PRECISION NOT NULL
            )""",
            "CREATE INDEX usage_events_at ON usage_events (at)",
            # The calls' sums per user, chat and the whole bot ('bot', subject 0) per UTC day
            # and month, kept with each call: a budget check reads a few rows, not a month.
            """CREATE TABLE usage_totals (
                scope TEXT NOT NULL,
                subject BIGINT NOT NULL,
                period TEXT NOT NULL,
                starts_at {ts} NOT NULL,
                tokens BIGINT NOT NULL,
                cost_usd DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (scope, subject, period, starts_at)
            )""",
            # A limit an admin gave one user or chat; value NULL means "no limit".
            """CREATE TABLE usage_limits (
                scope TEXT NOT NULL,
                subject BIGINT NOT NULL,
                period TEXT NOT NULL,
                unit TEXT NOT NULL,
                value DOUBLE PRECISION,
                updated_at {ts} NOT NULL,
                PRIMARY KEY (scope, subject, period, unit)
            )""",
            # Lower-case @username -> user id, so that admins can name users.
            """CREATE TABLE usernames (
                username TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL,
                seen_at {ts} NOT NULL
            )""",
            # When a user who is not allowed was last told so (at most once a day).
            """CREATE TABLE access_notices (
                user_id BIGINT PRIMARY KEY,
                noticed_at {ts} NOT NULL
            )""",
        ),
    ),
    Migration(
        8,
        "summary cache",
        (
            # Every link is summarized once: the summary kept under its key (a hash of the
            # article's canonical URL and text, length, format, language, prompt and model).
            """CREATE TABLE summary_cache (
                key TEXT PRIMARY KEY,
                url TEXT,
                summary {json} NOT NULL,
                created_at {ts} NOT NULL,
                expires_at {ts} NOT NULL
            )""",
            "CREATE INDEX summary_cache_expires ON summary_cache (expires_at)",
        ),
    ),
    Migration(
        9,
        "shared links",
        (
            # Digest items are the links a group shared, recorded as they pass (before anyone
            # reads them), so they hold a URL rather than a stored article.
            "DROP TABLE digest_items",
            """CREATE TABLE digest_items (
                id {id},
                chat_id BIGINT NOT NULL,
                thread_id BIGINT NOT NULL DEFAULT 0,
                message_id BIGINT,
                url TEXT NOT NULL,
                shared_by BIGINT,
                shared_at {ts} NOT NULL
            )""",
            "CREATE INDEX digest_items_topic ON digest_items (chat_id, thread_id, shared_at)",
            "CREATE INDEX digest_items_shared ON digest_items (shared_at)",
        ),
    ),
    Migration(
        10,
        "channel posts",
        (
            # A channel's posts, whether the bot administers it (channel_post updates) or reads
            # its public web preview: kept whole, since a post without links is an item too.
            """CREATE TABLE channel_posts (
                channel TEXT NOT NULL,
                post_id BIGINT NOT NULL,
                posted_at {ts} NOT NULL,
                text TEXT NOT NULL,
                links {json} NOT NULL,
                PRIMARY KEY (channel, post_id)
            )""",
            "CREATE INDEX channel_posts_posted ON channel_posts (channel, posted_at)",
        ),
    ),
    Migration(
        11,
        "cache hits in usage events",
        (
            # A summary the shared cache gave a chat ('cache_hit') is an event too, for /stats.
            # The kinds are a CHECK, which neither backend alters in place: the table is copied
            # (without its ids, so that PostgreSQL's identity goes on from the copied rows).
            """CREATE TABLE usage_events_new (
                id {id},
                at {ts} NOT NULL,
                user_id BIGINT,
                chat_id BIGINT,
                kind TEXT NOT NULL
                    CHECK (kind IN ('llm', 'refused', 'request', 'error', 'cache_hit')),
                model TEXT NOT NULL,
                prompt_tokens BIGINT NOT NULL,
                completion_tokens BIGINT NOT NULL,
                cost_usd DOUBLE PRECISION NOT NULL
            )""",
            "INSERT INTO usage_events_new (at, user_id, chat_id, kind, model, prompt_tokens,"
            " completion_tokens, cost_usd) SELECT at, user_id, chat_id, kind, model,"
            " prompt_tokens, completion_tokens, cost_usd FROM usage_events ORDER BY id",
            "DROP TABLE usage_events",
            "ALTER TABLE usage_events_new RENAME TO usage_events",
            "CREATE INDEX usage_events_at ON usage_events (at)",
        ),
    ),
    Migration(
        12,
        "channel connections",
        (
            # A channel an admin connected to their private chat: /digest @channel there.
            """CREATE TABLE channel_connections (
                user_id BIGINT NOT NULL,
                channel TEXT NOT NULL,
                username TEXT,
                title TEXT NOT NULL,
                connected_at {ts} NOT NULL,
                PRIMARY KEY (user_id, channel)
            )""",
        ),
    ),
    Migration(
        13,
        "kept messages",
        (
            # A group's message texts, kept (when its admins turned recaps on) for its recaps
            # and for follow-up questions on a digest; pruned with the digest items.
            """CREATE TABLE kept_messages (
                chat_id BIGINT NOT NULL,
                thread_id BIGINT NOT NULL DEFAULT 0,
                message_id BIGINT NOT NULL,
                author TEXT,
                text TEXT NOT NULL,
                sent_at {ts} NOT NULL,
                PRIMARY KEY (chat_id, message_id)
            )""",
            "CREATE INDEX kept_messages_topic ON kept_messages (chat_id, thread_id, sent_at)",
            "CREATE INDEX kept_messages_sent ON kept_messages (sent_at)",
        ),
    ),
    Migration(
        14,
        "budget holds",
        (
            # The estimate of a request still running, per budget row it counts in: a budget
            # check adds the live ones to what was spent, so checks at once (any replica) see
            # each other. The request deletes its rows as it ends; a dead process's expire.
            """CREATE TABLE budget_holds (
                hold TEXT NOT NULL,
                scope TEXT NOT NULL,
                subject BIGINT NOT NULL,
                period TEXT NOT NULL,
                starts_at {ts} NOT NULL,
                tokens BIGINT NOT NULL,
                cost_usd DOUBLE PRECISION NOT NULL,
                expires_at {ts} NOT NULL,
                PRIMARY KEY (hold, scope, subject, period)
            )""",
            "CREATE INDEX budget_holds_budget ON budget_holds (scope, subject, period, starts_at)",
            "CREATE INDEX budget_holds_expires ON budget_holds (expires_at)",
        ),
    ),
    Migration(
        15,
        "digest schedules",
        (
            # A chat's (or topic's) schedule, and when it next fires: the scheduler asks for the
            # due ones. A destination other than the chat itself can be added as columns.
            """CREATE TABLE digest_schedules (
                chat_id BIGINT NOT NULL,
                thread_id BIGINT NOT NULL DEFAULT 0,
                spec TEXT NOT NULL,
                next_at {ts} NOT NULL,
                PRIMARY KEY (chat_id, thread_id)
            )""",
            "CREATE INDEX digest_schedules_due ON digest_schedules (next_at)",
            # One run per chat, topic and period, whichever process sees it first; its parts are
            # rendered once and `sent` counts those posted, so a resumed run sends only the rest.
            """CREATE TABLE digest_runs (
                id {id},
                chat_id BIGINT NOT NULL,
                thread_id BIGINT NOT NULL DEFAULT 0,
                period {ts} NOT NULL,
                late BOOLEAN NOT NULL,
                parts {json},
                sent INTEGER NOT NULL DEFAULT 0,
                lease_owner TEXT,
                lease_expires {ts},
                done_at {ts},
                UNIQUE (chat_id, thread_id, period)
            )""",
            "CREATE INDEX digest_runs_open ON digest_runs (done_at, lease_expires)",
        ),
    ),
    Migration(
        16,
        "followed channels",
        (
            # One row per public channel anyone follows: polled once per interval however many
            # follow it, claimed by moving next_poll_at so several replicas fetch it once.
            """CREATE TABLE followed_channels (
                channel TEXT PRIMARY KEY,
                next_poll_at {ts} NOT NULL,
                last_post_id BIGINT NOT NULL DEFAULT 0,
                failures INTEGER NOT NULL DEFAULT 0
            )""",
            "CREATE INDEX followed_channels_due ON followed_channels (next_poll_at)",
            """CREATE TABLE follows (
                user_chat_id BIGINT NOT NULL,
                channel TEXT NOT NULL,
                followed_at {ts} NOT NULL,
                PRIMARY KEY (user_chat_id, channel)
            )""",
            "CREATE INDEX follows_channel ON follows (channel)",
        ),
    ),
    Migration(
        17,
        "channel digest schedules",
        (
            # A connected channel's schedule is keyed by the channel's chat id (topic 0): one per
            # channel, digesting `channel` and posted to post_chat_id / post_thread_id. Its runs
            # copy both, so a run posts where its schedule said when it fired.
            "ALTER TABLE digest_schedules ADD COLUMN channel TEXT",
            "ALTER TABLE digest_schedules ADD COLUMN post_chat_id BIGINT",
            "ALTER TABLE digest_schedules ADD COLUMN post_thread_id BIGINT",
            "ALTER TABLE digest_runs ADD COLUMN channel TEXT",
            "ALTER TABLE digest_runs ADD COLUMN post_chat_id BIGINT",
            "ALTER TABLE digest_runs ADD COLUMN post_thread_id BIGINT",
        ),
    ),
    Migration(
        18,
        "channel schedule admins",
        (
            # The admin who set a channel's schedule: their budget pays for it, and their
            # /disconnect or lost admin rights stop it. Its runs copy it like the destination.
            "ALTER TABLE digest_schedules ADD COLUMN admin_id BIGINT",
            "ALTER TABLE digest_runs ADD COLUMN admin_id BIGINT",
            # Kept schedules: the private chat they post to is their admin's, else one who
            # connected the channel; one nobody connected any more stops (as /disconnect does).
            "UPDATE digest_schedules SET admin_id = COALESCE("
            "CASE WHEN post_chat_id > 0 THEN post_chat_id END, (SELECT MIN(c.user_id)"
            " FROM channel_connections c WHERE c.channel = digest_schedules.channel))"
            " WHERE channel IS NOT NULL",
            "UPDATE digest_runs SET admin_id = (SELECT s.admin_id FROM digest_schedules s"
            " WHERE s.chat_id = digest_runs.chat_id AND s.thread_id = digest_runs.thread_id)"
            " WHERE channel IS NOT NULL",
            "DELETE FROM digest_schedules WHERE channel IS NOT NULL AND admin_id IS NULL",
            "DELETE FROM digest_runs WHERE channel IS NOT NULL AND admin_id IS NULL",
        ),
    ),
)
