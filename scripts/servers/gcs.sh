# fake-gcs-server for internal/sinks/gcs. Sourced by scripts/test.sh.
# -public-host must be the host:port the client dials: object reads go through the XML path, which
# answers "object doesn't exist" for any other host. The memory backend keeps nothing on disk.
gcs_port=$(free_port)
"$RTK_TOOLS_BIN/fake-gcs-server-v1.56.1" -scheme http -host 127.0.0.1 -port "$gcs_port" \
  -backend memory -public-host "127.0.0.1:$gcs_port" -log-level warn \
  >"$RTK_STATE/gcs.log" 2>&1 &
remember $!
wait_for gcs curl -fsS "http://127.0.0.1:$gcs_port/storage/v1/b"
export RTK_TEST_GCS_ENDPOINT="http://127.0.0.1:$gcs_port/storage/v1/"
