// Package sinktest is the conformance suite every destination driver passes, run against a real server.
package sinktest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// Harness is what a driver's test gives the suite.
type Harness struct {
	// New returns a sink on a fresh, empty prefix or folder of the real server.
	New func(t *testing.T) sinks.Sink
	// Leftovers lists anything a failed Put may have left behind besides the final key: temporary
	// files, uncommitted blocks, unfinished multipart uploads. Nil when the driver cannot tell.
	Leftovers func(t *testing.T, s sinks.Sink) []string
	// Folder, for drivers that store plain files (local, SFTP), is the path on this machine of the
	// sink's root folder; it adds the test that leftovers of killed writes are swept. Nil otherwise.
	Folder func(t *testing.T, s sinks.Sink) string
	// BigSize is the size of the streaming test: large enough to cross the driver's part or chunk size.
	BigSize int64
	// Missing returns a sink on a destination that does not exist (a bucket, container or folder never
	// made): its Check and its writes must fail as permanent, so a wrong configuration costs no retries.
	Missing func(t *testing.T) sinks.Sink
	// Faults, for drivers that reach a server over the network, adds the fault cases (faults.go).
	Faults *Faults
	// WriteOnce returns a sink configured to lock what it writes (retention, a hold), on a fresh
	// destination that can keep it; nil for drivers without such settings (SFTP, local), whose
	// write-once mode then runs on New's sink. See writeonce.go.
	WriteOnce func(t *testing.T) sinks.Sink
	// StoresLocks says the server keeps and reports the locks WriteOnce's sink sets (versitygw,
	// fake-gcs-server; not Azurite, which has no immutability).
	StoresLocks bool
}

