#!/bin/sh
# The image's HEALTHCHECK: GET /health/live on the cleartext port, else on the TLS port (-k: the
# certificate is often self-signed, and this checks liveness, not the certificate). Exit 0 when one
# answers 2xx, 1 otherwise.
#
# The ports are the server's own environment keys (README, Configuration): FUNNEL_HTTP_PORT (default
# 8080) and FUNNEL_HTTPS_PORT (default 8443), -1 = off, so an image run with cleartext off
# (-e FUNNEL_HTTP_PORT=-1) or TLS only is checked on the port it serves. A port set only in a
# --config file is not seen here: a cleartext port that does not answer falls back to the TLS
# one; for other ports set the same FUNNEL_* variables, or FUNNEL_HEALTH_URL (checked alone).
set -u

try() {
    # --max-time: the two tries together stay inside the HEALTHCHECK's --timeout.
    curl -fsS -o /dev/null --max-time 2 "$@"
}

if [ -n "${FUNNEL_HEALTH_URL:-}" ]; then
    try -k "$FUNNEL_HEALTH_URL" && exit 0
    exit 1
fi

# http.host binds both ports; a wildcard is reached on the loopback.
host=${FUNNEL_HTTP_HOST:-localhost}
case "$host" in
    '' | 0.0.0.0 | :: | '[::]') host=localhost ;;
    \[*) ;;
    *:*) host="[$host]" ;; # an IPv6 address in a URL
esac
http_port=${FUNNEL_HTTP_PORT:-8080}
https_port=${FUNNEL_HTTPS_PORT:-8443}

# -1 is off; 0 (ephemeral) cannot be known from here.
if [ "$http_port" != "-1" ] && [ "$http_port" != "0" ]; then
    try "http://$host:$http_port/health/live" && exit 0
fi
if [ "$https_port" != "-1" ] && [ "$https_port" != "0" ]; then
    try -k "https://$host:$https_port/health/live" && exit 0
fi
exit 1
