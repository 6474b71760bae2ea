#!/usr/bin/env bash
# schemathesis against the OpenAPI document a running hub serves, once with each kind of
# credential (a helper's, a back office's, a supervisor's, an admin's) and once with none:
# whatever it sends, the hub must never answer with a 5xx.
#   tests/hub-api-fuzz.sh PATH/TO/tongban-hub PATH/TO/st [MAX_EXAMPLES]
# With TONGBAN_FUZZ_DB=postgres the hub keeps its tables in a throwaway PostgreSQL cluster this
# script starts (initdb into its temporary folder, a unix socket there) and removes at the end.
set -euo pipefail
hub=${1:?path to the tongban-hub binary}
st=${2:?path to schemathesis (st)}
examples=${3:-25}

work=$(mktemp -d)
pid=""
pg_pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  # A fast shutdown of the throwaway cluster; nothing of it may outlive the script.
  [ -n "$pg_pid" ] && kill -INT "$pg_pid" 2>/dev/null && wait "$pg_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

db=$work/hub.db
serve_args=()
if [ "${TONGBAN_FUZZ_DB:-sqlite}" = postgres ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  command -v initdb >/dev/null && bin=$(dirname "$(command -v initdb)")
  [ -x "$bin/initdb" ] || { echo "TONGBAN_FUZZ_DB=postgres, but PostgreSQL is not installed" >&2; exit 1; }
  mkdir -p "$work/socket" "$work/blobs"
  as=()
  # PostgreSQL refuses to run as root: as root, it runs as Debian's postgres user.
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres "$work"
    as=(setpriv --reuid=postgres --regid=postgres --init-groups)
  fi
  "${as[@]}" "$bin/initdb" --auth=trust --username=postgres --encoding=UTF8 --locale=C -D "$work/data" >/dev/null
  "${as[@]}" "$bin/postgres" -D "$work/data" -k "$work/socket" -p 5432 -c listen_addresses='' -c fsync=off \
    >"$work/server.log" 2>&1 &
  pg_pid=$!
  for _ in $(seq 1 300); do
    psql -X -q -U postgres -h "$work/socket" -d postgres -c 'CREATE DATABASE fuzz' 2>/dev/null && break
    sleep 0.1
  done
  db="postgresql://postgres@/fuzz?host=$work/socket&port=5432"
  serve_args=(--blob-dir "$work/blobs")
fi
"$hub" init --db "$db" --region 110106 >/dev/null
partner=$("$hub" credential issue --db "$db" --role helper --region 411329 --desk-code H1 --desk 新野县帮办员 2>/dev/null)
back_office=$("$hub" credential issue --db "$db" --role back_office --desk-code S1 --desk 丰台区审批局 2>/dev/null)
supervisor=$("$hub" credential issue --db "$db" --role supervisor --region 411329 --desk-code D1 --desk 新野县督查科 2>/dev/null)
admin=$("$hub" credential issue --db "$db" --role admin --desk 管理员 2>/dev/null)

# The hub prints the address it bound (port 0: any free one) as its first line. The request rate
# limit is lifted: a fuzzer answered 429 would test the limiter instead of the handlers.
exec 3< <(TONGBAN_HUB_LOG=error TONGBAN_HUB_REQUESTS_PER_SECOND=1000000 TONGBAN_HUB_REQUEST_BURST=1000000 \
  "$hub" serve --listen 127.0.0.1:0 --db "$db" "${serve_args[@]}")
pid=$!
read -r -t 30 line <&3
url=${line#listening on }
echo "hub at $url"

status=0
# TONGBAN_FUZZ_AS narrows the credentials (./dev's run on PostgreSQL: the two that reach its SQL).
for who in ${TONGBAN_FUZZ_AS:-partner back_office supervisor admin anonymous}; do
  token=${!who:-}
  args=()
  [ -n "$token" ] && args=(--header "Authorization: Bearer $token")
  echo "== schemathesis as $who"
  "$st" --no-color run "$url/v1/openapi.json" --checks not_a_server_error --max-examples "$examples" \
    --phases examples,coverage,fuzzing --workers 1 --seed 20261123 --generation-database none "${args[@]}" || status=1
done
exit $status
