#!/bin/sh
# Picks the app (first argument: gateway | im-service; anything else is run as
# given) and gives the process an identity from the container's hostname when
# none was set, so `docker compose up --scale im=5` makes five distinct nodes
# that Docker's DNS resolves by that same name.
set -eu

app="${1:-gateway}"
case "$app" in
  gateway | im-service) shift ;;
  *) exec "$@" ;;
esac

host_name="${HOSTNAME:-$(cat /proc/sys/kernel/hostname)}"
# What other processes (Consul's checks, gateways, nginx) dial to reach this one.
export PARLEY_ADVERTISE_HOST="${PARLEY_ADVERTISE_HOST:-$host_name}"
if [ "$app" = im-service ]; then
  # nginx routes /n/<nodeId>/socket.io/ to http://<nodeId>:9101: the id must be the resolvable name.
  export PARLEY_NODE_ID="${PARLEY_NODE_ID:-$host_name}"
else
  export PARLEY_GATEWAY_ID="${PARLEY_GATEWAY_ID:-$host_name}"
fi

# exec: node becomes PID 1 and receives SIGTERM itself (the IM node drains on it).
exec node "dist/apps/$app/main.js" "$@"
