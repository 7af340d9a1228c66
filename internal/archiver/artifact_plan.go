package archiver

import (
	"context"
	"fmt"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/termsafe"
)

// planArtifacts prints what a real run would do for the chosen artifacts of rec's session. It makes no
// API call: each artifact not settled by an earlier run is one call a real run would make ("would look
// up"), counted in ArtifactCalls, so the dry run shows the cost. Its extension is known only from the
// URL the call returns, hence <kind>.* in the plan.
func (a *archiver) planArtifacts(rec *fetch.Recording, t Target) {
	if len(a.cfg.Artifacts) == 0 || rec.SessionID == "" {
		return
	}
	id, sid := termsafe.String(rec.ID), termsafe.String(rec.SessionID)
	if !fetch.ValidID(rec.SessionID) {
		fmt.Fprintf(a.cfg.Plan, "would fail %s session artifacts: session_id %q is not a UUID\n", id, sid)
		return
	}
	dir := t.Sink.URL(sessionDir(t.Prefix, rec.SessionID))
	for _, kind := range a.cfg.Artifacts {
		if prev, ok := a.cfg.Previous.Settled(rec.SessionID, kind, a.atTarget(rec.SessionID, t)); ok {
			what := "archived by an earlier run -> " + termsafe.String(prev.Destination)
			if prev.Status == manifest.StatusSkipped {
				what = "settled by an earlier run: " + termsafe.String(prev.Error)
			}
			fmt.Fprintf(a.cfg.Plan, "would reuse %s %s of session %s: %s\n", id, kind, sid, what)
			continue
		}
		_, from, _ := a.sessions.do(context.Background(), claimKey{dir, kind}, rec.ID, func() (artifactOutcome, bool) {
			a.countArtifactCall()
			return artifactOutcome{}, true
		})
		if from != "" {
			fmt.Fprintf(a.cfg.Plan, "would reuse %s %s of session %s: looked up for recording %s in this run\n", id, kind, sid, termsafe.String(from))
			continue
		}
		fmt.Fprintf(a.cfg.Plan, "would look up %s %s of session %s (1 API call) and archive it -> %s/%s.*\n", id, kind, sid, termsafe.String(dir), kind)
	}
}
