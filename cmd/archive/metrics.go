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

// pushMetrics sends the run's outcome to a Prometheus Pushgateway, grouped by job and shard. It uses
// the gateway's "add" (POST), which replaces only the metrics it sends: a failed run leaves the last
// success time of the previous good run in place, so an alert on its age fires.
func pushMetrics(ctx context.Context, gateway string, s *archiver.Summary, sh shard) error {
	reg := prometheus.NewRegistry()
	recordings := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rtk_archive_recordings", Help: "Recordings handled by the last run, by outcome."}, []string{"status"})
	files := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rtk_archive_files", Help: "Files handled by the last run, by manifest status."}, []string{"status"})
	bytes := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_bytes", Help: "Bytes archived by the last run."})
	duration := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_duration_seconds", Help: "Wall time of the last run."})
	atRisk := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_at_risk", Help: "Recordings left unarchived whose media expires within --expiry-warning."})
	unarchived := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_unarchived", Help: "Recordings RealtimeKit may still hold that the last run left unarchived (pending, failed, interrupted, not reached)."})
	lastRun := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_last_run_timestamp_seconds", Help: "When the last run ended."})
	reg.MustRegister(recordings, files, bytes, duration, atRisk, unarchived, lastRun)
	for _, o := range []archiver.Outcome{archiver.OutcomeArchived, archiver.OutcomePresent, archiver.OutcomeEarlier, archiver.OutcomePending,
		archiver.OutcomeSkipped, archiver.OutcomeExpired, archiver.OutcomeFailed} {
		recordings.WithLabelValues(string(o)).Set(float64(s.Recordings[o]))
	}
	for _, st := range []manifest.Status{manifest.StatusArchived, manifest.StatusPresent, manifest.StatusPending, manifest.StatusSkipped, manifest.StatusFailed} {
		files.WithLabelValues(string(st)).Set(float64(s.Files[st]))
	}
	bytes.Set(float64(s.Bytes))
	duration.Set(s.Finished.Sub(s.Started).Seconds())
	atRisk.Set(float64(s.Urgent()))
	unarchived.Set(float64(len(s.AtRisk)))
	lastRun.Set(float64(s.Finished.Unix()))
	if s.Failed() == 0 {
		lastSuccess := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rtk_archive_last_success_timestamp_seconds", Help: "When the last run without failures ended."})
		lastSuccess.Set(float64(s.Finished.Unix()))
		reg.MustRegister(lastSuccess)
	}
	shardLabel := "all"
	if sh.N > 1 {
		shardLabel = sh.String()
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p := push.New(gateway, "rtk_archive").Grouping("shard", shardLabel).Gatherer(reg)
	if err := p.AddContext(ctx); err != nil {
		return fmt.Errorf("pushing metrics to %s: %w", gateway, err)
	}
	return nil
}
