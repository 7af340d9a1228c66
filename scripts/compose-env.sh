#!/usr/bin/env bash
# Prints the environment that points the tests at the servers of docker-compose.yml.
here=$(cd "$(dirname "$0")/.." && pwd)
cat <<ENV
export RTK_TEST_S3_ENDPOINT=http://127.0.0.1:7070
export RTK_TEST_S3_ACCESS_KEY=rtk-test-access
export RTK_TEST_S3_SECRET_KEY=rtk-test-secret-key
export RTK_TEST_GCS_ENDPOINT=http://127.0.0.1:4443/storage/v1/
export RTK_TEST_AZURE_CONNECTION_STRING='DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;'
export RTK_TEST_SFTP_ADDR=127.0.0.1:2222
export RTK_TEST_SFTP_USER=rtk
export RTK_TEST_SFTP_KEY=$here/testdata/compose/client_key
export RTK_TEST_SFTP_KNOWN_HOSTS=$here/testdata/compose/known_hosts
export RTK_TEST_TOXIPROXY_URL=http://127.0.0.1:8474
export RTK_TEST_PUSHGATEWAY_URL=http://127.0.0.1:9091
ENV
