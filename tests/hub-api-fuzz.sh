#!/usr/bin/env bash
# schemathesis against the OpenAPI document a running hub serves, once with each kind of
# credential (a helper's, a back office's, a supervisor's, an admin's) and once with none:
# whatever it sends, the hub must never answer with a 5xx.
#   tests/hub-api-fuzz.sh PATH/TO/tongban-hub PATH/TO/st [MAX_EXAMPLES]
set -euo pipefail
hub=${1:?path to the tongban-hub binary}
st=${2:?path to schemathesis (st)}
examples=${3:-25}

work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

db=$work/hub.db
"$hub" init --db "$db" --region 110106 >/dev/null
partner=$("$hub" credential issue --db "$db" --role helper --region 411329 --desk-code H1 --desk 新野县帮办员 2>/dev/null)
back_office=$("$hub" credential issue --db "$db" --role back_office --desk-code S1 --desk 丰台区审批局 2>/dev/null)
supervisor=$("$hub" credential issue --db "$db" --role supervisor --region 411329 --desk-code D1 --desk 新野县督查科 2>/dev/null)
admin=$("$hub" credential issue --db "$db" --role admin --desk 管理员 2>/dev/null)

# The hub prints the address it bound (port 0: any free one) as its first line. The request rate
# limit is lifted: a fuzzer answered 429 would test the limiter instead of the handlers.
exec 3< <(TONGBAN_HUB_LOG=error TONGBAN_HUB_REQUESTS_PER_SECOND=1000000 TONGBAN_HUB_REQUEST_BURST=1000000 \
  "$hub" serve --listen 127.0.0.1:0 --db "$db")
pid=$!
read -r -t 30 line <&3
url=${line#listening on }
echo "hub at $url"

status=0
for who in partner back_office supervisor admin anonymous; do
  token=${!who:-}
  args=()
  [ -n "$token" ] && args=(--header "Authorization: Bearer $token")
  echo "== schemathesis as $who"
  "$st" --no-color run "$url/v1/openapi.json" --checks not_a_server_error --max-examples "$examples" \
    --phases examples,coverage,fuzzing --workers 1 --seed 20261123 --generation-database none "${args[@]}" || status=1
done
exit $status
