# A Prometheus that loads the alert rules and scrapes a Pushgateway of its own, the way the README tells
# users to (honor_labels: true), every second: deploy/prometheus's live test pushes real runs' metrics
# there and reads which alerts fire. Its own Pushgateway, so no other test's pushes reach it. Sourced by
# scripts/test.sh; promtool's Debian package (prometheus) ships the server.
alerts_pg_port=$(free_port)
"$RTK_TOOLS_BIN/pushgateway-v1.11.0" --web.listen-address="127.0.0.1:$alerts_pg_port" \
  > "$RTK_STATE/alerts-pushgateway.log" 2>&1 &
remember $!
export RTK_TEST_ALERTS_PUSHGATEWAY_URL="http://127.0.0.1:$alerts_pg_port"

prometheus_port=$(free_port)
mkdir -p "$RTK_STATE/prometheus"
cat > "$RTK_STATE/prometheus/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/deploy/prometheus/rtk-archive.rules.yml"]
scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs: [{targets: ["127.0.0.1:$alerts_pg_port"]}]
YAML
/usr/bin/prometheus --config.file="$RTK_STATE/prometheus/prometheus.yml" \
  --storage.tsdb.path="$RTK_STATE/prometheus/data" --web.listen-address="127.0.0.1:$prometheus_port" \
  > "$RTK_STATE/prometheus.log" 2>&1 &
remember $!
wait_for alerts-pushgateway curl -fsS "$RTK_TEST_ALERTS_PUSHGATEWAY_URL/-/ready"
wait_for prometheus curl -fsS "http://127.0.0.1:$prometheus_port/-/ready"
export RTK_TEST_PROMETHEUS_URL="http://127.0.0.1:$prometheus_port"