// Run runs every conformance test against the harness.
func Run(t *testing.T, h Harness) {
	if h.BigSize == 0 {
		h.BigSize = 12 << 20
	}
	guard(&h)
	type testCase struct {
		name string
		fn   func(t *testing.T, h Harness)
	}
	tests := []testCase{
		{"RoundTrip", testRoundTrip},
		{"UnknownSizeStreaming", testUnknownSizeStreaming},
		{"Empty", testEmpty},
		{"OddKeys", testOddKeys},
		{"NotFound", testNotFound},
		{"ReaderFailsHalfWay", testReaderFails},
		{"CancelledWrite", testCancelled},
		{"WrongChecksum", testWrongChecksum},
		{"WrongSize", testWrongSize},
		{"FailedPutKeepsExisting", testFailedPutKeepsExisting},
		{"Replace", testReplace},
		{"Concurrent", testConcurrent},
		{"CreateOnlyWhereNothingIs", testCreate},
		{"ErrorsHaveAKind", testErrorKinds},
		{"CheckPasses", testCheckPasses},
	}
	if h.Missing != nil {
		tests = append(tests, testCase{"MissingDestinationIsPermanent", testMissing})
	}
	if h.Folder != nil {
		tests = append(tests, testCase{"SweepsStaleTemporaries", testSweepsStaleTemporaries})
	}
	if h.Faults != nil {
		tests = append(tests, testCase{"Faults", testFaults})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
	t.Run("WriteOnce", func(t *testing.T) { runWriteOnce(t, h) })
}

func randomBytes(t *testing.T, n int64) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func put(t *testing.T, s sinks.Sink, key string, data []byte) sinks.Object {
	t.Helper()
	obj, err := s.Put(context.Background(), key, bytes.NewReader(data), sinks.PutOptions{Size: int64(len(data)), SHA256: sum(data)})
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	if obj.Size != int64(len(data)) || obj.SHA256 != sum(data) {
		t.Fatalf("Put(%q) returned %+v, want size %d sha256 %s", key, obj, len(data), sum(data))
	}
	return obj
}

// mustHold checks that key holds exactly data, through Stat and Open.
func mustHold(t *testing.T, s sinks.Sink, key string, data []byte) {
	t.Helper()
	ctx := context.Background()
	st, err := s.Stat(ctx, key)
	if err != nil {
		t.Fatalf("Stat(%q): %v", key, err)
	}
	if st.Size != int64(len(data)) {
		t.Fatalf("Stat(%q).Size = %d, want %d", key, st.Size, len(data))
	}
	if st.SHA256 != "" && st.SHA256 != sum(data) {
		t.Fatalf("Stat(%q).SHA256 = %s, want %s", key, st.SHA256, sum(data))
	}
	got, err := sinks.ReadBack(ctx, s, key)
	if err != nil {
		t.Fatalf("ReadBack(%q): %v", key, err)
	}
	if got.Size != int64(len(data)) || got.SHA256 != sum(data) {
		t.Fatalf("object %q reads back as %d bytes %s, want %d bytes %s", key, got.Size, got.SHA256, len(data), sum(data))
	}
}

// mustBeAbsent checks that key holds nothing and nothing was left behind.
func mustBeAbsent(t *testing.T, h Harness, s sinks.Sink, key string) {
	t.Helper()
	if obj, err := s.Stat(context.Background(), key); !errors.Is(err, sinks.ErrNotFound) {
		t.Fatalf("after a failed Put, Stat(%q) = %+v, %v; want ErrNotFound", key, obj, err)
	}
	mustLeaveNothing(t, h, s)
}

func mustLeaveNothing(t *testing.T, h Harness, s sinks.Sink) {
	t.Helper()
	if h.Leftovers != nil {
		if left := h.Leftovers(t, s); len(left) > 0 {
			t.Fatalf("failed Put left behind: %v", left)
		}
	}
}

func testRoundTrip(t *testing.T, h Harness) {
	s := h.New(t)
	data := randomBytes(t, h.BigSize+12345)
	put(t, s, "rec/media.mp4", data)
	mustHold(t, s, "rec/media.mp4", data)
	if s.URL("rec/media.mp4") == "" {
		t.Fatal("URL is empty")
	}
}

func testUnknownSizeStreaming(t *testing.T, h Harness) {
	s := h.New(t)
	data := randomBytes(t, h.BigSize+1)
	// A reader that is neither a bytes.Reader nor seekable, as a download body is.
	obj, err := s.Put(context.Background(), "stream.webm", struct{ io.Reader }{bytes.NewReader(data)}, sinks.PutOptions{Size: -1})
	if err != nil {
		t.Fatal(err)
	}
	if obj.SHA256 != sum(data) || obj.Size != int64(len(data)) {
		t.Fatalf("Put returned %+v", obj)
	}
	mustHold(t, s, "stream.webm", data)
}

func testEmpty(t *testing.T, h Harness) {
	s := h.New(t)
	put(t, s, "empty.bin", nil)
	mustHold(t, s, "empty.bin", nil)
}

func testOddKeys(t *testing.T, h Harness) {
	s := h.New(t)
	for _, key := range []string{
		"unicode/会議の録画 ü.mp4",
		"with spaces/a b  c.webm",
		"deep/1/2/3/4/5/6/7/8/9/file.mp4",
		"symbols/plus+percent%25hash#amp&q?.mp4",
	} {
		data := randomBytes(t, 1000)
		put(t, s, key, data)
		mustHold(t, s, key, data)
	}
}

func testNotFound(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := context.Background()
	if _, err := s.Stat(ctx, "missing/file.mp4"); !errors.Is(err, sinks.ErrNotFound) {
		t.Fatalf("Stat of a missing key: %v, want ErrNotFound", err)
	}
	if rc, err := s.Open(ctx, "missing/file.mp4"); !errors.Is(err, sinks.ErrNotFound) {
		if rc != nil {
			rc.Close()
		}
		t.Fatalf("Open of a missing key: %v, want ErrNotFound", err)
	}
}

// failingReader returns its data up to a point and then an error, as a dropped download does.
type failingReader struct {
	r     io.Reader
	left  int64
	onHit func()
}

var errBroken = errors.New("source broke half-way")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.left <= 0 {
		if f.onHit != nil {
			f.onHit()
			f.onHit = nil
			return f.r.Read(p)
		}
		return 0, errBroken
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.r.Read(p)
	f.left -= int64(n)
	return n, err
}

func testReaderFails(t *testing.T, h Harness) {
	s := h.New(t)
	data := randomBytes(t, h.BigSize)
	r := &failingReader{r: bytes.NewReader(data), left: h.BigSize / 2}
	_, err := s.Put(context.Background(), "broken.mp4", r, sinks.PutOptions{Size: int64(len(data))})
	if err == nil {
		t.Fatal("Put succeeded although its reader failed")
	}
	mustBeAbsent(t, h, s, "broken.mp4")
}

func testCancelled(t *testing.T, h Harness) {
	s := h.New(t)
	data := randomBytes(t, h.BigSize)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The reader cancels the write half-way and then keeps supplying data, so only ctx can stop it.
	r := &failingReader{r: bytes.NewReader(data), left: h.BigSize / 2, onHit: cancel}
	_, err := s.Put(ctx, "cancelled.mp4", r, sinks.PutOptions{Size: int64(len(data))})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put whose context was cancelled: %v, want an error matching ctx.Err()", err)
	}
	mustBeAbsent(t, h, s, "cancelled.mp4")
}

