package sinks

import "fmt"

// ChecksumNotRecorded is the error of a Put whose object was stored, but whose SHA-256 could not be
// recorded on it afterwards (object stores that take metadata only at the start of an upload, when
// the SHA-256 of a streamed body is not known yet). err is why the metadata write failed; removeErr is
// the failure of removing the object this Put wrote, nil when it was removed. Both stay reachable with
// errors.Is and errors.As, so the Put is classified by the destination's own error.
//
// The rule, for every driver: such a Put fails, and the driver removes the object it wrote, since an
// archived object without its checksum cannot be told apart from a damaged one later. Only when the
// removal fails too does the object stay, and the error says so.
func ChecksumNotRecorded(err, removeErr error) error {
	if removeErr == nil {
		return fmt.Errorf("stored, but recording its SHA-256 failed, so the object was removed: %w", err)
	}
	return fmt.Errorf("stored, but recording its SHA-256 failed (%w), and removing it failed too: the object is at the key without its checksum: %w", err, removeErr)
}
