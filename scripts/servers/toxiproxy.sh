# Sourced by scripts/test.sh: starts toxiproxy-server on 127.0.0.1 for the fault tests, which create
# their own proxies and toxics through its API.
# Exports RTK_TEST_TOXIPROXY_URL.
toxi_port=$(free_port)
LOG_LEVEL=info "$RTK_TOOLS_BIN/toxiproxy-server-v2.12.0" -host 127.0.0.1 -port "$toxi_port" \
  >"$RTK_STATE/toxiproxy.log" 2>&1 &
remember $!
wait_for toxiproxy curl -sf "http://127.0.0.1:$toxi_port/version"
export RTK_TEST_TOXIPROXY_URL="http://127.0.0.1:$toxi_port"
