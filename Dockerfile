# summarybot: a small image that runs `summarybot run` (long polling, or a webhook with WEBHOOK_URL).
# Build:  docker build -t summarybot .
# Run:    docker run --env-file .env -v summarybot-data:/data summarybot

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv && /venv/bin/pip install --upgrade pip
WORKDIR /src
# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir -p bot/core bot/telegram prompts \
    && touch bot/__init__.py bot/core/__init__.py bot/telegram/__init__.py prompts/__init__.py \
    && /venv/bin/pip install . && /venv/bin/pip uninstall --yes summarybot
COPY bot ./bot
COPY prompts ./prompts
RUN /venv/bin/pip install --no-deps . \
    && cd / && /venv/bin/python -c "from importlib.resources import files; assert files('bot.prompts').joinpath('summarize.txt').is_file()"
# Exact token counts for current OpenAI models: cache their encodings while the build has a
# network. Without it the bot still works offline with the bundled cl100k_base and a margin.
ENV TIKTOKEN_CACHE_DIR=/opt/tiktoken
RUN mkdir -p /opt/tiktoken && /venv/bin/python -c "import tiktoken; [tiktoken.get_encoding(n) for n in ('o200k_base', 'cl100k_base')]" \
    || echo "tiktoken encodings not cached; the bundled cl100k_base will be used"

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 summarybot && mkdir /data && chown summarybot /data
COPY --from=build /venv /venv
COPY --from=build /opt/tiktoken /opt/tiktoken
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TIKTOKEN_CACHE_DIR=/opt/tiktoken \
    DATABASE_URL=sqlite:////data/summarybot.db
VOLUME /data
USER summarybot
WORKDIR /home/summarybot
# Only used in webhook mode (WEBHOOK_URL set); put it behind your TLS reverse proxy.
EXPOSE 8443
STOPSIGNAL SIGTERM
ENTRYPOINT ["summarybot"]
CMD ["run"]
