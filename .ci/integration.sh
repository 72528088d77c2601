#!/usr/bin/env bash
# npm run test:integration [-- jest args]: the integration specs (spec/integration) in band.
# With XMPP_SERVICE set (CI, or `set -a; . .it/env; set +a`), uses that server; otherwise starts
# the private Prosody (.ci/prosody.sh), runs the specs and stops it again, also when they fail.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z ${XMPP_SERVICE:-} ]]; then
  env_file=${XMPP_IT_DIR:-$PWD/.it}/env
  trap 'bash .ci/prosody.sh stop' EXIT
  bash .ci/prosody.sh start >/dev/null
  set -a
  # shellcheck disable=SC1090
  . "$env_file"
  set +a
fi

node_modules/.bin/jest --runInBand spec/integration "$@"
