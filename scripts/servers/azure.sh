# Azurite (Azure Blob emulator) for internal/sinks/azure. Sourced by scripts/test.sh.
# --skipApiVersionCheck: the Go SDK sends a newer API version than Azurite knows.
azure_port=$(free_port)
mkdir -p "$RTK_STATE/azurite"
"$RTK_TOOLS_BIN/../azurite-bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$azure_port" \
  --location "$RTK_STATE/azurite" --skipApiVersionCheck --disableTelemetry \
  >"$RTK_STATE/azurite.log" 2>&1 &
remember $!
wait_for azurite bash -c "exec 3<>/dev/tcp/127.0.0.1/$azure_port"
# devstoreaccount1 and its key are Azurite's public, well-known development credentials.
azure_key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
export RTK_TEST_AZURE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$azure_key;BlobEndpoint=http://127.0.0.1:$azure_port/devstoreaccount1;"
