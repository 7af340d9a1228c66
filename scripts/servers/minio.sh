# MinIO for the S3 features versitygw does not have: Object Lock with bucket default retention stamped
# on each object, versions, SSE-KMS with a static key, SSE-C (which needs TLS). Sourced by
# scripts/test.sh. One instance, over https with a certificate made here.
minio_dir="$RTK_STATE/minio"
mkdir -p "$minio_dir/data" "$minio_dir/certs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$minio_dir/certs/private.key" -out "$minio_dir/certs/public.crt" 2>"$RTK_STATE/minio-openssl.log"
export RTK_TEST_MINIO_CA_FILE="$minio_dir/certs/public.crt"
export RTK_TEST_MINIO_ACCESS_KEY=rtk-minio-access
export RTK_TEST_MINIO_SECRET_KEY=rtk-minio-secret-key
export RTK_TEST_MINIO_KMS_KEY=rtk-test-key
minio_port=$(free_port)
MINIO_ROOT_USER=$RTK_TEST_MINIO_ACCESS_KEY MINIO_ROOT_PASSWORD=$RTK_TEST_MINIO_SECRET_KEY \
  MINIO_KMS_SECRET_KEY="$RTK_TEST_MINIO_KMS_KEY:$(head -c 32 /dev/urandom | base64)" \
  MINIO_BROWSER=off MINIO_UPDATE=off \
  "$RTK_TOOLS_BIN/minio-v0.0.0-20260212201848-7aac2a2c5b7c" server --quiet --address "127.0.0.1:$minio_port" \
  --certs-dir "$minio_dir/certs" "$minio_dir/data" >"$RTK_STATE/minio.log" 2>&1 &
remember $!
export RTK_TEST_MINIO_ENDPOINT="https://127.0.0.1:$minio_port"
wait_for minio curl -fsS --cacert "$RTK_TEST_MINIO_CA_FILE" "$RTK_TEST_MINIO_ENDPOINT/minio/health/live"