func testWrongChecksum(t *testing.T, h Harness) {
	s := h.New(t)
	data := randomBytes(t, 100_000)
	wrong := sum(append([]byte("x"), data...))
	_, err := s.Put(context.Background(), "corrupt.mp4", bytes.NewReader(data), sinks.PutOptions{Size: int64(len(data)), SHA256: wrong})
	if !errors.Is(err, sinks.ErrChecksumMismatch) {
		t.Fatalf("Put with a wrong SHA-256: %v, want ErrChecksumMismatch", err)
	}
	mustBeAbsent(t, h, s, "corrupt.mp4")
}

func testWrongSize(t *testing.T, h Harness) {
	s := h.New(t)
	data := randomBytes(t, 100_000)
	for _, size := range []int64{int64(len(data)) + 1, int64(len(data)) - 1} {
		key := fmt.Sprintf("size-%d.mp4", size)
		_, err := s.Put(context.Background(), key, bytes.NewReader(data), sinks.PutOptions{Size: size})
		if !errors.Is(err, sinks.ErrSizeMismatch) {
			t.Fatalf("Put of %d bytes announced as %d: %v, want ErrSizeMismatch", len(data), size, err)
		}
		mustBeAbsent(t, h, s, key)
	}
}

func testFailedPutKeepsExisting(t *testing.T, h Harness) {
	s := h.New(t)
	old := randomBytes(t, 50_000)
	put(t, s, "keep.mp4", old)
	data := randomBytes(t, h.BigSize)
	r := &failingReader{r: bytes.NewReader(data), left: h.BigSize / 2}
	if _, err := s.Put(context.Background(), "keep.mp4", r, sinks.PutOptions{Size: -1}); err == nil {
		t.Fatal("Put succeeded although its reader failed")
	}
	mustHold(t, s, "keep.mp4", old)
	mustLeaveNothing(t, h, s)
}

func testReplace(t *testing.T, h Harness) {
	s := h.New(t)
	put(t, s, "replace.mp4", randomBytes(t, 5000))
	data := randomBytes(t, 7000)
	put(t, s, "replace.mp4", data)
	mustHold(t, s, "replace.mp4", data)
}

func testConcurrent(t *testing.T, h Harness) {
	s := h.New(t)
	const n = 8
	data := make([][]byte, n)
	for i := range data {
		data[i] = randomBytes(t, 300_000+int64(i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("concurrent/%d.mp4", i)
			_, err := s.Put(context.Background(), key, bytes.NewReader(data[i]), sinks.PutOptions{Size: int64(len(data[i])), SHA256: sum(data[i])})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		mustHold(t, s, fmt.Sprintf("concurrent/%d.mp4", i), data[i])
	}
}

// testCreate runs for sinks that implement sinks.Creator: Create stores a new object, and refuses an
// existing one without touching it or leaving anything behind.
func testCreate(t *testing.T, h Harness) {
	s := h.New(t)
	c, ok := s.(sinks.Creator)
	if !ok {
		return // the archiver looks before it writes for this sink
	}
	data := randomBytes(t, h.BigSize+3)
	obj, err := c.Create(context.Background(), "create/new.mp4", struct{ io.Reader }{bytes.NewReader(data)}, sinks.PutOptions{Size: int64(len(data))})
	if err != nil {
		t.Fatalf("Create of a new key: %v", err)
	}
	if obj.SHA256 != sum(data) {
		t.Fatalf("Create returned %+v", obj)
	}
	mustHold(t, s, "create/new.mp4", data)
	for _, size := range []int64{1000, h.BigSize + 5} { // one request, and a multi-part upload
		other := randomBytes(t, size)
		_, err = c.Create(context.Background(), "create/new.mp4", bytes.NewReader(other), sinks.PutOptions{Size: size})
		if !errors.Is(err, sinks.ErrExists) {
			t.Fatalf("Create over an existing object (%d bytes): %v, want ErrExists", size, err)
		}
		mustHold(t, s, "create/new.mp4", data)
		mustLeaveNothing(t, h, s)
	}
}
