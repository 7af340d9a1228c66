package sftp_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/sinktest"
)

// TestServerRestartMidUpload stands for an sshd restarted while uploads are in flight: the proxy in
// front of the server resets every connection and every new one for 5 s, then lets them through. (A
// restart does just that: the old sessions die, dials fail until the daemon listens again, and the files
// already written stay on the server's disk. The proxy's refusal is a reset where a closed port gives
// "connection refused": the driver treats both alike, as a lost link. A second sshd is not started: the
// suite's one is shared by tests running at once.) Every upload must ride it out, resume and finish,
// leaving no temporary file.
func TestServerRestartMidUpload(t *testing.T) {
	t.Parallel() // mostly waiting out the outage
	cfg := keyLogin(t)
	p := sinktest.NewFaultProxy(t, net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	cfg = viaProxy(t, cfg, p.Addr)
	cfg.Outage = 20 * time.Second // the default is 30 s; 20 s still covers 5 s with room to spare
	cfg.Dir = t.TempDir()
	s := sinks.Guard(open(t, cfg))

	const uploads, size = 8, 3 << 20
	var halfway sync.WaitGroup
	halfway.Add(uploads)
	restarted := make(chan struct{})
	errs := make(chan error, uploads)
	start := time.Now()
	for i := range uploads {
		data := make([]byte, size)
		rand.Read(data)
		sum := sha256.Sum256(data)
		src := &pausingReader{r: bytes.NewReader(data), at: size / 2, reached: halfway.Done, wait: restarted}
		go func() {
			_, err := s.Put(context.Background(), fmt.Sprintf("rec/%d.mp4", i), src, sinks.PutOptions{Size: size, SHA256: hex.EncodeToString(sum[:])})
			errs <- err
		}()
	}
	halfway.Wait() // every upload is in flight, half sent
	p.Set(sinktest.Reset)
	close(restarted) // the sources go on at once: their writes meet the outage
	time.Sleep(5 * time.Second)
	p.Set(sinktest.Pass)
	for range uploads {
		if err := <-errs; err != nil {
			t.Errorf("an upload did not ride out a 5 s restart: %v", err)
		}
	}
	t.Logf("%d uploads of %d MiB across a 5 s restart ended after %v", uploads, size>>20, time.Since(start).Round(10*time.Millisecond))
	if left := partials(t, cfg.Dir); len(left) > 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// pausingReader calls reached once it has passed byte at, then waits for wait to close.
type pausingReader struct {
	r       io.Reader
	n, at   int64
	reached func()
	wait    chan struct{}
}

func (p *pausingReader) Read(b []byte) (int, error) {
	if p.reached != nil && p.n >= p.at {
		p.reached()
		p.reached = nil
		<-p.wait
	}
	if p.reached != nil {
		b = b[:min(int64(len(b)), p.at-p.n)]
	}
	n, err := p.r.Read(b)
	p.n += int64(n)
	return n, err
}

// TestFailedPutRemovesItsTemporaryFile: an outage longer than the sink rides out fails the upload, and
// the temporary file it had started is removed once the server answers again, not left to a later run.
func TestFailedPutRemovesItsTemporaryFile(t *testing.T) {
	t.Parallel()
	cfg := keyLogin(t)
	p := sinktest.NewFaultProxy(t, net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
	cfg = viaProxy(t, cfg, p.Addr)
	cfg.Outage = time.Second
	cfg.Dir = t.TempDir()
	s := sinks.Guard(open(t, cfg))

	const size = 3 << 20
	data := make([]byte, size)
	rand.Read(data)
	var halfway sync.WaitGroup
	halfway.Add(1)
	restarted := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		_, err := s.Put(context.Background(), "rec/a.mp4", &pausingReader{r: bytes.NewReader(data), at: size / 2, reached: halfway.Done, wait: restarted}, sinks.PutOptions{Size: size})
		errs <- err
	}()
	halfway.Wait()
	if left := partials(t, cfg.Dir); len(left) != 1 {
		t.Fatalf("no temporary file while the upload is under way: %v", left)
	}
	p.Set(sinktest.Reset)
	close(restarted)
	time.Sleep(2 * time.Second) // longer than the sink's 1 s window
	p.Set(sinktest.Pass)
	if err := <-errs; !errors.Is(err, sinks.ErrTransient) {
		t.Fatalf("an upload across a 2 s outage with a 1 s window: %v, want a transient failure", err)
	}
	if left := partials(t, cfg.Dir); len(left) > 0 {
		t.Fatalf("left behind although the server came back: %v", left)
	}
}
