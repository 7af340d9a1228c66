package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// metricsJob is the Pushgateway job label of every group the archiver pushes.
const metricsJob = "rtk_archive"

// runTimes is when the run started and how long its stages took; the transfer stage is the summary's.
type runTimes struct {
	Started time.Time     // before the selection
	Select  time.Duration // listing (or a backfill's ordering listing) and selection
}

// pushMetrics sends the run's outcome to a Prometheus Pushgateway in two groups, both under
// job="rtk_archive" and shard (K/N, or "all" when unsharded):
//   - {job, shard}: the last run, replaced whole by each run (PUT), so a gauge this run has no value
//     for (the earliest unarchived expiry when everything is archived) is absent, not left over;
//   - {job, shard, last="success"}: rtk_archive_last_success_timestamp_seconds, replaced only by a run
//     without failures, so after failed runs it keeps the last good one's time and an alert on its
//     age fires.
//
// now is the clock expiries are judged by, as in the summary.
func pushMetrics(ctx context.Context, gateway string, s *archiver.Summary, sh shard, times runTimes, now time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	label := shardLabel(sh)
	run := push.New(gateway, metricsJob).Grouping("shard", label).Gatherer(runMetrics(s, times, now))
	if err := run.PushContext(ctx); err != nil {
		return fmt.Errorf("pushing metrics to %s: %w", gateway, err)
	}
	if s.Failed() > 0 {
		return nil
	}
	reg := prometheus.NewRegistry()
	lastSuccess := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_last_success_timestamp_seconds", Help: "When the last run without failures ended."})
	lastSuccess.Set(float64(s.Finished.Unix()))
	reg.MustRegister(lastSuccess)
	ok := push.New(gateway, metricsJob).Grouping("shard", label).Grouping("last", "success").Gatherer(reg)
	if err := ok.PushContext(ctx); err != nil {
		return fmt.Errorf("pushing metrics to %s: %w", gateway, err)
	}
	return nil
}

func shardLabel(sh shard) string {
	if sh.N > 1 {
		return sh.String()
	}
	return "all"
}

// runMetrics is the last run's group.
func runMetrics(s *archiver.Summary, times runTimes, now time.Time) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	recordings := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rtk_archive_recordings", Help: "Recordings handled by the last run, by outcome."}, []string{"status"})
	files := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rtk_archive_files", Help: "Files handled by the last run, by manifest status."}, []string{"status"})
	bytes := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_bytes", Help: "Bytes archived by the last run."})
	duration := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_duration_seconds", Help: "Wall time of the last run, selection and transfer."})
	stages := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rtk_archive_stage_duration_seconds", Help: "Wall time of each stage of the last run: select (listing and selection), transfer (downloads, uploads, manifest)."}, []string{"stage"})
	atRisk := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_at_risk", Help: "Recordings left unarchived whose media expires within --expiry-warning."})
	unarchived := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_unarchived", Help: "Recordings RealtimeKit may still hold that the last run left unarchived (pending, failed, interrupted, not reached)."})
	lost := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_lost", Help: "Recordings the last run found lost for the first time (or a backfill named): their media expired before any run archived them. A known loss counts in rtk_archive_recordings{status=\"lost\"} only."})
	lastRun := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_last_run_timestamp_seconds", Help: "When the last run ended."})
	reg.MustRegister(recordings, files, bytes, duration, stages, atRisk, unarchived, lost, lastRun)
	for _, o := range []archiver.Outcome{archiver.OutcomeArchived, archiver.OutcomePresent, archiver.OutcomeEarlier, archiver.OutcomePending,
		archiver.OutcomeSkipped, archiver.OutcomeLost, archiver.OutcomeFailed} {
		recordings.WithLabelValues(string(o)).Set(float64(s.Recordings[o]))
	}
	for _, st := range []manifest.Status{manifest.StatusArchived, manifest.StatusPresent, manifest.StatusPending, manifest.StatusSkipped, manifest.StatusFailed} {
		files.WithLabelValues(string(st)).Set(float64(s.Files[st]))
	}
	bytes.Set(float64(s.Bytes))
	transfer := s.Finished.Sub(s.Started)
	duration.Set((times.Select + transfer).Seconds())
	stages.WithLabelValues("select").Set(times.Select.Seconds())
	stages.WithLabelValues("transfer").Set(transfer.Seconds())
	atRisk.Set(float64(s.Urgent()))
	unarchived.Set(float64(len(s.AtRisk)))
	lost.Set(float64(len(s.Lost)))
	lastRun.Set(float64(s.Finished.Unix()))
	if exp, ok := earliestUnarchivedExpiry(s); ok {
		earliest := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_earliest_unarchived_expiry_seconds",
			Help: "Seconds from the end of the last run until the earliest known expiry among the recordings it left unarchived (negative: already expired); absent when none has a known expiry."})
		earliest.Set(exp.Sub(now).Seconds())
		reg.MustRegister(earliest)
	}
	return reg
}

// earliestUnarchivedExpiry is the soonest known expiry among the recordings the run left unarchived.
func earliestUnarchivedExpiry(s *archiver.Summary) (time.Time, bool) {
	var earliest time.Time
	for _, f := range s.AtRisk {
		if !f.Expiry.IsZero() && (earliest.IsZero() || f.Expiry.Before(earliest)) {
			earliest = f.Expiry
		}
	}
	return earliest, !earliest.IsZero()
}
