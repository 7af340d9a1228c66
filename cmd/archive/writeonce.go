package main

import (
	"slices"
)

// lockedSetting names the setting of each destination that locks what it stores (retention, a
// hold), "" for one that locks nothing. The drivers own these settings; this only reads them.
func lockedSetting(name string, d destination) string {
	switch d := d.(type) {
	case s3Destination:
		if !d.Archive.ObjectLock.IsZero() {
			return "destinations." + name + ".object_lock"
		}
	case gcsDestination:
		switch {
		case !d.Archive.Retention.IsZero():
			return "destinations.gcs.retention"
		case d.Archive.TemporaryHold:
			return "destinations.gcs.temporary_hold"
		}
	case azureDestination:
		switch {
		case !d.Archive.Immutability.IsZero():
			return "destinations.azure.immutability"
		case d.Archive.LegalHold:
			return "destinations.azure.legal_hold"
		}
	}
	return ""
}

// refuseOverwrite is the check of --overwrite: a destination that locks what it stores is never asked
// to replace an object, so the flag is bad usage with such a destination in the config.
func refuseOverwrite(cfg *fileConfig) error {
	all := map[string]destination{}
	for name, d := range cfg.Destinations {
		all[name] = d
	}
	if m := cfg.ManifestDestination; m != nil {
		all["manifest_destination"] = m.destination
	}
	for _, name := range slices.Sorted(mapKeys(all)) {
		if setting := lockedSetting(name, all[name]); setting != "" {
			return usagef("--overwrite: %s locks what it stores, so nothing there is ever replaced; run without --overwrite", setting)
		}
	}
	return nil
}
