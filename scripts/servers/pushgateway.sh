# Prometheus Pushgateway for the metrics test. Sourced by scripts/test.sh.
PUSHGATEWAY_PORT=$(free_port)
"$RTK_TOOLS_BIN/pushgateway-v1.11.0" --web.listen-address="127.0.0.1:$PUSHGATEWAY_PORT" \
  > "$RTK_STATE/pushgateway.log" 2>&1 &
remember $!
wait_for pushgateway curl -fsS "http://127.0.0.1:$PUSHGATEWAY_PORT/-/ready"
export RTK_TEST_PUSHGATEWAY_URL="http://127.0.0.1:$PUSHGATEWAY_PORT"
