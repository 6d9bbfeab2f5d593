#!/usr/bin/env bash
# curl-flow.sh: the whole MCP authorization flow by hand, with curl and jq,
# against the whoami example and its development issuer, the way a client
# that follows the MCP specification does it:
#
#   401 -> protected resource metadata -> authorization server metadata ->
#   dynamic client registration -> authorization request (PKCE S256, RFC 8707
#   resource) -> login and consent -> token request (with resource) -> MCP
#   calls with the bearer token, over streamable HTTP or the legacy SSE
#   transport.
#
# Usage: curl-flow.sh [-sse] MCP_URL [USERNAME PASSWORD]
#   go run ./examples/whoami &
#   ./examples/whoami/curl-flow.sh http://127.0.0.1:3001/mcp demo demo
#   ./examples/whoami/curl-flow.sh -sse http://127.0.0.1:3001/sse demo demo
#
# It prints the whoami tool's result (JSON) on stdout and the steps on
# stderr; it never prints the token. The login step fills in the
# development issuer's own form (username, password, then Approve); with
# another provider, open the authorization URL in a browser instead.
set -euo pipefail

sse=false
if [ "${1:-}" = "-sse" ]; then sse=true; shift; fi
mcp=${1:?usage: curl-flow.sh [-sse] MCP_URL [USERNAME PASSWORD]}
user=${2:-demo}
pass=${3:-demo}
redirect_uri=http://127.0.0.1:8976/callback

work=$(mktemp -d)
stream_pid=
trap '[ -z "$stream_pid" ] || kill "$stream_pid" 2>/dev/null; rm -rf "$work"' EXIT
say() { printf '%s\n' "$*" >&2; }
# Bounded requests: no step may hang the script.
c() { curl --silent --show-error --max-time 20 "$@"; }

# 1. The 401 and its challenge (GET for the SSE endpoint, POST otherwise).
if $sse; then
  c -o /dev/null -D "$work/h" "$mcp" -H 'Accept: text/event-stream' || true
else
  c -o /dev/null -D "$work/h" -X POST "$mcp" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
fi
grep -q '^HTTP/[0-9.]* 401' "$work/h" || { say "expected 401 from $mcp"; exit 1; }
prm=$(tr -d '\r' < "$work/h" | sed -n 's/^[Ww][Ww][Ww]-[Aa]uthenticate: .*resource_metadata="\([^"]*\)".*/\1/p')
scope=$(tr -d '\r' < "$work/h" | sed -n 's/^[Ww][Ww][Ww]-[Aa]uthenticate: .*scope="\([^"]*\)".*/\1/p')
say "1. 401 from $mcp; resource metadata at $prm; scope \"$scope\""

# 2. Protected resource metadata (RFC 9728): the resource and its issuer.
c "$prm" > "$work/prm.json"
resource=$(jq -r .resource "$work/prm.json")
issuer=$(jq -r '.authorization_servers[0]' "$work/prm.json")
say "2. resource $resource, authorization server $issuer"

# 3. Authorization server metadata (RFC 8414; the issuer has no path here).
c "$issuer/.well-known/oauth-authorization-server" > "$work/as.json"
[ "$(jq -r .issuer "$work/as.json")" = "$issuer" ] || { say "issuer mismatch"; exit 1; }
jq -e '.code_challenge_methods_supported | index("S256")' "$work/as.json" > /dev/null || { say "no PKCE S256"; exit 1; }
authz=$(jq -r .authorization_endpoint "$work/as.json")
token_ep=$(jq -r .token_endpoint "$work/as.json")
register=$(jq -r .registration_endpoint "$work/as.json")
say "3. authorize at $authz, token at $token_ep"

# 4. Dynamic client registration (RFC 7591): a public client.
client_id=$(c -X POST "$register" -H 'Content-Type: application/json' -d "$(jq -n --arg r "$redirect_uri" \
  '{client_name:"curl flow", redirect_uris:[$r], token_endpoint_auth_method:"none", grant_types:["authorization_code"], response_types:["code"]}')" \
  | jq -r .client_id)
say "4. registered as client $client_id"

# 5. PKCE (RFC 7636, S256) and the authorization request with resource.
b64url() { base64 | tr -d '=\n' | tr '/+' '_-'; }
verifier=$(openssl rand 32 | b64url)
challenge=$(printf '%s' "$verifier" | openssl dgst -sha256 -binary | b64url)
state=$(openssl rand 16 | b64url)
auth_url="$authz?$(jq -rn --arg c "$client_id" --arg r "$redirect_uri" --arg s "$scope" --arg st "$state" \
  --arg ch "$challenge" --arg res "$resource" \
  '{response_type:"code", client_id:$c, redirect_uri:$r, scope:$s, state:$st, code_challenge:$ch,
    code_challenge_method:"S256", resource:$res} | to_entries | map("\(.key)=\(.value|@uri)") | join("&")')"

