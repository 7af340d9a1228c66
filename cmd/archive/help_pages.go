package main

// The help pages of the commands; help.go prints them with their flags.

var runHelp = helpPage{
	usage: "archive run [flags]",
	about: `
Archives the RealtimeKit recordings of an app into storage you own, before RealtimeKit's copy expires
(7 days after upload), and appends what it did to a checksummed manifest. Without --ids it lists every
recording RealtimeKit may still keep (the last 9 days), so a run after missed nights catches up; what
the manifest already holds costs nothing. Flags take one or two dashes: --concurrency 8, -concurrency=8.`,
	groups: []helpGroup{
		{"Selection", []string{"account-id", "app-id", "api-token-file", "api-url", "ids", "since", "until", "meeting-id", "shard", "shards", "artifacts"}},
		{"Destinations and manifest", []string{"config", "manifest", "overwrite", "manifest-upload-interval"}},
		{"Pacing and limits", []string{"concurrency", "api-rate", "api-burst", "stall-timeout", "min-rate", "file-timeout", "max-file-size", "allow-private-downloads"}},
		{"Output", []string{"log-format", "log-level", "progress", "progress-interval", "json"}},
		{"Operations", []string{"dry-run", "expiry-warning", "pushgateway", "grace"}},
	},
	after: `
Examples:
  # Nightly (cron, or the CronJob in deploy/kubernetes): everything RealtimeKit still keeps
  archive run --config /etc/rtk-archive.yaml --manifest /var/lib/rtk-archive/manifest.jsonl

  # Backfill: one recording ID per line ('-' reads stdin); blank lines and # comments are ignored
  archive run --config archive.yaml --ids backfill.txt

  # Dry run: what would be archived where, with totals per destination; nothing is written
  archive run --config archive.yaml --dry-run

  # Audit: re-read what the manifest lists and check size and SHA-256 at the destinations
  archive verify --config archive.yaml --manifest manifest.jsonl --sample 5

Environment:
  CLOUDFLARE_ACCOUNT_ID, REALTIMEKIT_APP_ID   the account and app, unless --account-id, --app-id
  CLOUDFLARE_API_TOKEN             the API token (Realtime or Realtime Admin permission), unless
                                   --api-token-file; never a flag value, never logged
  CLOUDFLARE_API_URL               --api-url
  ARCHIVE_CONFIG, ARCHIVE_MANIFEST --config, --manifest
  ARCHIVE_SHARDS                   --shards; JOB_COMPLETION_INDEX (set by an Indexed Job) is K
  ARCHIVE_PUSHGATEWAY              --pushgateway
  ARCHIVE_LOG_LEVEL                --log-level
  ARCHIVE_ARTIFACTS                --artifacts
  ARCHIVE_ALLOW_PRIVATE_DOWNLOADS  1 = --allow-private-downloads
  ARCHIVE_CPUPROFILE               write a CPU profile to this file
  Destination credentials, never in the config file:
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_CA_BUNDLE, ...
                                   aws (the AWS default chain: also shared files, SSO, IRSA, roles)
  SPACES_ACCESS_KEY_ID, SPACES_SECRET_ACCESS_KEY   digitalocean (else the AWS chain)
  GOOGLE_APPLICATION_CREDENTIALS, STORAGE_EMULATOR_HOST   gcs (Application Default Credentials)
  AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_KEY      azure (else a Microsoft Entra identity)
  SFTP_PASSWORD, SFTP_KEY_PASSPHRASE                      sftp

Exit status:
  0    every selected recording is archived, already present, not ready yet, or has nothing to archive
  1    at least one recording failed, or the listing could not be walked to its end (the manifest and
       the summary say which and why)
  2    bad usage or configuration, nothing done (also: an API token the API refuses, a manifest
       another run holds)
  130  stopped by SIGINT/SIGTERM/SIGHUP after a clean shutdown; run again to archive the rest`,
}

var verifyHelp = helpPage{
	usage: "archive verify [flags]",
	about: `
Re-reads every object a manifest lists as archived or present (or a random sample) at its destination
and checks its size and SHA-256, reading the bytes back where --read allows, else by the checksums the
store keeps. Each line says how the object was proven, and its lock on a retention destination (a
retain-until shorter than configured fails). Exit 1 names every missing or differing object.
Only objects under the configured destinations are read: any other a line names is reported outside them.`,
	groups: []helpGroup{
		{"What to check", []string{"config", "manifest", "sample", "read"}},
		{"Pacing", []string{"concurrency"}},
		{"Output", []string{"log-format", "log-level"}},
	},
	after: `
Examples:
  archive verify --config archive.yaml --manifest manifest.jsonl            # everything
  archive verify --config archive.yaml --manifest manifest.jsonl --sample 5 # a cheap nightly audit
  archive verify --config archive.yaml --manifest manifest.jsonl --read never # no GET, no retrieval fee

Environment:
  ARCHIVE_CONFIG, ARCHIVE_MANIFEST, ARCHIVE_LOG_LEVEL, and the destination credentials of
  'archive run --help'.

Exit status:
  0    every object checked is there with its size and SHA-256
  1    at least one object is missing or differs (each is named)
  2    bad usage or configuration, nothing checked
  130  stopped by SIGINT/SIGTERM/SIGHUP`,
}

var demoHelp = helpPage{
	usage: "archive demo [flags]",
	about: `
Runs the whole job, the real 'archive run' path, against a built-in simulated RealtimeKit API into a
local folder: no account needed. Run it twice: the second run finds everything in the manifest.`,
	groups: []helpGroup{
		{"Demo", []string{"dir", "concurrency"}},
		{"Output", []string{"log-format", "log-level"}},
	},
	after: `
Example:
  archive demo --dir /tmp/rtk-demo

Exit status: as 'archive run': 0 all archived, 1 some failed, 2 bad usage, 130 stopped by a signal.`,
}
