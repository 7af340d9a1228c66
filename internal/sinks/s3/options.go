package s3

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// Archive holds a bucket's archive-grade settings: the storage class, encryption, Object Lock and
// tags of every object written. Each is sent on the request that creates the object (PutObject or
// CreateMultipartUpload), never by a second write. The yaml names are the config's.
type Archive struct {
	StorageClass       string     `yaml:"storage_class"`         // STANDARD (default), ..., GLACIER, DEEP_ARCHIVE
	SSE                string     `yaml:"sse"`                   // AES256 | aws:kms; "" the bucket's default
	SSEKMSKeyID        string     `yaml:"sse_kms_key_id"`        // with sse: aws:kms
	SSECustomerKeyFile string     `yaml:"sse_customer_key_file"` // SSE-C: a file of 32 raw bytes
	ObjectLock         ObjectLock `yaml:"object_lock"`
	Tags               sinks.Tags `yaml:"tags"`
}

// ObjectLock is the retention and legal hold each object gets; the bucket must have Object Lock on.
type ObjectLock struct {
	Mode               string `yaml:"mode"` // COMPLIANCE or GOVERNANCE
	sinks.RetainPeriod `yaml:",inline"`
	LegalHold          bool `yaml:"legal_hold"`
}

// IsZero reports whether no lock is asked for.
func (l ObjectLock) IsZero() bool { return l.Mode == "" && l.RetainPeriod.IsZero() && !l.LegalHold }

// retains reports whether objects get a retention period (not only a legal hold).
func (l ObjectLock) retains() bool { return l.Mode != "" }

// Check validates the settings. setting is the config path they sit under (destinations.aws), so
// every error names the exact setting.
func (a Archive) Check(setting string) error {
	if a.StorageClass != "" && !slices.Contains(types.StorageClass("").Values(), types.StorageClass(a.StorageClass)) {
		return fmt.Errorf("%s.storage_class: %q is not an S3 storage class (one of %s)", setting, a.StorageClass, storageClasses())
	}
	switch a.SSE {
	case "", string(types.ServerSideEncryptionAes256), string(types.ServerSideEncryptionAwsKms), string(types.ServerSideEncryptionAwsKmsDsse):
	default:
		return fmt.Errorf("%s.sse: %q is not AES256, aws:kms or aws:kms:dsse", setting, a.SSE)
	}
	if a.SSEKMSKeyID != "" && !strings.HasPrefix(a.SSE, "aws:kms") {
		return fmt.Errorf("%s.sse_kms_key_id: set only with sse: aws:kms", setting)
	}
	if a.SSECustomerKeyFile != "" && a.SSE != "" {
		return fmt.Errorf("%s.sse_customer_key_file: SSE-C replaces sse: set one of them", setting)
	}
	l := a.ObjectLock
	switch {
	case l.IsZero():
	case l.Mode == "" && !l.RetainPeriod.IsZero():
		return fmt.Errorf("%s.object_lock.mode: set COMPLIANCE or GOVERNANCE with a retention period", setting)
	case l.Mode != "" && l.Mode != string(types.ObjectLockModeCompliance) && l.Mode != string(types.ObjectLockModeGovernance):
		return fmt.Errorf("%s.object_lock.mode: %q is not COMPLIANCE or GOVERNANCE", setting, l.Mode)
	case l.Mode != "":
		if err := l.RetainPeriod.Check(setting + ".object_lock"); err != nil {
			return err
		}
	}
	return nil
}

func storageClasses() string {
	var names []string
	for _, c := range types.StorageClass("").Values() {
		names = append(names, string(c))
	}
	return strings.Join(names, ", ")
}

// customerKey is an SSE-C key as the three headers carry it.
type customerKey struct {
	key, md5 string // base64
}

// loadCustomerKey reads an SSE-C key file: exactly 32 raw bytes.
func loadCustomerKey(setting, path string) (*customerKey, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s.sse_customer_key_file: %w", setting, err)
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("%s.sse_customer_key_file: %s holds %d bytes; an SSE-C key is 32 raw bytes (AES-256)", setting, path, len(b))
	}
	sum := md5.Sum(b)
	return &customerKey{key: base64.StdEncoding.EncodeToString(b), md5: base64.StdEncoding.EncodeToString(sum[:])}, nil
}

// KeyID is what identifies the key in logs and manifests: the KMS key id, or the MD5 of an SSE-C key
// (never the key).
func (s *Sink) KeyID() string {
	switch {
	case s.ssec != nil:
		return "sse-c:md5:" + s.ssec.md5
	case s.cfg.Archive.SSEKMSKeyID != "":
		return s.cfg.Archive.SSEKMSKeyID
	}
	return ""
}

// WriteOnce implements sinks.WriteOnce: objects get a retention period or a legal hold.
func (s *Sink) WriteOnce() bool { return !s.cfg.Archive.ObjectLock.IsZero() }

// creation is what every request creating an object carries; set fills the fields of PutObject and
// CreateMultipartUpload alike.
type creation struct {
	StorageClass types.StorageClass
	SSE          types.ServerSideEncryption
	KMSKeyID     *string
	LockMode     types.ObjectLockMode
	RetainUntil  *time.Time
	LegalHold    types.ObjectLockLegalHoldStatus
	Tagging      *string
	ssec         *customerKey
}

// creation computes the settings of an object created now.
func (s *Sink) creation(now time.Time) creation {
	a := s.cfg.Archive
	c := creation{StorageClass: types.StorageClass(a.StorageClass), SSE: types.ServerSideEncryption(a.SSE), ssec: s.ssec}
	if a.SSEKMSKeyID != "" {
		c.KMSKeyID = aws.String(a.SSEKMSKeyID)
	}
	if a.ObjectLock.retains() {
		c.LockMode = types.ObjectLockMode(a.ObjectLock.Mode)
		c.RetainUntil = aws.Time(a.ObjectLock.Until(now))
	}
	if a.ObjectLock.LegalHold {
		c.LegalHold = types.ObjectLockLegalHoldStatusOn
	}
	if a.Tags != "" {
		c.Tagging = aws.String(string(a.Tags))
	}
	return c
}

// headers returns the three SSE-C header values, all nil without a customer key: every request on an
// object under such a key (HEAD and GET included) must carry them.
func (k *customerKey) headers() (alg, key, md5 *string) {
	if k == nil {
		return nil, nil, nil
	}
	return aws.String("AES256"), aws.String(k.key), aws.String(k.md5)
}

// WantLock implements sinks.LockPolicy.
func (s *Sink) WantLock(written time.Time) sinks.Lock {
	l := s.cfg.Archive.ObjectLock
	w := sinks.Lock{Mode: l.Mode, Hold: l.LegalHold}
	if l.retains() {
		w.RetainUntil = l.Until(written)
	}
	return w
}
