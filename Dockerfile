# syntax=docker/dockerfile:1
#
# One image for all four services of the district market-regulation
# law-enforcement platform (registration, enforcement, ip_protection,
# legal_review). Which service a container runs is chosen at run time with
# the SERVICE environment variable, e.g.
#
#   docker run -e SERVICE=enforcement -e HTTP_PORT=8002 ... amr-platform
#
# Build context is the repository root (see .dockerignore).

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Unprivileged runtime user. The numeric uid/gid are used in USER below so
# that Kubernetes' runAsNonRoot can verify the user without resolving names.
RUN groupadd --system --gid 10001 amr \
 && useradd --system --uid 10001 --gid amr --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin amr

# No system packages are needed: requirements.lock pins psycopg-binary,
# whose wheel bundles libpq.

# Dependencies first so that code changes do not invalidate this layer.
COPY requirements.lock /app/requirements.lock
RUN pip install --no-cache-dir -r /app/requirements.lock

# Application code stays owned by root (read-only for the runtime user);
# only DATA_DIR (/app/var) is writable. In Kubernetes the root filesystem
# is read-only and /app/var is an emptyDir.
COPY . /app
RUN mkdir -p /app/var && chown amr:amr /app/var

ENV HTTP_HOST=0.0.0.0 \
    DATA_DIR=/app/var \
    LOG_LEVEL=INFO

# Service ports (HTTP_PORT defaults per service: registration 8001,
# enforcement 8002, ip_protection 8003, legal_review 8004).
EXPOSE 8001 8002 8003 8004

USER 10001:10001

# /health answers 200 when the service's database and the broker are
# reachable and 503 otherwise; urlopen raises on a non-2xx status, so any
# non-200 answer or connection error marks the container unhealthy. The
# port is chosen as in shared/config.py: <SERVICE>_HTTP_PORT, else
# HTTP_PORT, else the service's default port. Proxy variables are ignored
# for this local request.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; d = {'registration': '8001', 'enforcement': '8002', 'ip_protection': '8003', 'legal_review': '8004'}; s = os.environ.get('SERVICE', ''); p = os.environ.get(s.upper() + '_HTTP_PORT') or os.environ.get('HTTP_PORT') or d.get(s, ''); o = urllib.request.build_opener(urllib.request.ProxyHandler({})); r = o.open('http://127.0.0.1:%s/health' % p, timeout=4); sys.exit(0 if r.status == 200 else 1)"]

# SERVICE must be set per container (registration | enforcement |
# ip_protection | legal_review). exec makes python PID 1 so it receives
# SIGTERM directly on `docker stop` / pod termination.
CMD ["sh", "-c", "exec python -m shared.runner \"${SERVICE:?set SERVICE to registration, enforcement, ip_protection or legal_review}\""]
