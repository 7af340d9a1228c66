package gcs

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/storage"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// Archive holds a bucket's archive-grade settings: the storage class, the Cloud KMS key, the
// per-object retention and the temporary hold of every object written. All of them go on the upload
// that creates the object, never on a later update. The yaml names are the config's.
type Archive struct {
	StorageClass  string    `yaml:"storage_class"` // STANDARD, NEARLINE, COLDLINE, ARCHIVE; "" the bucket's default
	KMSKeyName    string    `yaml:"kms_key_name"`  // projects/P/locations/L/keyRings/R/cryptoKeys/K
	Retention     Retention `yaml:"retention"`
	TemporaryHold bool      `yaml:"temporary_hold"`
}

// Retention is per-object retention; the bucket must have object retention enabled.
type Retention struct {
	Mode               string `yaml:"mode"` // Locked or Unlocked
	sinks.RetainPeriod `yaml:",inline"`
}

// IsZero reports whether no retention is asked for.
func (r Retention) IsZero() bool { return r.Mode == "" && r.RetainPeriod.IsZero() }

// storageClasses are the classes GCS knows.
var storageClasses = []string{"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"}

// Check validates the settings; setting is their config path (destinations.gcs), named in every error.
func (a Archive) Check(setting string) error {
	if a.StorageClass != "" && !slices.Contains(storageClasses, a.StorageClass) {
		return fmt.Errorf("%s.storage_class: %q is not a GCS storage class (one of %s)", setting, a.StorageClass, strings.Join(storageClasses, ", "))
	}
	if k := a.KMSKeyName; k != "" && (!strings.HasPrefix(k, "projects/") || !strings.Contains(k, "/cryptoKeys/")) {
		return fmt.Errorf("%s.kms_key_name: %q is not a key name like projects/P/locations/L/keyRings/R/cryptoKeys/K", setting, k)
	}
	if r := a.Retention; !r.IsZero() {
		if r.Mode != "Locked" && r.Mode != "Unlocked" {
			return fmt.Errorf("%s.retention.mode: %q is not Locked or Unlocked", setting, r.Mode)
		}
		if err := r.RetainPeriod.Check(setting + ".retention"); err != nil {
			return err
		}
	}
	return nil
}

// WriteOnce implements sinks.WriteOnce: objects get a retention or a temporary hold.
func (s *Sink) WriteOnce() bool { return !s.archive.Retention.IsZero() || s.archive.TemporaryHold }

// KeyID names the Cloud KMS key objects are encrypted with, "" for Google's default.
func (s *Sink) KeyID() string { return s.archive.KMSKeyName }

// apply sets the archive settings on the upload of an object created now.
func (a Archive) apply(w *storage.Writer, now time.Time) {
	w.StorageClass = a.StorageClass
	w.KMSKeyName = a.KMSKeyName
	w.TemporaryHold = a.TemporaryHold
	if !a.Retention.IsZero() {
		w.Retention = &storage.ObjectRetention{Mode: a.Retention.Mode, RetainUntil: a.Retention.Until(now)}
	}
}

// WantLock implements sinks.LockPolicy.
func (s *Sink) WantLock(written time.Time) sinks.Lock {
	r := s.archive.Retention
	w := sinks.Lock{Mode: r.Mode, Hold: s.archive.TemporaryHold}
	if !r.IsZero() {
		w.RetainUntil = r.Until(written)
	}
	return w
}
