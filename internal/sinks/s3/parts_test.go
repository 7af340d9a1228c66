package s3

import "testing"

func TestPartsGrowForHugeSizes(t *testing.T) {
	s := &Sink{cfg: Config{PartSize: 16 << 20, Buffers: 4}}
	for _, tc := range []struct {
		size  int64
		slots int
	}{{-1, 1}, {10 << 30, 1}, {16 << 20 * maxParts, 1}, {16<<20*maxParts + 1, 2}, {600 << 30, 4}} {
		if got, err := s.slotsPerPart(tc.size); err != nil || got != tc.slots {
			t.Errorf("slotsPerPart(%d) = %d, %v; want %d", tc.size, got, err, tc.slots)
		}
	}
	if _, err := s.slotsPerPart(1 << 40); err == nil {
		t.Error("a 1 TiB body was accepted with parts larger than the pool")
	}
}
