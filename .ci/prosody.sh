#!/usr/bin/env bash
# A private Prosody on loopback for the integration tests (facts: docs/prosody.md).
#
#   bash .ci/prosody.sh start   install Prosody if missing (Debian), write config, cert and accounts
#                               into $XMPP_IT_DIR (default .it/), start it, wait until it answers;
#                               prints KEY=VALUE lines (also written to $XMPP_IT_DIR/env)
#   bash .ci/prosody.sh restart stop (as `stop`) and start again on the SAME data: accounts, rosters,
#                               offline messages and smacks counters survive (`start` wipes them);
#                               registers only accounts that are missing; keeps the ports of the
#                               running config unless XMPP_*_PORT say otherwise. 0.5-1 s
#   bash .ci/prosody.sh stop    stop the server started by `start` (by PID: TERM; KILL 0.1 s after
#                               it logs "Shutdown complete", or after 3 s)
#   bash .ci/prosody.sh env     print the KEY=VALUE lines of the running server
#
# Use the environment:  set -a; . .it/env; set +a
# Ports come from XMPP_C2S_PORT (5222), XMPP_C2S_DIRECT_TLS_PORT (5223, XEP-0368),
# XMPP_COMPONENT_PORT (5347), XMPP_HTTP_PORT (5280).
# Only KEY=VALUE lines go to stdout; progress and errors go to stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${XMPP_IT_DIR:-$ROOT/.it}
[[ $DIR == /* ]] || DIR=$PWD/$DIR
if [[ $DIR == *[\"\\]* ]]; then
  echo "prosody.sh: error: XMPP_IT_DIR must not contain quotes or backslashes" >&2
  exit 2
fi
# `restart` (often run from a spec, without the XMPP_*_PORT of the `start`) keeps the old ports.
old_c2s='' old_tls='' old_component='' old_http=''
if [[ ${1:-} == restart && -s $DIR/prosody.cfg.lua ]]; then
  old_c2s=$(sed -n 's/^c2s_ports = { \([0-9]*\) }$/\1/p' "$DIR/prosody.cfg.lua")
  old_tls=$(sed -n 's/^c2s_direct_tls_ports = { \([0-9]*\) }$/\1/p' "$DIR/prosody.cfg.lua")
  old_component=$(sed -n 's/^component_ports = { \([0-9]*\) }$/\1/p' "$DIR/prosody.cfg.lua")
  old_http=$(sed -n 's/^http_ports = { \([0-9]*\) }$/\1/p' "$DIR/prosody.cfg.lua")
fi
C2S_PORT=${XMPP_C2S_PORT:-${old_c2s:-5222}}
TLS_PORT=${XMPP_C2S_DIRECT_TLS_PORT:-${old_tls:-5223}}
COMPONENT_PORT=${XMPP_COMPONENT_PORT:-${old_component:-5347}}
HTTP_PORT=${XMPP_HTTP_PORT:-${old_http:-5280}}
for port in "$C2S_PORT" "$TLS_PORT" "$COMPONENT_PORT" "$HTTP_PORT"; do
  if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    echo "prosody.sh: error: not a port: $port" >&2
    exit 2
  fi
done
DOMAIN=localhost
COMPONENT_DOMAIN=echo.localhost
COMPONENT_SECRET=echo-secret
MUC_DOMAIN=conference.localhost
# Test accounts (user:password; no ':' or ',' in either). alice and bob are the usual pair, the
# others let specs that run in parallel keep out of each other's way. grace and heidi belong to
# spec/integration/ext.spec.ts (roster, offline storage), ivan (the bot) and judy (its driver) to
# spec/integration/bot.spec.ts: their rosters and offline queues are not shared with other specs.
# kate, leo and mia belong to spec/integration/client.spec.ts (fault tests through
# spec/integration/proxy.ts: their hibernating smacks sessions must not meet other specs).
USERS=(alice:alicepass bob:bobpass carol:carolpass dave:davepass erin:erinpass frank:frankpass
  grace:gracepass heidi:heidipass ivan:ivanpass judy:judypass kate:katepass leo:leopass
  mia:miapass)

CFG=$DIR/prosody.cfg.lua
PIDFILE=$DIR/server.pid # our record of `$!`; Prosody writes its own prosody.pid too
ENVFILE=$DIR/env
LOG=$DIR/prosody.log

say() { printf 'prosody.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
now_ms() { date +%s%3N; }

as_root() {
  if [[ $(id -u) == 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) for: $*"
  fi
}

# Install from Debian packages without letting the postinst start the system service.
install_prosody() {
  if command -v prosody >/dev/null && command -v prosodyctl >/dev/null &&
    command -v openssl >/dev/null; then
    return 0
  fi
  command -v apt-get >/dev/null || die "prosody is not installed and there is no apt-get"
  local t0 policy=/usr/sbin/policy-rc.d created=0
  t0=$(now_ms)
  say "installing prosody from Debian packages"
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod 755 "$policy"
    created=1
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT # also when apt-get is interrupted
  fi
  local rc=0
  {
    as_root apt-get update -q &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        prosody lua-unbound openssl
  } >&2 || rc=$?
  if [[ $created == 1 ]]; then
    as_root rm -f "$policy"
    trap - EXIT
  fi
  [[ $rc == 0 ]] || die "apt-get failed ($rc)"
  # If the system service started anyway, stop it: it holds 5222 and 5269.
  if command -v systemctl >/dev/null && systemctl is-active --quiet prosody 2>/dev/null; then
    say "stopping the system prosody service"
    as_root systemctl stop prosody || true
  fi
  local sys
  sys=$(cat /run/prosody/prosody.pid 2>/dev/null || true)
  if [[ $sys =~ ^[0-9]+$ ]] && kill -0 "$sys" 2>/dev/null; then
    say "stopping the system prosody (pid $sys)"
    as_root kill "$sys" || true
  fi
  say "installed $(dpkg-query -W -f '${Version}' prosody 2>/dev/null) in $(($(now_ms) - t0)) ms"
}

# True when something accepts TCP connections on loopback port $1.
listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null || (exec 3<>"/dev/tcp/::1/$1") 2>/dev/null
}

# True when c2s answers a stream header with <stream:features>.
ready() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$C2S_PORT" || exit 1
    printf '%s' "<?xml version='1.0'?><stream:stream to='$DOMAIN' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" >&3
    while IFS= read -r -t 2 -d '>' tok <&3; do
      if [[ $tok == *'<stream:features'* ]]; then
        printf '%s' '</stream:stream>' >&3 || true
        exit 0
      fi
    done
    exit 1
  ) 2>/dev/null
}

# PID of the server we started, if it is still running (checks it is our Prosody, not a reused PID).
running_pid() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$CFG" || return 1
  echo "$pid"
}

# True while PID $1 runs. A zombie counts as gone: Prosody is detached from the shell that started
# it, and whatever reaps orphans here (PID 1) took 1-2 s to do so, while Prosody itself exits
# ~20 ms after SIGTERM, its listeners closed and its data (smacks counters too) written.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# True once Prosody logged "Shutdown complete" after byte $1 of the log: sessions are closed (the
# resumable ones with their smacks counters saved) and storage is written; what is left is an
# event loop that may idle up to 1 s more (until a timer closes a leftover watched fd, e.g. DNS).
shut_down() {
  tail -c "+$(($1 + 1))" "$LOG" 2>/dev/null | grep -q 'Shutdown complete'
}

stop_server() {
  local pid i mark done_at=''
  if pid=$(running_pid); then
    mark=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
      alive "$pid" || break
      if [[ -z $done_at ]] && shut_down "$mark"; then done_at=$i; fi
      # 100 ms after "Shutdown complete", for closing sockets to flush on loopback, is enough.
      if [[ -n $done_at ]] && ((i - done_at >= 5)); then
        kill -KILL "$pid" 2>/dev/null || true
      fi
      sleep 0.02
    done
    if alive "$pid"; then
      say "pid $pid ignored SIGTERM for 3 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 20; i++)); do alive "$pid" || break; sleep 0.05; done
    fi
    say "stopped (pid $pid)"
  fi
  rm -f "$PIDFILE" "$ENVFILE"
}

write_config() {
  local q="\"" # Lua strings in double quotes (DIR has none, checked above)
  local run_as_root=false
  [[ $(id -u) == 0 ]] && run_as_root=true
  cat >"$CFG" <<EOF
-- Written by .ci/prosody.sh for the integration tests; overwritten on every start.
run_as_root = $run_as_root
data_path = $q$DIR/data$q
pidfile = $q$DIR/prosody.pid$q
certificates = $q$DIR/certs$q
log = { info = $q$LOG$q }

interfaces = { "127.0.0.1", "::1" }
local_interfaces = { "127.0.0.1", "::1" }
c2s_ports = { $C2S_PORT }
c2s_direct_tls_ports = { $TLS_PORT }
component_ports = { $COMPONENT_PORT }
component_interfaces = { "127.0.0.1", "::1" }
http_ports = { $HTTP_PORT }
http_interfaces = { "127.0.0.1", "::1" }
https_ports = { }
s2s_ports = { }

c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_hashed"
default_iteration_count = 4096
allow_registration = true
consider_websocket_secure = true
consider_bosh_secure = true

ssl = {
  certificate = $q$DIR/certs/$DOMAIN.crt$q;
  key = $q$DIR/certs/$DOMAIN.key$q;
}

-- Never "limits": Debian's stock config caps c2s at 10 kb/s.
modules_enabled = {
  "roster"; "saslauth"; "tls"; "disco"; "ping"; "version"; "time"; "uptime"; "private";
  "vcard_legacy"; "register"; "carbons"; "mam"; "smacks"; "blocklist"; "pep";
  "websocket"; "bosh";
}
modules_disabled = { "s2s"; "s2s_auth_certs" }

-- XEP-0198 (mod_smacks, 0.12): how long a session whose connection broke stays resumable
-- (announced as <enabled max='60'/>). The default, 600 s, would keep every session a fault test
-- cuts and never resumes alive for 10 minutes; 60 s is still ample to resume. The other knobs
-- keep their defaults: smacks_max_unacked_stanzas = 0 (<r/> after every stanza),
-- smacks_max_ack_delay = 30 (only fires an event for push modules; it never closes anything),
-- and smacks_max_queue_size below.
smacks_hibernation_time = 60
-- A hibernating session whose unacknowledged queue passes this is destroyed, not resumed
-- (mod_smacks: "Too many unacked stanzas"); the fault tests send 1,000 messages while the
-- receiver is cut, so the default of 500 would turn a cut into a failed resumption.
smacks_max_queue_size = 5000

VirtualHost "$DOMAIN"

Component "$MUC_DOMAIN" "muc"
  muc_room_locking = false
  restrict_room_creation = false

Component "$COMPONENT_DOMAIN"
  component_secret = "$COMPONENT_SECRET"
EOF
}

make_cert() {
  local crt=$DIR/certs/$DOMAIN.crt key=$DIR/certs/$DOMAIN.key
  # Kept across restarts (so a NODE_EXTRA_CA_CERTS pointing at it stays valid) while it has a week.
  if [[ -s $crt && -s $key ]] && openssl x509 -in "$crt" -noout -checkend 604800 >/dev/null 2>&1; then
    return 0
  fi
  command -v openssl >/dev/null || die "openssl is missing"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/CN=$DOMAIN" \
    -addext "subjectAltName=DNS:$DOMAIN,DNS:*.$DOMAIN,IP:127.0.0.1,IP:::1" \
    -keyout "$key" -out "$crt" 2>/dev/null || die "openssl could not create the certificate"
  chmod 600 "$key"
}

# KEY=VALUE lines, sourceable by sh (a value is shell-quoted only if it needs it).
env_lines() {
  local users
  users=$(IFS=,; echo "${USERS[*]}")
  local key value
  set -- \
    XMPP_SERVICE "xmpp://127.0.0.1:$C2S_PORT" \
    XMPP_DIRECT_TLS_SERVICE "xmpps://127.0.0.1:$TLS_PORT" \
    XMPP_DOMAIN "$DOMAIN" \
    XMPP_WEBSOCKET "ws://127.0.0.1:$HTTP_PORT/xmpp-websocket" \
    XMPP_BOSH "http://127.0.0.1:$HTTP_PORT/http-bind" \
    XMPP_COMPONENT_SERVICE "xmpp://127.0.0.1:$COMPONENT_PORT" \
    XMPP_COMPONENT_DOMAIN "$COMPONENT_DOMAIN" \
    XMPP_COMPONENT_SECRET "$COMPONENT_SECRET" \
    XMPP_MUC_DOMAIN "$MUC_DOMAIN" \
    XMPP_CA "$DIR/certs/$DOMAIN.crt" \
    XMPP_USERS "$users" \
    XMPP_IT_DIR "$DIR"
  while (($# >= 2)); do
    key=$1 value=$2
    shift 2
    if [[ $value =~ ^[A-Za-z0-9_./:@,+=-]*$ ]]; then
      printf '%s=%s\n' "$key" "$value"
    else
      printf '%s=%q\n' "$key" "$value"
    fi
  done
}

# Prosody's file-store name for $1 (data/<host>/accounts/<user>.dat): non-alphanumerics as %xx.
store_name() {
  local s=$1 out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    if [[ $c == [A-Za-z0-9] ]]; then out+=$c; else out+=$(printf '%%%02x' "'$c"); fi
  done
  printf '%s' "$out"
}

# start fresh|keep: `fresh` wipes the data first; `keep` (restart) reuses it when there is any.
start() {
  local mode=$1 t0 pid acct
  install_prosody
  t0=$(now_ms)
  mkdir -p "$DIR"
  if running_pid >/dev/null; then
    [[ $mode == keep ]] || say "already running; restarting with fresh data"
    stop_server
  fi
  [[ -d $DIR/data ]] || mode=fresh
  rm -f "$ENVFILE"
  local port
  for port in "$C2S_PORT" "$TLS_PORT" "$COMPONENT_PORT" "$HTTP_PORT"; do
    if listening "$port"; then
      die "port $port is taken (another XMPP server? stop it, or set XMPP_C2S_PORT/XMPP_C2S_DIRECT_TLS_PORT/XMPP_COMPONENT_PORT/XMPP_HTTP_PORT)"
    fi
  done

  # Fresh data on every start (not restart): smacks, MAM, carbons and offline storage keep state.
  [[ $mode == keep ]] || rm -rf "$DIR/data"
  mkdir -p "$DIR/data" "$DIR/certs"
  chmod 700 "$DIR"
  make_cert
  write_config
  [[ $mode == keep ]] || : >"$LOG" # a restart appends, so a spec can still read what went before

  local accounts
  accounts=$DIR/data/$(store_name "$DOMAIN")/accounts
  for acct in "${USERS[@]}"; do
    # prosodyctl costs ~90 ms a call: a restart registers only the accounts that are missing.
    [[ $mode == keep && -e $accounts/$(store_name "${acct%%:*}").dat ]] && continue
    prosodyctl --config "$CFG" register "${acct%%:*}" "$DOMAIN" "${acct#*:}" >&2 ||
      die "could not register ${acct%%:*}"
  done

  prosody -F --config "$CFG" >"$DIR/stdout.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PIDFILE"
  local launched
  launched=$(now_ms)

  local up=0 deadline=$((launched + 15000))
  while (($(now_ms) < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    if ready; then up=1; break; fi
    sleep 0.05
  done
  if [[ $up == 1 ]]; then
    # All listeners open together, before c2s answers; one probe each (a bare probe of the
    # component port logs a harmless "component disconnected").
    for port in "$COMPONENT_PORT" "$HTTP_PORT"; do
      listening "$port" || { up=0; say "port $port does not listen"; }
    done
  fi
  if [[ $up != 1 ]]; then
    if kill -0 "$pid" 2>/dev/null; then say "not ready after 15 s"; else say "prosody exited early"; fi
    say "--- tail of $LOG"
    tail -n 30 "$LOG" >&2 || true
    say "--- tail of $DIR/stdout.log"
    tail -n 30 "$DIR/stdout.log" >&2 || true
    stop_server
    exit 1
  fi

  env_lines >"$ENVFILE.tmp"
  mv "$ENVFILE.tmp" "$ENVFILE"
  say "ready: pid $pid, config $CFG, $mode data; ready $(($(now_ms) - launched)) ms after launch, $(($(now_ms) - t0)) ms in all"
  cat "$ENVFILE"
}

case ${1:-} in
start) start fresh ;;
restart) start keep ;;
stop) stop_server ;;
env)
  if ! running_pid >/dev/null || [[ ! -s $ENVFILE ]]; then die "not running (bash .ci/prosody.sh start)"; fi
  cat "$ENVFILE"
  ;;
*)
  echo "usage: bash .ci/prosody.sh start|restart|stop|env" >&2
  exit 2
  ;;
esac
