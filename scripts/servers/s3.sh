# Sourced by scripts/test.sh: starts versitygw twice on 127.0.0.1, over http and over https (a
# self-signed certificate made here, trusted by the tests through RTK_TEST_S3_CA_FILE), each with a
# posix backend folder under $RTK_STATE. The https instance exercises the TLS path the SDK takes with
# real AWS. --keep-alive matters: versitygw closes every connection after one response by default,
# unlike S3 and MinIO, which would make every client (ours and rclone in the bench) dial per request.

s3_dir="$RTK_STATE/s3"
mkdir -p "$s3_dir/http" "$s3_dir/https"
export RTK_TEST_S3_ACCESS_KEY=rtk-test-access
export RTK_TEST_S3_SECRET_KEY=rtk-test-secret-key

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$s3_dir/key.pem" -out "$s3_dir/cert.pem" 2>"$RTK_STATE/s3-openssl.log"
export RTK_TEST_S3_CA_FILE="$s3_dir/cert.pem"

s3_port=$(free_port)
ROOT_ACCESS_KEY=$RTK_TEST_S3_ACCESS_KEY ROOT_SECRET_KEY=$RTK_TEST_S3_SECRET_KEY \
  "$RTK_TOOLS_BIN/versitygw-v1.8.0" --port "127.0.0.1:$s3_port" --quiet --keep-alive posix "$s3_dir/http" \
  >"$RTK_STATE/s3-http.log" 2>&1 &
remember $!
export RTK_TEST_S3_PID=$! # the bench reads its CPU time
export RTK_TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"

s3_tls_port=$(free_port)
ROOT_ACCESS_KEY=$RTK_TEST_S3_ACCESS_KEY ROOT_SECRET_KEY=$RTK_TEST_S3_SECRET_KEY \
  "$RTK_TOOLS_BIN/versitygw-v1.8.0" --port "127.0.0.1:$s3_tls_port" --quiet --keep-alive \
  --cert "$s3_dir/cert.pem" --key "$s3_dir/key.pem" posix "$s3_dir/https" \
  >"$RTK_STATE/s3-https.log" 2>&1 &
remember $!
export RTK_TEST_S3_HTTPS_ENDPOINT="https://127.0.0.1:$s3_tls_port"

# Any HTTP answer (an unsigned request gets 403) means the server is up.
wait_for s3-http curl -s -o /dev/null "$RTK_TEST_S3_ENDPOINT/"
wait_for s3-https curl -s -o /dev/null --cacert "$RTK_TEST_S3_CA_FILE" "$RTK_TEST_S3_HTTPS_ENDPOINT/"
