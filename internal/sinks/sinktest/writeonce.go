package sinktest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// runWriteOnce is the suite's write-once destination mode: what every driver must do on storage that
// keeps what it is given (a locked or cold bucket), and so on any other too. Objects are created once
// and never replaced; what was written is proven afterwards by what the destination keeps (our
// SHA-256 in metadata, the store's checksum the Put reported), without reading the body where the
// driver can describe objects; a sink configured with locks says so, and, where the server keeps
// them, every object carries the lock the configuration asks for.
func runWriteOnce(t *testing.T, h Harness) {
	newSink := h.New
	if h.WriteOnce != nil {
		newSink = func(t *testing.T) sinks.Sink { return sinks.Guard(h.WriteOnce(t)) }
	}
	t.Run("CreateNeverReplaces", func(t *testing.T) {
		s := newSink(t)
		c, ok := s.(sinks.Creator)
		if !ok {
			t.Fatal("a write-once destination needs Create")
		}
		first := randomBytes(t, 3000)
		if _, err := c.Create(t.Context(), "once/a.bin", bytes.NewReader(first), sinks.PutOptions{Size: -1}); err != nil {
			t.Fatal(err)
		}
		_, err := c.Create(t.Context(), "once/a.bin", bytes.NewReader([]byte("later")), sinks.PutOptions{Size: 5})
		if !errors.Is(err, sinks.ErrExists) {
			t.Fatalf("a second Create = %v, want ErrExists", err)
		}
		got, err := sinks.ReadBack(t.Context(), s, "once/a.bin")
		if err != nil || got.SHA256 != sum(first) {
			t.Fatalf("after a refused Create the object is %+v, %v; want the first bytes", got, err)
		}
	})
	t.Run("ProvenByWhatIsKept", func(t *testing.T) {
		s := newSink(t)
		_, describes := unguard(s).(sinks.Describer)
		for name, size := range map[string]int64{"small": 1000, "big": h.BigSize + 1} {
			data := randomBytes(t, size)
			obj, err := s.(sinks.Creator).Create(t.Context(), "prove/"+name, bytes.NewReader(data), sinks.PutOptions{Size: -1})
			if err != nil {
				t.Fatal(err)
			}
			if _, how, err := sinks.Prove(t.Context(), s, obj.Key, obj, sinks.ReadIfUnproven); err != nil {
				t.Fatalf("%s: %v", name, err)
			} else if describes && how == sinks.ProvenByRead {
				t.Errorf("%s: proven by reading, though the driver describes objects: a cold one could not be", name)
			}
			if describes {
				if _, _, err := sinks.Prove(t.Context(), s, obj.Key, obj, sinks.ReadNever); err != nil {
					t.Errorf("%s without reading: %v", name, err)
				}
			}
			wrong := obj
			wrong.SHA256 = sum([]byte("something else"))
			wrong.Checksum = ""
			if _, _, err := sinks.Prove(t.Context(), s, obj.Key, wrong, sinks.ReadIfUnproven); !errors.Is(err, sinks.ErrChecksumMismatch) && !errors.Is(err, sinks.ErrUnproven) {
				t.Errorf("%s against a wrong SHA-256: %v, want a mismatch (or unproven)", name, err)
			}
		}
	})
	if h.WriteOnce == nil {
		return
	}
	t.Run("LocksEveryObject", func(t *testing.T) {
		s := newSink(t)
		if !sinks.IsWriteOnce(s) {
			t.Fatal("a sink configured with a lock does not say it is write-once")
		}
		before := time.Now()
		for name, size := range map[string]int64{"small": 100, "big": h.BigSize + 3} {
			if _, err := s.(sinks.Creator).Create(t.Context(), "locked/"+name, bytes.NewReader(randomBytes(t, size)), sinks.PutOptions{Size: -1}); err != nil {
				t.Fatal(err)
			}
			if !h.StoresLocks {
				continue
			}
			d, err := sinks.Describe(t.Context(), s, "locked/"+name)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := sinks.WantLock(s, before)
			if d.Lock.Mode != want.Mode || d.Lock.Hold != want.Hold || d.Lock.RetainUntil.Before(want.RetainUntil.Add(-time.Second)) {
				t.Errorf("%s: lock %+v, want at least %+v", name, d.Lock, want)
			}
		}
	})
}
