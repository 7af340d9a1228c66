package archiver

import "github.com/rtk-archive/rtk-archive/internal/manifest"

// finishedBefore reports whether the manifest holds a recording that no listing returned (a backfill
// ID whose media is older than the listing reaches) as complete, with every chosen artifact of its
// session settled: then it is earlier with no API call and no request to the destination, as a listed
// one is. Without the details, the destination it would go to now can't be known: the details line
// that made it complete stands for it, wherever it is, and its artifacts count where its target's lines
// say. With artifacts chosen, a recording whose lines name no session can't be told from one whose
// session was never asked for, so it is looked at again.
func (a *archiver) finishedBefore(id string) bool {
	f, ok := a.cfg.Previous.Finished(id)
	switch {
	case !ok:
		return false
	case len(a.cfg.Artifacts) == 0:
		return true
	case f.SessionID == "":
		return false
	}
	atTarget := func(e manifest.Entry) bool { return e.Target == f.Target }
	for _, kind := range a.cfg.Artifacts {
		if _, ok := a.cfg.Previous.Settled(f.SessionID, kind, atTarget); !ok {
			return false
		}
	}
	return true
}