# 6. Login and consent: follow the issuer's pages by hand until the
# redirect to redirect_uri, which carries the code.
jar="$work/cookies"
next=$auth_url
method=GET
data=()
code=
for _ in $(seq 1 10); do
  c -o /dev/null -D "$work/step" -b "$jar" -c "$jar" -X "$method" "${data[@]}" "$next"
  status=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$work/step")
  location=$(tr -d '\r' < "$work/step" | sed -n 's/^[Ll]ocation: //p')
  case "$status" in
  30[1237])
    case "$location" in
    "$redirect_uri"*)
      code=$(printf '%s' "$location" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')
      [ "$(printf '%s' "$location" | sed -n 's/.*[?&]state=\([^&]*\).*/\1/p')" = "$state" ] || { say "state mismatch"; exit 1; }
      break ;;
    /*) next="${issuer}${location}" ;;
    *) next=$location ;;
    esac
    method=GET; data=() ;;
  200)
    id=$(printf '%s' "$next" | sed -n 's/.*[?&]id=\([^&]*\).*/\1/p')
    case "$next" in
    */login\?*) method=POST; data=(--data-urlencode "id=$id" --data-urlencode "username=$user" --data-urlencode "password=$pass") ;;
    */consent\?*) method=POST; data=(--data-urlencode "id=$id" --data-urlencode "action=approve") ;;
    *) say "unexpected page $next"; exit 1 ;;
    esac ;;
  *) say "authorization step answered $status"; exit 1 ;;
  esac
done
[ -n "$code" ] || { say "no authorization code"; exit 1; }
say "5. logged in as $user and approved; got an authorization code"

# 7. The token request, with the resource again (RFC 8707).
access_token=$(c -X POST "$token_ep" --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=$redirect_uri" --data-urlencode "client_id=$client_id" \
  --data-urlencode "code_verifier=$verifier" --data-urlencode "resource=$resource" | jq -r .access_token)
[ -n "$access_token" ] && [ "$access_token" != null ] || { say "no access token"; exit 1; }
say "6. got an access token ($(printf '%s' "$access_token" | tr -cd . | wc -c) dots: $( [ "$(printf '%s' "$access_token" | tr -cd . | wc -c)" -eq 2 ] && echo JWT || echo opaque))"

auth="Authorization: Bearer $access_token"
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
initialized='{"jsonrpc":"2.0","method":"notifications/initialized"}'
call='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{}}}'

# 8. The MCP calls.
if ! $sse; then
  c -D "$work/h" -o "$work/init" -X POST "$mcp" -H "$auth" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -d "$init"
  session=$(tr -d '\r' < "$work/h" | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
  hdr=(-H "$auth" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream'
       -H 'MCP-Protocol-Version: 2025-06-18' -H "Mcp-Session-Id: $session")
  c -o /dev/null -X POST "$mcp" "${hdr[@]}" -d "$initialized"
  c -X POST "$mcp" "${hdr[@]}" -d "$call" > "$work/result"
  # The answer is JSON, or one server-sent event carrying it.
  if grep -q '^data: ' "$work/result"; then sed -n 's/^data: //p' "$work/result" > "$work/result.json"; else cp "$work/result" "$work/result.json"; fi
else
  # The legacy transport: the stream first; its endpoint event says where
  # to POST; the answers come back on the stream.
  curl --silent --max-time 60 -N -H "$auth" -H 'Accept: text/event-stream' "$mcp" > "$work/stream" 2>/dev/null &
  stream_pid=$!
  endpoint=
  for _ in $(seq 1 100); do
    endpoint=$(sed -n '/^event: endpoint/{n;s/^data: //p;q}' "$work/stream" | tr -d '\r')
    [ -n "$endpoint" ] && break
    sleep 0.1
  done
  [ -n "$endpoint" ] || { say "no endpoint event on the stream"; exit 1; }
  case "$endpoint" in http*) post=$endpoint ;; *) post="${mcp%/sse}$endpoint" ;; esac
  for body in "$init" "$initialized" "$call"; do
    c -o /dev/null -X POST "$post" -H "$auth" -H 'Content-Type: application/json' -d "$body"
  done
  for _ in $(seq 1 100); do
    sed -n 's/^data: \({.*\)/\1/p' "$work/stream" | jq -c 'select(.id == 2)' > "$work/result.json" 2>/dev/null || true
    [ -s "$work/result.json" ] && break
    sleep 0.1
  done
fi
[ -s "$work/result.json" ] && jq -e '.result.content[0].text' "$work/result.json" > /dev/null ||
  { say "no whoami result: $(cat "$work/result.json")"; exit 1; }
say "7. called whoami"
jq -r '.result.content[0].text' "$work/result.json"
